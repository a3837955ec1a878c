"""Read the CMS NPPES monthly provider file into clinics for Find a PT.

The file (a ZIP holding `npidata_pfile_YYYYMMDD-YYYYMMDD.csv`, about 9 GB unpacked, or that
CSV itself) is read as a stream, one row at a time, so memory grows with the physical
therapists kept, never with the file. Columns are found by their header names, never by
position (CMS renames some, e.g. "Provider Gender Code" became "Provider Sex Code").

Kept: organizations with any taxonomy code starting `2251` (how most PT practices register,
e.g. `225100000X`) or `261QP2000X` (physical therapy clinic), and individuals with a `2251` code
(`225200000X`, PT assistants, is not one), unless deactivated. An organization whose primary
code is something else (a multi-specialty group) is kept and says it "also offers physical
therapy". Individuals are grouped into clinics by practice-location address; an organization at
that address gives the clinic its legal business name and NPI. The registry says nothing about
dry needling or new patients, so imported clinics say "ask", never "yes".

A row that cannot be read as CMS writes it (an entity type of "1.0", an NPI failing its check
digit, a date not written MM/DD/YYYY: a file re-saved by a spreadsheet) stops the import with
the row and column, instead of silently reading "0 physical therapists". So does a line longer
than MAX_LINE_CHARS, refused as it is read, never held whole in memory.
"""

from __future__ import annotations

import csv
import datetime
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from . import geo
from .importer import ImportFailed, ImportPlan, PlannedClinic, Problem, TherapistRow, plan_import
from .lines import bounded_lines
from .models import Clinic
from .names import organization_name, person_name, written
from .nppes_rows import (
    MAX_PROBLEMS,
    ORGANIZATION,
    RETIRE_LIMIT,
    TAXONOMY_COLUMNS,
    Progress,
    _deactivated,
    _is_kept,
    _positions,
    _primary_code,
    file_date,
    is_pt_code,
    open_registry_file,
    row_problems,
)
from .registry_values import address_key
from .validators import normalise_phone

# One kept row's part of its clinic: address, city, state, ZIP, latitude, longitude, phone,
# entity type, NPI, name, credentials, multi-specialty.
Part = tuple[str, str, str, str, float, float, str, str, str, str, str, bool]
NO_PHONE = "clinics without a usable US phone number"


class _DiskGroups:
    """Kept rows by practice address in a scratch SQLite file (never all in memory), read back
    one address at a time in the order the file first named each address."""

    FLUSH_AT = 5000

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="nppes-groups-")
        self.db = sqlite3.connect(Path(self.folder.name) / "groups.sqlite3")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("CREATE TABLE address (key TEXT PRIMARY KEY)")  # rowid: first seen
        self.db.execute("CREATE TABLE part (key TEXT NOT NULL, data TEXT NOT NULL)")
        self.pending: list[tuple[str, str]] = []

    def add(self, key: str, part: Part) -> None:
        self.pending.append((key, json.dumps(part)))
        if len(self.pending) >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT OR IGNORE INTO address (key) VALUES (?)", [(k,) for k, _ in self.pending])
        self.db.executemany("INSERT INTO part (key, data) VALUES (?, ?)", self.pending)
        self.pending = []

    def groups(self) -> Iterator[tuple[str, list[Part]]]:
        self.flush()
        self.db.execute("CREATE INDEX part_key ON part (key)")
        rows = self.db.execute(
            "SELECT a.key, p.data FROM address a JOIN part p ON p.key = a.key ORDER BY a.rowid, p.rowid"
        )
        key: str | None = None
        parts: list[Part] = []
        for row_key, data in rows:
            if row_key != key:
                if key is not None:
                    yield key, parts
                key, parts = row_key, []
            parts.append(tuple(json.loads(data)))
        if key is not None:
            yield key, parts

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


@dataclass
class RegistryRead:
    """What one pass over the file found: clinics by key, and why rows were left out.

    Read with `on_disk=True`, `clinics` stays empty: the rows wait in a scratch file and
    `clinic_batches()` gives the clinics a batch at a time (import_nppes, at national size)."""

    clinics: dict[str, PlannedClinic] = field(default_factory=dict)
    rows: int = 0
    kept: int = 0
    organizations: int = 0
    individuals: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    file_date: datetime.date | None = None
    disk: _DiskGroups | None = None

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def clinic_batches(self, size: int = 2000) -> Iterator[list[PlannedClinic]]:
        """The clinics (on_disk reads), `size` at a time; the scratch file is removed at the end."""
        if self.disk is None:
            clinics = list(self.clinics.values())
            for start in range(0, len(clinics), size):
                yield clinics[start : start + size]
            return
        batch: list[PlannedClinic] = []
        try:
            for key, parts in self.disk.groups():
                group: dict | None = None
                for part in parts:
                    group = _merge(group, key, part)
                assert group is not None
                clinic = _clinic(group, self.file_date)
                if not clinic.values["phone"]:
                    self.skip(NO_PHONE)
                    continue
                batch.append(clinic)
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch
        finally:
            self.close()

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()
            self.disk = None


