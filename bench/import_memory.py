"""Peak memory of the clinic imports at national size (not a unit test): what a small server needs.

    .venv/bin/python bench/import_memory.py [--clinics 300000] [--limit-mb 300] [--only nppes|csv]

Writes two files of `--clinics` made-up sample clinics in the real formats: an NPPES provider
file as CMS ships it (the real header of tests/clinics/fixtures, every value quoted, about 330
columns a row: a PT organization at each address, a PT individual at every second one, and
rows the import leaves out: other specialties and deactivated NPIs), and a clinics CSV
(docs/find-a-pt.md's columns). Each import then runs as its own `manage.py` process on a scratch
SQLite database (or, with DATABASE_URL, on that PostgreSQL database, which must have no clinics
yet): a first import, then the same file again (every clinic compared with the stored one,
nothing to write). For each run it prints the child's peak RSS (wait4's ru_maxrss: the most
memory it ever held) and its wall time, with the load average. Exit status 1 if any run peaked
above `--limit-mb` (issue 21: 300 MB for 300,000 clinics).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, ROOT, manage, scratch_dir, shell, site_env  # noqa: E402

HEADER = ROOT / "tests" / "clinics" / "fixtures" / "nppes-npidata-header.csv"


def npi(base: int) -> str:
    """A 10-digit NPI with a valid check digit (Luhn over "80840" + the first nine digits)."""
    first = f"{base:09d}"
    total = 24
    for position, char in enumerate(reversed(first)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return first + str((10 - total % 10) % 10)


def places(env: dict[str, str]) -> list[tuple[str, str]]:
    """(ZIP, state) of the ZIP table the migrations load, in a fixed order."""
    code = (
        "from dryneedling_site.clinics.models import ZipCode; "
        "print(';'.join(f'{z},{s}' for z, s in ZipCode.objects.order_by('zip_code')"
        ".filter(state__in=['AL','AZ','CA','CO','FL','GA','IL','MA','MI','NY','OH','OR','PA','TX','WA','WI'])"
        ".values_list('zip_code', 'state')))"
    )
    return [tuple(pair.split(",")) for pair in shell(env, code).split(";")]  # type: ignore[misc]


def write_nppes(path: Path, clinics: int, zips: list[tuple[str, str]]) -> int:
    """The provider file: returns the number of data rows."""
    header = next(csv.reader(HEADER.open(encoding="utf-8-sig")))
    at = {name: i for i, name in enumerate(header)}
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(header)

        def row(**values: str) -> None:
            nonlocal rows
            line = [""] * len(header)
            for name, value in values.items():
                line[at[name]] = value
            out.writerow(line)
            rows += 1

        for i in range(clinics):
            zip_code, state = zips[i % len(zips)]
            where = {
                "Provider First Line Business Practice Location Address": f"{i + 1} SAMPLE WAY",
                "Provider Second Line Business Practice Location Address": "STE 100" if i % 3 == 0 else "",
                "Provider Business Practice Location Address City Name": "SAMPLETOWN",
                "Provider Business Practice Location Address State Name": state,
                "Provider Business Practice Location Address Postal Code": f"{zip_code}1234",
                "Provider Business Practice Location Address Country Code (If outside U.S.)": "US",
                "Provider Business Practice Location Address Telephone Number": f"503555{i % 10000:04d}",
                "Provider Enumeration Date": "05/23/2007",
                "Last Update Date": "04/01/2025",
            }
            row(
                **where,
                **{
                    "NPI": npi(100_000_000 + 4 * i),
                    "Entity Type Code": "2",
                    "Provider Organization Name (Legal Business Name)": f"SAMPLE PHYSICAL THERAPY {i:06d} LLC",
                    "Healthcare Provider Taxonomy Code_1": "225100000X",
                    "Healthcare Provider Primary Taxonomy Switch_1": "Y",
                },
            )
            if i % 2 == 0:
                row(
                    **where,
                    **{
                        "NPI": npi(100_000_001 + 4 * i),
                        "Entity Type Code": "1",
                        "Provider Last Name (Legal Name)": f"SAMPLE{i:06d}",
                        "Provider First Name": "PAT",
                        "Provider Credential Text": "PT, DPT",
                        "Healthcare Provider Taxonomy Code_1": "225100000X",
                        "Healthcare Provider Primary Taxonomy Switch_1": "Y",
                    },
                )
            if i % 4 == 1:  # another specialty at the address: read and left out
                row(
                    **where,
                    **{
                        "NPI": npi(100_000_002 + 4 * i),
                        "Entity Type Code": "1",
                        "Provider Last Name (Legal Name)": f"OTHER{i:06d}",
                        "Provider First Name": "SAM",
                        "Healthcare Provider Taxonomy Code_1": "207Q00000X",
                        "Healthcare Provider Primary Taxonomy Switch_1": "Y",
                    },
                )
            if i % 50 == 3:  # a deactivated NPI: only the number and the date
                row(NPI=npi(100_000_003 + 4 * i), **{"NPI Deactivation Date": "01/15/2024"})
    return rows


def write_csv(path: Path, clinics: int, zips: list[tuple[str, str]]) -> None:
    columns = [
        "name", "address", "city", "state", "zip", "phone", "website", "offers_dry_needling",
        "accepting_new_patients", "languages", "therapists", "opening_hours", "is_sample",
    ]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(columns)
        for i in range(clinics):
            zip_code, state = zips[i % len(zips)]
            out.writerow(
                [
                    f"Sample Physical Therapy {i:06d}",
                    f"{i + 1} Sample Way, Suite 100",
                    "Sampletown",
                    state,
                    zip_code,
                    f"(503) 555-{i % 10000:04d}",
                    f"https://sample-{i}.example.org/" if i % 3 == 0 else "",
                    "yes" if i % 2 else "no",
                    "yes",
                    "English; Spanish" if i % 4 == 0 else "English",
                    f"Pat Sample{i}, PT, DPT; Sam Sample{i}, PT" if i % 2 == 0 else f"Pat Sample{i}, PT",
                    "Mon-Fri 8-5",
                    "yes",
                ]
            )


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """One manage.py command as a child process: (peak RSS in MB, wall seconds, last output line)."""
    started = time.monotonic()
    child = subprocess.Popen(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if child.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{output[-3000:]}")
    lines = [line for line in output.strip().splitlines() if not line.startswith("  ")]
    return usage.ru_maxrss / 1024, seconds, lines[-1] if lines else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinics", type=int, default=300_000)
    parser.add_argument("--limit-mb", type=float, default=300)
    parser.add_argument("--only", choices=["nppes", "csv"])
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    results = []
    with scratch_dir() as tmp:
        folder = Path(tmp)
        for kind in ("nppes", "csv"):
            if args.only and kind != args.only:
                continue
            url = database_url or f"sqlite:///{folder / f'{kind}.sqlite3'}"
            env = site_env(url, DJANGO_LOG_LEVEL="ERROR")
            manage(env, "migrate", "--noinput")
            stored = shell(
                env, "from dryneedling_site.clinics.models import Clinic; print(Clinic.objects.count())"
            )
            if stored != "0":
                raise SystemExit(f"{url.split('@')[-1]} already has {stored} clinics: use an empty database.")
            zips = places(env)
            started = time.monotonic()
            if kind == "nppes":
                path = folder / "npidata_pfile_20250407-20250413.csv"
                rows = write_nppes(path, args.clinics, zips)
                command = ["import_nppes", str(path)]
                what = f"NPPES file, {rows:,} rows"
            else:
                path = folder / "clinics.csv"
                write_csv(path, args.clinics, zips)
                command = ["import_clinics", str(path)]
                what = "clinics CSV"
            size = path.stat().st_size / 1e6
            print(
                f"{what}, {args.clinics:,} clinics, {size:,.0f} MB, written in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            for run_name in ("first import", "re-import (compare)"):
                load = os.getloadavg()[0]
                peak, seconds, said = run(env, *command)
                results.append((kind, run_name, peak, seconds, load))
                print(
                    f"  {kind:<5} {run_name:<20} peak RSS {peak:6.1f} MB, {seconds:6.1f} s "
                    f"(load average {load:.1f})\n        {said}",
                    flush=True,
                )
            if database_url:
                shell(
                    env, "from dryneedling_site.clinics.models import Clinic; Clinic.objects.all().delete()"
                )
            path.unlink()
    worst = max((r[2] for r in results), default=0.0)
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"Largest peak: {worst:.1f} MB on {database} (limit {args.limit_mb:.0f} MB)")
    return 0 if worst <= args.limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
