"""Benchmark (not a test): Find a PT at 30,000 and 300,000 clinics, on SQLite and PostgreSQL.

    .venv/bin/python bench/find_a_pt.py [--sizes 30000 300000] [--databases sqlite postgres]
        [--searches 200] [--nppes-rows 100000] [--no-server]

PostgreSQL comes from DATABASE_URL (a role with CREATEDB: scratch databases named
guide_scale_bench_* are created and dropped). For each database and size, on a fresh database:

1. import: writes a CSV of synthetic clinics (at real ZIP centres, jittered by up to a mile,
   so they cluster where people live) and times `manage.py import_clinics` on it, with the
   importer's peak memory;
2. search: what the search view does minus rendering (place lookup, count, a page of 20 with
   therapists and languages; pages 1 to 3 in turn), median and p95 in ms, with the mean
   number of clinics in the circle (a search lists the nearest 200), for ZIP 10001 + 25 miles
   (dense), ZIP 59301 (Miles City, MT) + 100 miles (rural), and random ZIPs + 25 miles;
3. at the largest size, a gunicorn worker (Redis page cache, as in production): the first
   city search in a fresh worker, then its RSS after a mixed workload (searches, clinic pages,
   home page).

Then it times `import_nppes` on a synthetic registry file with the real 330-column header
(5% physical therapists, as in the real file) and estimates a full 9 GB file from that rate.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import RedisServer, gunicorn, site_env  # noqa: E402

SEARCHES = {
    "dense: ZIP 10001, 25 miles": ("10001", 25),
    "rural: ZIP 59301, 100 miles": ("59301", 100),
}
RANDOM_RADIUS = 25
PAGE_SIZE = 20
PORT = 7310  # the bench's gunicorn; Redis on PORT + 1
REDIS_PORT = PORT + 1
NPPES_HEADER = ROOT / "tests" / "clinics" / "fixtures" / "nppes-npidata-header.csv"
FULL_NPPES_BYTES = 9 * 1024**3
# The search's dry-needling modes (search.find_near): the default groups confirmed clinics first.
MODES = ["yes", "confirmed", "any"]


# As after a registry import plus clinics' own confirmations: one clinic in 20 (5%) confirmed
# dry needling, the rest "may offer".
CONFIRM_SOME = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('UPDATE clinics_clinic SET offers_dry_needling = (id % 20 = 0),'\n"
    "                   ' dry_needling_unconfirmed = (id % 20 <> 0)')\n"
    "    cursor.execute('ANALYZE' if connection.vendor == 'sqlite' else 'VACUUM ANALYZE clinics_clinic')\n"
)


# --- Child process: one measurement inside Django, configured by the environment --------------


def child_measure(searches: int, seed: int) -> None:
    """Run in a subprocess with DATABASE_URL set: print search timings as JSON."""
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection

    from dryneedling_site.clinics import geo
    from dryneedling_site.clinics.models import Clinic, ZipCode
    from dryneedling_site.clinics.search import find_near

    def one(zip_code: str, miles: int, mode: str, page: int) -> tuple[float, int]:
        started = time.perf_counter()
        place = geo.locate(zip_code)
        # As the view asks: find_near groups by dry needling itself.
        clinics = Clinic.objects.matching(dry_needling=False)
        results = find_near(clinics, mode, place.latitude, place.longitude, miles)
        shown = Paginator(results, PAGE_SIZE).get_page(page)
        for clinic in shown.object_list:
            list(clinic.therapists.all())
            list(clinic.languages.all())
        elapsed = (time.perf_counter() - started) * 1000
        # All in the circle, not only the 200 listed.
        return elapsed, Clinic.objects.near(place.latitude, place.longitude, miles).within(miles).count()

    def figures(times: list[float], counts: list[int]) -> dict:
        times = sorted(times)
        return {
            "median": statistics.median(times),
            "p95": times[int(0.95 * (len(times) - 1))],
            "matches": statistics.mean(counts),
        }

    rng = random.Random(seed)
    result = {}
    for label, (zip_code, miles) in SEARCHES.items():
        for n in range(10):  # warm caches
            one(zip_code, miles, MODES[n % 3], 1)
        runs = [one(zip_code, miles, MODES[n % 3], 1 + n % 3) for n in range(searches)]
        result[label] = figures([t for t, _ in runs], [c for _, c in runs])
    zips = list(ZipCode.objects.values_list("zip_code", flat=True))
    picks = [rng.choice(zips) for _ in range(searches)]
    runs = [one(z, RANDOM_RADIUS, MODES[0], 1) for z in picks]
    result[f"random ZIPs, {RANDOM_RADIUS} miles"] = figures([t for t, _ in runs], [c for _, c in runs])
    place = geo.zip_place("10001")
    plans = []
    for group in find_near(
        Clinic.objects.matching(dry_needling=False), MODES[0], place.latitude, place.longitude, 25
    ).groups:
        query = group.clinics.ranking()[:20]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql, params)
            steps = [str(row[-1]) for row in cursor.fetchall()]
            # PostgreSQL's plan is long: the steps naming an index say which one it chose.
            steps = [step.strip() for step in steps if "Index" in step] or steps
            plans.append(f"{group.name}: " + " | ".join(steps)[:300])
    result["plan"] = "; ".join(plans)
    print(json.dumps(result))


def child_lock(path: str) -> None:
    """Run in a subprocess: import a CSV, print how long the write transaction (SQLite's write
    lock, taken at BEGIN IMMEDIATE) was held, from BEGIN to the after-commit cache bump."""
    import django

    django.setup()
    from django.db import connection

    from dryneedling_site.clinics import importer
    from dryneedling_site.core import pagecache

    began: list[float] = []
    committed: list[float] = []

    def note_begin(execute, sql, params, many, context):
        if sql.startswith("BEGIN") or (connection.in_atomic_block and not began):
            began.append(time.perf_counter())
        return execute(sql, params, many, context)

    pagecache.bump_content_version = lambda *args, **kwargs: committed.append(time.perf_counter())
    started = time.perf_counter()
    with connection.execute_wrapper(note_begin):
        report = importer.import_clinics(Path(path))
    total = time.perf_counter() - started
    print(json.dumps({"lock_ms": (committed[0] - began[0]) * 1000, "total_s": total, "rows": report.total}))


# --- Parent: databases, files, subprocesses ---------------------------------------------------


def zip_places() -> list[tuple[str, float, float, str]]:
    import zipcodes

    return [
        (r["zip_code"], float(r["lat"]), float(r["long"]), r["state"])
        for r in zipcodes.list_all()
        if r["active"] and r["zip_code_type"] == "STANDARD" and float(r["lat"]) != 0 and r["state"] != "AE"
    ]


def write_clinics_csv(path: Path, count: int, places: list, rng: random.Random) -> None:
    columns = [
        "name",
        "address",
        "city",
        "state",
        "zip",
        "phone",
        "website",
        "offers_dry_needling",
        "accepting_new_patients",
        "languages",
        "therapists",
        "latitude",
        "longitude",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(count):
            zip_code, lat, lon, state = rng.choice(places)
            writer.writerow(
                [
                    f"Bench Clinic {n}",
                    f"{n} Example Street",
                    "Benchville",
                    state,
                    zip_code,
                    f"212555{n % 10000:04d}",
                    "",
                    "yes" if rng.random() < 0.6 else "no",
                    "yes" if rng.random() < 0.7 else "no",
                    "English; Spanish" if rng.random() < 0.3 else "English",
                    f"Therapist {n}, PT, DPT",
                    f"{lat + rng.uniform(-0.015, 0.015):.5f}",
                    f"{lon + rng.uniform(-0.015, 0.015):.5f}",
                ]
            )


def with_check_digit(nine: str) -> str:
    """A registry-valid NPI: nine digits and the Luhn check digit (over "80840" + them) the import
    verifies (nppes.npi_is_valid; not imported here: the parent runs without Django set up)."""
    total = 24
    for position, char in enumerate(reversed(nine)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return nine + str((10 - total % 10) % 10)


def write_nppes_file(path: Path, rows: int, places: list, rng: random.Random) -> int:
    """A registry-format file: the real header, 5% PT rows (half grouped at shared addresses)."""
    header = next(csv.reader(NPPES_HEADER.open()))
    at = {name: i for i, name in enumerate(header)}
    practice = "Provider {} Business Practice Location Address"
    kept = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for n in range(rows):
            values = [""] * len(header)
            zip_code, _, _, state = rng.choice(places)
            is_pt = rng.random() < 0.05
            kept += is_pt
            values[at["NPI"]] = with_check_digit(f"{100_000_000 + n}")
            values[at["Entity Type Code"]] = "1"
            values[at["Provider Last Name (Legal Name)"]] = f"LAST{n}"
            values[at["Provider First Name"]] = "SAM"
            values[at["Provider Credential Text"]] = "PT, DPT" if is_pt else "MD"
            values[at["Healthcare Provider Taxonomy Code_1"]] = "225100000X" if is_pt else "207Q00000X"
            values[at["Provider Enumeration Date"]] = "05/23/2005"
            values[at["Last Update Date"]] = "07/08/2007"
            values[at[practice.format("First Line")]] = f"{n // 2 if is_pt else n} MAIN ST"
            values[at[practice.format("Second Line")]] = "SUITE 100"
            values[at["Provider Business Practice Location Address City Name"]] = "BENCHVILLE"
            values[at["Provider Business Practice Location Address State Name"]] = state
            values[at["Provider Business Practice Location Address Postal Code"]] = f"{zip_code}1234"
            values[at["Provider Business Practice Location Address Country Code (If outside U.S.)"]] = "US"
            values[at["Provider Business Practice Location Address Telephone Number"]] = "2125550100"
            values[at["Provider Business Mailing Address City Name"]] = "BENCHVILLE"
            writer.writerow(values)
    return kept


def manage(env: dict, *args: str) -> tuple[float, str, int]:
    """Run manage.py; (seconds, output, peak RSS in MB of that process)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{err.read()[-3000:]}")
        return seconds, out.read(), usage.ru_maxrss // 1024