class TooManyRetired(Exception):
    """The file would retire more than RETIRE_LIMIT of the clinics the import manages: a partial
    or wrong file, most likely. Nothing was written; --allow-retire goes ahead."""

    def __init__(self, retiring: int, managed: int, by_state: dict[str, int]) -> None:
        states = ", ".join(f"{state} {count:,}" for state, count in sorted(by_state.items()))
        super().__init__(
            f"This file would retire {retiring:,} of the {managed:,} registry clinics it manages "
            f"({states}), more than {RETIRE_LIMIT:.0%}. Nothing was written. Is the file complete "
            "(the whole monthly file, not a sample or a spreadsheet copy)? If the clinics really "
            "left the registry, run again with --allow-retire."
        )
        self.retiring, self.managed, self.by_state = retiring, managed, by_state


def read_registry(
    path: Path,
    *,
    states: set[str] | None = None,
    source_date: datetime.date | None = None,
    progress: Progress | None = None,
    progress_every: int = 100_000,
    on_disk: bool = False,
) -> RegistryRead:
    """One streaming pass: the PT clinics in the file (grouped by address), with reasons for
    each row left out. Raises ImportFailed for a file that is not an NPPES provider file, or
    has rows that cannot be read (naming row and column). With `on_disk`, the kept rows are
    grouped in a scratch file instead of memory (see RegistryRead.clinic_batches)."""
    places = geo.zip_centres()
    found = RegistryRead()
    groups: dict[str, dict] | _DiskGroups = _DiskGroups() if on_disk else {}
    if isinstance(groups, _DiskGroups):
        found.disk = groups
    try:
        _read_file(path, found, groups, places, states, source_date, progress, progress_every)
    except BaseException:
        found.close()
        raise
    if isinstance(groups, dict):
        for group in groups.values():
            clinic = _clinic(group, found.file_date)
            if not clinic.values["phone"]:
                found.skip(NO_PHONE)
                continue
            found.clinics[clinic.key] = clinic
    return found


def _read_file(
    path: Path,
    found: RegistryRead,
    groups: dict[str, dict] | _DiskGroups,
    places: dict[str, tuple[float, float, str]],
    states: set[str] | None,
    source_date: datetime.date | None,
    progress: Progress | None,
    progress_every: int,
) -> None:
    problems: list[Problem] = []
    with open_registry_file(Path(path)) as (handle, name):
        found.file_date = source_date or file_date(name)
        reader = csv.reader(bounded_lines(handle))
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
                number = found.rows + 1  # the header is row 1
                if progress and found.rows % progress_every == 0:
                    progress("read", found.rows, 0)
                if len(values) != width:
                    problems.append(
                        Problem(number, "", f"has {len(values)} values but the header has {width} columns")
                    )
                elif bad := row_problems(number, values, at):
                    problems += bad
                else:
                    _read_row(groups, found, values, at, places, states)
                if len(problems) >= MAX_PROBLEMS:
                    break
        except csv.Error as error:
            raise ImportFailed(
                [Problem(found.rows + 2, "", f"the file cannot be read as CSV ({error})")]
            ) from None
    if problems:
        raise ImportFailed(problems)


def _read_row(
    groups: dict[str, dict] | _DiskGroups,
    found: RegistryRead,
    values: list[str],
    at: dict[str, int],
    places: dict[str, tuple[float, float, str]],
    states: set[str] | None,
) -> None:
    taxonomies = [values[at[c]].strip() for c in TAXONOMY_COLUMNS]
    entity = values[at["entity"]].strip()
    if not _is_kept(entity, taxonomies):
        return
    if _deactivated(values[at["deactivated"]], values[at["reactivated"]]):
        found.skip("deactivated NPIs")
        return
    multi = entity == ORGANIZATION and not is_pt_code(_primary_code(values, at, taxonomies))
    _add(groups, found, values, at, entity, places, states, multi)


