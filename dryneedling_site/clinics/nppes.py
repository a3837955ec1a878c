"""Read the CMS NPPES monthly provider file into clinics for Find a PT.

The file (a ZIP holding `npidata_pfile_YYYYMMDD-YYYYMMDD.csv`, about 9 GB unpacked, or that
CSV itself) is read as a stream, one row at a time, so memory grows with the physical
therapists kept, never with the file. Columns are found by their header names, never by
position (CMS renames some, e.g. "Provider Gender Code" became "Provider Sex Code").

Kept: individuals with any taxonomy code starting `2251` (physical therapists; `225200000X`,
PT assistants, is not one) and organizations with `261QP2000X` (physical therapy clinics),
unless deactivated. Individuals are grouped into clinics by practice-location address; an
organization at that address gives the clinic its legal business name and NPI. The registry
says nothing about dry needling or new patients, so imported clinics say "ask", never "yes".
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from . import geo
from .importer import ImportFailed, ImportPlan, PlannedClinic, Problem, TherapistRow, plan_import
from .models import Clinic
from .validators import normalise_phone

PT_TAXONOMY_PREFIX = "2251"
PT_CLINIC_TAXONOMY = "261QP2000X"
TAXONOMY_COLUMNS = tuple(f"Healthcare Provider Taxonomy Code_{n}" for n in range(1, 16))
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
INDIVIDUAL, ORGANIZATION = "1", "2"
_FILE_DATE = re.compile(r"npidata_pfile_\d{8}-(\d{8})", re.IGNORECASE)
# Kept in capitals when a registry name is put in title case ("ACME PT LLC" -> "Acme PT LLC").
_UPPER_WORDS = {
    "PT",
    "DPT",
    "LLC",
    "PLLC",
    "PC",
    "LLP",
    "INC",
    "USA",
    "II",
    "III",
    "IV",
    "OT",
    "PA",
    "NW",
    "NE",
    "SW",
    "SE",
}

Progress = Callable[[str, int, int], None]


@dataclass
class RegistryRead:
    """What one pass over the file found: clinics by key, and why rows were left out."""

    clinics: dict[str, PlannedClinic] = field(default_factory=dict)
    rows: int = 0
    kept: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    file_date: datetime.date | None = None

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def title(text: str) -> str:
    """ "ACME PHYSICAL THERAPY LLC" -> "Acme Physical Therapy LLC": the registry writes in capitals."""
    words = []
    for word in text.split():
        bare = word.strip(".,").upper()
        words.append(word.upper() if bare in _UPPER_WORDS else word.capitalize())
    return " ".join(words)


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
    positions.update({name: where[name] for name in TAXONOMY_COLUMNS})
    return positions


def _is_kept(entity: str, taxonomies: list[str]) -> bool:
    if entity == INDIVIDUAL:
        return any(code.startswith(PT_TAXONOMY_PREFIX) for code in taxonomies)
    if entity == ORGANIZATION:
        return PT_CLINIC_TAXONOMY in taxonomies
    return False


def _deactivated(deactivated: str, reactivated: str) -> bool:
    """A deactivation date without a later reactivation date."""
    if not deactivated.strip():
        return False
    gone, back = _date(deactivated), _date(reactivated)
    return back is None or (gone is not None and back < gone)


def read_registry(
    path: Path,
    *,
    states: set[str] | None = None,
    source_date: datetime.date | None = None,
    progress: Progress | None = None,
    progress_every: int = 100_000,
) -> RegistryRead:
    """One streaming pass: the PT clinics in the file (grouped by address), with reasons for
    each row left out. Raises ImportFailed for a file that is not an NPPES provider file."""
    places = geo.zip_centres()
    found = RegistryRead()
    groups: dict[str, dict] = {}
    with open_registry_file(Path(path)) as (handle, name):
        found.file_date = source_date or file_date(name)
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailed([Problem(1, "", "the file is empty")]) from None
        except csv.Error as error:
            raise ImportFailed([Problem(1, "", f"the file cannot be read as CSV ({error})")]) from None
        at = _positions(header)
        width = len(header)
        try:
            for values in reader:
                found.rows += 1
                if progress and found.rows % progress_every == 0:
                    progress("read", found.rows, 0)
                if len(values) != width:
                    found.skip("rows with a wrong number of values")
                    continue
                taxonomies = [values[at[c]].strip() for c in TAXONOMY_COLUMNS]
                entity = values[at["entity"]].strip()
                if not _is_kept(entity, taxonomies):
                    continue
                if _deactivated(values[at["deactivated"]], values[at["reactivated"]]):
                    found.skip("deactivated NPIs")
                    continue
                _add(groups, found, values, at, entity, places, states)
        except csv.Error as error:
            raise ImportFailed(
                [Problem(found.rows + 1, "", f"the file cannot be read as CSV ({error})")]
            ) from None
    for group in groups.values():
        clinic = _clinic(group, found.file_date)
        if not clinic.values["phone"]:
            found.skip("clinics without a usable US phone number")
            continue
        found.clinics[clinic.key] = clinic
    return found


def _add(
    groups: dict[str, dict],
    found: RegistryRead,
    values: list[str],
    at: dict[str, int],
    entity: str,
    places: dict[str, tuple[float, float, str]],
    states: set[str] | None,
) -> None:
    """Put one kept row into the group for its practice address (or skip it, saying why)."""
    state = values[at["state"]].strip().upper()
    if states and state not in states:
        return
    if values[at["country"]].strip() not in ("", "US") or state not in geo.State.values:
        found.skip("practice addresses outside the US states and territories")
        return
    zip5 = geo.normalise_zip(values[at["postal_code"]])
    if zip5 is None or zip5 not in places:
        found.skip("practice ZIP codes we cannot place")
        return
    try:
        phone = normalise_phone(values[at["phone"]])
    except ValidationError:
        phone = ""
    npi = values[at["npi"]].strip()
    line1, line2 = values[at["line1"]].strip(), values[at["line2"]].strip()
    address = title(", ".join(filter(None, [line1, line2])))[:200]
    key = "loc:" + re.sub(r"[^A-Z0-9]+", " ", f"{line1} {line2}".upper()).strip()[:100] + f"|{zip5}"
    group = groups.setdefault(
        key,
        {
            "key": key,
            "address": address,
            "city": title(values[at["city"]].strip())[:100],
            "state": state,
            "zip": zip5,
            "place": places[zip5],
            "phone": "",
            "organizations": [],
            "people": {},
        },
    )
    group["phone"] = group["phone"] or phone
    found.kept += 1
    if entity == ORGANIZATION:
        group["organizations"].append((npi, title(values[at["organization"]].strip())[:150], phone))
    else:
        name = title(f"{values[at['first_name']].strip()} {values[at['last_name']].strip()}")[:120]
        credentials = values[at["credentials"]].strip()[:60]
        group["people"].setdefault(name.lower(), TherapistRow(name, credentials, npi))


def _clinic(group: dict, source_date: datetime.date | None) -> PlannedClinic:
    """A group of registry rows at one address as one clinic to import."""
    people = sorted(group["people"].values(), key=lambda p: p.name)
    organizations = sorted(group["organizations"])
    if organizations:
        npi, name, phone = organizations[0]
        key = f"npi:{npi}"
    else:
        npi, phone = "", ""
        key = group["key"]
        name = people[0].name if len(people) == 1 else f"Physical therapists at {group['address']}"[:150]
    lat, lon, _ = group["place"]
    values = {
        "name": name,
        "address": group["address"],
        "city": group["city"],
        "state": group["state"],
        "zip_code": group["zip"],
        "latitude": lat,
        "longitude": lon,
        "phone": phone or group["phone"],
        "npi": npi,
        "source_date": source_date,
        # The registry lists training, not services, nor whether new patients are taken: ask.
        "offers_dry_needling": False,
        "dry_needling_unconfirmed": True,
        "accepting_new_patients": False,
    }
    return PlannedClinic(0, key, values, None, people, keeps_people_without_npi=True)


def plan_registry_import(found: RegistryRead, *, states: set[str] | None = None) -> ImportPlan:
    """Compare with stored registry clinics: add, update, and retire the ones the file dropped
    (within `states` if given). Clinics staff edited are never retired, only reported."""
    clinics = list(found.clinics.values())
    plan = plan_import(clinics, key_field="source_key")
    # A newer file date alone is not a change worth rewriting every row for.
    # (One pass: removing clinics from the list one by one is quadratic at 300,000.)
    date_only = [c for c in plan.changed if set(c.changes) == {"source_date"} and not c.therapists_changed]
    if date_only:
        moved = set(map(id, date_only))
        plan.changed = [c for c in plan.changed if id(c) not in moved]
        plan.unchanged.extend(date_only)
    stored = Clinic.objects.filter(source_key__isnull=False)
    if states:
        stored = stored.filter(state__in=states)
    for pk, key, edited in stored.values_list("pk", "source_key", "staff_edited_fields").iterator():
        if key not in found.clinics and not edited:
            plan.retired.append(pk)
    return plan