def run_child(env: dict, what: str, *args: str) -> dict:
    """Run this script again with `args` in the site's environment; its last line is JSON."""
    result = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"{what} measurement failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_searches(env: dict, searches: int, seed: int) -> dict:
    return run_child(env, "search", "--child", "--searches", str(searches), "--seed", str(seed))


def scratch_database(engine: str, name: str, folder: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder}/{name}.sqlite3"
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("PostgreSQL runs need DATABASE_URL=postgres://... (a role with CREATEDB).")
    import psycopg

    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"


def drop_database(engine: str, url: str) -> None:
    if engine != "postgres":
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def worker_rss_mb(master_pid: int) -> list[float]:
    """RSS of each gunicorn worker (the master's children), from /proc."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def gunicorn_master() -> int | None:
    """The gunicorn master started by bench.common.gunicorn (a child of `timeout`, ours)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if "gunicorn" in cmdline and f"127.0.0.1:{PORT}" in cmdline and "timeout" not in cmdline:
            try:
                parent = (Path("/proc") / ppid / "cmdline").read_bytes()
            except OSError:
                continue
            if b"timeout" in parent:
                return int(entry.name)
    return None


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def measure_server(database_url: str, folder: Path, rng: random.Random) -> dict:
    """First city search in a fresh worker, and worker RSS after a mixed workload."""
    redis = RedisServer(REDIS_PORT, lifetime=900)
    env = site_env(database_url, REDIS_URL=redis.url)
    env["DJANGO_STATIC_ROOT"] = str(folder / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, capture_output=True
    )
    with redis, gunicorn(env, workers=1, port=PORT) as base:
        master = gunicorn_master()
        first = fetch(f"{base}/find-a-pt/?location=Portland%2C+OR&radius=25")
        second = fetch(f"{base}/find-a-pt/?location=Springfield%2C+IL&radius=25")
        listing = urllib.request.urlopen(f"{base}/find-a-pt/?location=10001&dry_needling=any").read().decode()
        slugs = re.findall(r'href="(/find-a-pt/[a-z0-9-]+/)', listing) or ["/find-a-pt/"]
        cities = ["Portland, OR", "Austin, TX", "Denver", "Boston, MA", "Miami, FL", "Seattle"]
        timings = []
        for n in range(400):
            kind = n % 4
            if kind == 0:
                url = f"/find-a-pt/?location={rng.choice(cities).replace(' ', '+').replace(',', '%2C')}"
            elif kind == 1:
                url = f"/find-a-pt/?location={rng.randrange(10001, 10300)}&radius={rng.choice([5, 25, 100])}"
            elif kind == 2:
                url = rng.choice(slugs)
            else:
                url = f"/find-a-pt/?location=10001&page={rng.randrange(1, 20)}&dry_needling=any"
            with contextlib.suppress(OSError):  # counted: requests that answered
                timings.append(fetch(base + url))
        fetch(f"{base}/")
        rss = worker_rss_mb(master) if master else []
    return {"first_city_ms": first, "second_city_ms": second, "rss_mb": rss, "requests": len(timings)}