def _add(
    groups: dict[str, dict] | _DiskGroups,
    found: RegistryRead,
    values: list[str],
    at: dict[str, int],
    entity: str,
    places: dict[str, tuple[float, float, str]],
    states: set[str] | None,
    multi_specialty: bool = False,
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
    address = written(", ".join(filter(None, [line1, line2])), business=True)[:200]
    key = "loc:" + address_key(f"{line1} {line2}")[:100] + f"|{zip5}"
    found.kept += 1
    if entity == ORGANIZATION:
        found.organizations += 1
        name = organization_name(values[at["organization"]].strip())[:150]
        credentials = ""
    else:
        found.individuals += 1
        name = person_name(values[at["first_name"]], values[at["last_name"]])[:120]
        credentials = values[at["credentials"]].strip()[:60]
    lat, lon, _ = places[zip5]
    city = written(values[at["city"]].strip())[:100]
    part: Part = (
        address,
        city,
        state,
        zip5,
        lat,
        lon,
        phone,
        entity,
        npi,
        name,
        credentials,
        multi_specialty,
    )
    if isinstance(groups, _DiskGroups):
        groups.add(key, part)
    else:
        groups[key] = _merge(groups.get(key), key, part)


def _merge(group: dict | None, key: str, part: Part) -> dict:
    """Add one row's part to its address's group (the first row names the address)."""
    address, city, state, zip5, lat, lon, phone, entity, npi, name, credentials, multi = part
    if group is None:
        group = {
            "key": key,
            "address": address,
            "city": city,
            "state": state,
            "zip": zip5,
            "place": (lat, lon, state),
            "phone": "",
            "organizations": [],
            "people": {},
        }
    group["phone"] = group["phone"] or phone
    if entity == ORGANIZATION:
        group["organizations"].append((npi, name, phone, multi))
    else:
        group["people"].setdefault(name.lower(), TherapistRow(name, credentials, npi))
    return group


def _clinic(group: dict, source_date: datetime.date | None) -> PlannedClinic:
    """A group of registry rows at one address as one clinic to import."""
    people = sorted(group["people"].values(), key=lambda p: p.name)
    # A PT practice's own NPI names the clinic before a multi-specialty group's at the address.
    organizations = sorted(group["organizations"], key=lambda org: (org[3], org[0]))
    multi_specialty = False
    if organizations:
        npi, name, phone, multi_specialty = organizations[0]
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
        "multi_specialty": multi_specialty,
        "retired_on": None,  # listed again if it had left the registry
        # The registry lists training, not services, nor whether new patients are taken: ask.
        "offers_dry_needling": False,
        "dry_needling_unconfirmed": True,
        "accepting_new_patients": False,
    }
    return PlannedClinic(0, key, values, None, people, keeps_people_without_npi=True)


def plan_registry_import(found: RegistryRead, *, states: set[str] | None = None) -> ImportPlan:
    """Compare with stored registry clinics: add, update, list again the ones that came back,
    and retire (hide, never delete) the listed ones the file dropped, within `states` if given."""
    clinics = list(found.clinics.values())
    plan = plan_import(clinics, key_field="source_key")
    # A newer file date alone is not a change worth rewriting every row for.
    # (One pass: removing clinics from the list one by one is quadratic at 300,000.)
    date_only = [c for c in plan.changed if set(c.changes) == {"source_date"} and not c.therapists_changed]
    if date_only:
        moved = set(map(id, date_only))
        plan.changed = [c for c in plan.changed if id(c) not in moved]
        plan.unchanged.extend(date_only)
    stored = Clinic.objects.listed().filter(source_key__isnull=False)
    if states:
        stored = stored.filter(state__in=states)
    plan.managed = 0
    for pk, key, state in stored.values_list("pk", "source_key", "state").iterator():
        plan.managed += 1
        if key not in found.clinics:
            plan.retired.append(pk)
            plan.retired_by_state[state] = plan.retired_by_state.get(state, 0) + 1
    return plan


def check_retirement(plan: ImportPlan, *, states: set[str] | None = None, allow_retire: bool = False) -> None:
    """Raise TooManyRetired when the plan retires more than RETIRE_LIMIT of the managed clinics,
    or any clinic outside `states`, unless `allow_retire`."""
    if allow_retire or not plan.retired:
        return
    outside = states and set(plan.retired_by_state) - states
    if outside or len(plan.retired) > RETIRE_LIMIT * plan.managed:
        raise TooManyRetired(len(plan.retired), plan.managed, plan.retired_by_state)
