"""One row of the CMS NPPES file: which columns, which providers are physical therapists, and
what makes a row unreadable (a file re-saved by a spreadsheet).

nppes.py reads the file with these rules and groups the kept rows into clinics.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .importer_plan import ImportFailed, Problem
from .registry_values import npi_is_valid

PT_TAXONOMY_PREFIX = "2251"
PT_CLINIC_TAXONOMY = "261QP2000X"
TAXONOMY_COLUMNS = tuple(f"Healthcare Provider Taxonomy Code_{n}" for n in range(1, 16))
# Optional: which code is the provider's primary one (Y/N). Without it, the first code is.
PRIMARY_COLUMNS = tuple(f"Healthcare Provider Primary Taxonomy Switch_{n}" for n in range(1, 16))
COLUMNS = {
    "npi": "NPI",
    "entity": "Entity Type Code",
    "organization": "Provider Organization Name (Legal Business Name)",
    "last_name": "Provider Last Name (Legal Name)",
    "first_name": "Provider First Name",
    "credentials": "Provider Credential Text",
    "line1": "Provider First Line Business Practice Location Address",
    "line2": "Provider Second Line Business Practice Location Address",
    "city": "Provider Business Practice Location Address City Name",
    "state": "Provider Business Practice Location Address State Name",
    "postal_code": "Provider Business Practice Location Address Postal Code",
    "country": "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "phone": "Provider Business Practice Location Address Telephone Number",
    "deactivated": "NPI Deactivation Date",
    "reactivated": "NPI Reactivation Date",
}
LAST_UPDATE = "Last Update Date"  # checked when present: a spreadsheet rewrites every row's date
INDIVIDUAL, ORGANIZATION = "1", "2"
# Share of the clinics an import manages that it may retire without --allow-retire.
RETIRE_LIMIT = 0.05
MAX_PROBLEMS = 100  # a damaged file usually has the same fault on every row: stop reading
RESAVED_HINT = "was the file re-saved by a spreadsheet? Import the file as CMS publishes it"
_FILE_DATE = re.compile(r"npidata_pfile_\d{8}-(\d{8})", re.IGNORECASE)
_REGISTRY_DATE = re.compile(r"(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}", re.ASCII)
Progress = Callable[[str, int, int], None]


def file_date(name: str) -> datetime.date | None:
    """The end date in `npidata_pfile_20260105-20260111.csv` (the data's date), else None."""
    match = _FILE_DATE.search(name)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


@contextmanager
def open_registry_file(path: Path) -> Iterator[tuple[io.TextIOBase, str]]:
    """The provider CSV as text, and its name: from inside the monthly ZIP, or the CSV itself."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as bundle:
            names = [
                n
                for n in bundle.namelist()
                if re.search(r"npidata_pfile_[^/]*\.csv$", n, re.IGNORECASE) and "fileheader" not in n.lower()
            ]
            if not names:
                raise ImportFailed([Problem(1, "", f"{path.name} holds no npidata_pfile_*.csv file")])
            with bundle.open(names[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=""), names[0]
    else:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            yield handle, path.name


def _positions(header: list[str]) -> dict[str, int]:
    """Column positions by name; ImportFailed naming every required column that is missing."""
    where = {name.strip(): i for i, name in enumerate(header)}
    missing = [name for name in (*COLUMNS.values(), *TAXONOMY_COLUMNS) if name not in where]
    if missing:
        shown = ", ".join(f"“{name}”" for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ImportFailed(
            [Problem(1, "", f"this is not an NPPES provider file: missing column {shown}{more}")]
        )
    positions = {key: where[name] for key, name in COLUMNS.items()}
    positions.update({name: where[name] for name in COLUMNS.values()})
    optional = (*TAXONOMY_COLUMNS, *PRIMARY_COLUMNS, LAST_UPDATE)
    positions.update({name: where[name] for name in optional if name in where})
    return positions


def is_pt_code(code: str) -> bool:
    return code.startswith(PT_TAXONOMY_PREFIX) or code == PT_CLINIC_TAXONOMY


def _is_kept(entity: str, taxonomies: list[str]) -> bool:
    """Individuals with a 2251 code; organizations with a 2251 code or 261QP2000X."""
    if entity == INDIVIDUAL:
        return any(code.startswith(PT_TAXONOMY_PREFIX) for code in taxonomies)
    if entity == ORGANIZATION:
        return any(is_pt_code(code) for code in taxonomies)
    return False


def _primary_code(values: list[str], at: dict[str, int], taxonomies: list[str]) -> str:
    for number, column in enumerate(PRIMARY_COLUMNS):
        if column in at and values[at[column]].strip().upper() == "Y":
            return taxonomies[number]
    return next((code for code in taxonomies if code), "")


def _deactivated(deactivated: str, reactivated: str) -> bool:
    """A deactivation date without a later reactivation date."""
    if not deactivated.strip():
        return False
    gone, back = _date(deactivated), _date(reactivated)
    return back is None or (gone is not None and back < gone)


def row_problems(number: int, values: list[str], at: dict[str, int]) -> list[Problem]:
    """What makes a row unreadable as CMS writes it: the entity type, the NPI, the dates."""
    problems = []
    entity = values[at["entity"]].strip()
    deactivated = values[at["deactivated"]].strip()
    # A deactivated NPI's row is blank but for the NPI and the date: no entity type.
    if entity not in (INDIVIDUAL, ORGANIZATION) and not (entity == "" and deactivated):
        problems.append(Problem(number, COLUMNS["entity"], f"“{entity[:20]}” is not 1 or 2; {RESAVED_HINT}"))
    npi = values[at["npi"]].strip()
    if not npi_is_valid(npi):
        problems.append(
            Problem(
                number,
                COLUMNS["npi"],
                f"“{npi[:20]}” is not a 10-digit NPI with a valid check digit; {RESAVED_HINT}",
            )
        )
    for column in (COLUMNS["deactivated"], COLUMNS["reactivated"], LAST_UPDATE):
        text = values[at[column]].strip() if column in at else ""
        if text and not _REGISTRY_DATE.fullmatch(text):
            problems.append(
                Problem(number, column, f"“{text[:20]}” is not a date written MM/DD/YYYY; {RESAVED_HINT}")
            )
    return problems