def measure_lock(folder: Path, places: list) -> None:
    """SQLite's write lock during a 5,000-row import: new clinics, then the same ones changed."""
    env = site_env(scratch_database("sqlite", "guide_scale_bench_lock", folder))
    manage(env, "migrate", "--noinput")
    print("\nSQLite write lock during import_clinics of 5,000 rows (BEGIN to commit):")
    first, second = folder / "lock-1.csv", folder / "lock-2.csv"
    write_clinics_csv(first, 5000, places, random.Random(1))
    with first.open(newline="") as source, second.open("w", newline="") as changed:
        rows = list(csv.reader(source))
        for row in rows[1:]:
            row[5] = "503555" + row[5][-4:]  # every phone number changes
        csv.writer(changed).writerows(rows)
    for label, path in (("new clinics", first), ("the same clinics, phone changed", second)):
        figures = run_child(env, "lock", "--lock-child", str(path))
        print(
            f"    {label}: lock held {figures['lock_ms']:.0f} ms of {figures['total_s']:.1f} s"
            f" ({figures['rows']:,} rows)"
        )


def report_searches(size: int, figures: dict) -> None:
    # The machine may be shared: a figure means little without the load it was measured under.
    one, five, _ = os.getloadavg()
    print(f"    load average {one:.1f} (1 min), {five:.1f} (5 min) after these searches")
    for label, numbers in figures.items():
        if label == "plan":
            continue
        print(
            f"    {label:32} median {numbers['median']:6.2f} ms   p95 {numbers['p95']:6.2f} ms"
            f"   (mean {numbers['matches']:,.0f} matches)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--nppes-rows", type=int, default=100_000)
    parser.add_argument("--no-server", action="store_true", help="skip the gunicorn worker measurement")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lock-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child_measure(options.searches, options.seed)
        return
    if options.lock_child:
        child_lock(options.lock_child)
        return

    rng = random.Random(options.seed)
    places = zip_places()
    print("Find a PT benchmark: search time, import time, worker memory")
    print(f"Python {sys.version.split()[0]}; {options.searches} searches per kind; sizes {options.sizes}")
    summary = []
    with tempfile.TemporaryDirectory(prefix="find-a-pt-bench-") as scratch:
        folder = Path(scratch)
        for engine in options.databases:
            medians = {}
            for size in options.sizes:
                url = scratch_database(engine, f"guide_scale_bench_{size}", folder)
                env = site_env(url)
                try:
                    manage(env, "migrate", "--noinput")
                    path = folder / f"clinics-{size}.csv"
                    write_clinics_csv(path, size, places, random.Random(size))
                    seconds, _, peak = manage(env, "import_clinics", str(path))
                    manage(env, "shell", "-c", CONFIRM_SOME)
                    print(
                        f"\n{engine}, {size:,} clinics: import_clinics {seconds:.1f} s (peak RSS {peak} MB)"
                    )
                    figures = measure_searches(env, options.searches, options.seed)
                    report_searches(size, figures)
                    medians[size] = figures
                    summary.append((engine, size, seconds, figures))
                    if size == max(options.sizes):
                        print(f"    query plan: {figures['plan']}")
                        if not options.no_server:
                            server = measure_server(url, folder, rng)
                            print(
                                f"    gunicorn worker: first city search as the fresh worker's first request"
                                f" {server['first_city_ms']:.0f} ms (another city next:"
                                f" {server['second_city_ms']:.0f} ms); RSS after"
                                f" {server['requests']} mixed requests:"
                                f" {', '.join(f'{mb:.0f} MB' for mb in server['rss_mb'])}"
                            )
                finally:
                    drop_database(engine, url)
            if len(options.sizes) > 1:
                small, large = min(options.sizes), max(options.sizes)
                for label in SEARCHES:
                    ratio = medians[large][label]["median"] / medians[small][label]["median"]
                    print(f"    growth {small:,} -> {large:,}, {label}: {ratio:.2f}x")

        measure_lock(folder, places)

        if options.nppes_rows:
            url = scratch_database("sqlite", "guide_scale_bench_nppes", folder)
            env = site_env(url)
            manage(env, "migrate", "--noinput")
            path = folder / "npidata_pfile_20260105-20260111.csv"
            kept = write_nppes_file(path, options.nppes_rows, places, rng)
            seconds, out, peak = manage(env, "import_nppes", str(path))
            size = path.stat().st_size
            rate = size / seconds
            print(
                f"\nimport_nppes (SQLite): {options.nppes_rows:,} rows, {size / 1e6:.0f} MB, {kept:,} PT rows:"
                f" {seconds:.1f} s ({rate / 1e6:.1f} MB/s, peak RSS {peak} MB)"
            )
            print("    " + out.strip().splitlines()[-1])
            print(
                f"    estimate for a full 9 GB file at that rate: {FULL_NPPES_BYTES / rate / 60:.0f} minutes"
            )


if __name__ == "__main__":
    main()
