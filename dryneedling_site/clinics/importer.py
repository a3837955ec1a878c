"""Import clinics: check every row first, then write all of them or none, in one short transaction.

Three modules, one step each, so other screens (an admin CSV upload, the NPI registry import)
can share them: importer_csv reads and checks a file, importer_plan compares it with what is
stored, importer_sql is the bulk writer; this module writes a plan and runs the whole import
(everything is importable from here, as before).

- `plan_import(rows)` reads and checks every row, places it on the map from the ZIP table,
  and compares it with what is stored. It only reads, so on SQLite (which takes the write lock
  at BEGIN) the site keeps answering votes and edits however long the file is.
- `apply_import(plan)` then writes what changed in one transaction with a fixed number of
  statements (one executemany a table), so the write lock is held for about a second even at
  hundreds of thousands of rows, and bumps the page cache once, after the commit. Bulk writes
  send no model signals, so no cache write happens per row.

Fields staff changed in the admin (`Clinic.staff_edited_fields`) are never overwritten unless
`overwrite_staff_edits=True` is asked for.

CSV row numbers are the spreadsheet's: the header is row 1, the first clinic row 2. A clinic is
known by its `slug` column, or else by its name, city and state, so importing the same file
again updates those clinics instead of adding copies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from dryneedling_site.core import pagecache

<<<<<<< HEAD
from . import importer_sql as sql
from .importer_csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, check_row, check_rows, read_csv
from .importer_plan import (
    LOOKUP_CHUNK,
    MAX_PROBLEMS_SHOWN,
    EditedDuringImport,
    ImportFailed,
    ImportPlan,
    ImportReport,
    PlannedClinic,
    Problem,
    Progress,
    TherapistRow,
    _chunks,
    plan_import,
=======
from . import geo
from .cells import control_character, header_problems
from .models import IMPORTED_FIELDS, Clinic, Language, Therapist, clinic_slug_text, free_slug
from .validators import normalise_phone, validate_ascii, validate_web_address

REQUIRED_COLUMNS = (
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
>>>>>>> h22up
)
from .models import Clinic, Language, Therapist, clinic_slug_text, free_slug

__all__ = [
    "LOOKUP_CHUNK",
    "MAX_PROBLEMS_SHOWN",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "EditedDuringImport",
    "ImportFailed",
    "ImportPlan",
    "ImportReport",
    "PlannedClinic",
    "Problem",
    "Progress",
    "TherapistRow",
    "apply_import",
    "check_row",
    "check_rows",
    "import_clinics",
    "plan_import",
    "read_csv",
]

REFRESH_STATISTICS_AT = 10_000  # rows written; below that autovacuum keeps up soon enough
logger = logging.getLogger(__name__)


<<<<<<< HEAD
=======
@dataclass(frozen=True)
class Problem:
    """Why one row (or the file) cannot be imported."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"Row {self.row}: {self.column}: {self.message}"
            if self.column
            else f"Row {self.row}: {self.message}"
        )


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class EditedDuringImport(Exception):
    """Staff changed or deleted clinics this import would write after it compared them; nothing
    was written, so those edits are not undone. Running the import again compares afresh."""

    def __init__(self, slugs: list[str]) -> None:
        example = f" (for example {slugs[0]})" if slugs else ""
        super().__init__(
            f"{len(slugs)} clinic(s) were changed in the admin while this import was being checked"
            f"{example}. Nothing was written; run the import again."
        )
        self.slugs = slugs


@dataclass(frozen=True)
class TherapistRow:
    name: str
    credentials: str
    npi: str = ""


@dataclass
class PlannedClinic:
    """One clinic as the file has it, and (for a clinic already stored) what would change."""

    row: int
    key: str  # the slug (CSV) or source key (NPI registry) that finds it again
    values: dict  # model field -> value, for the fields in IMPORTED_FIELDS the source gives
    languages: list[str] | None = None  # None: the source says nothing about languages
    therapists: list[TherapistRow] | None = None  # None: the source says nothing about staff
    clinic_id: int | None = None
    slug: str = ""
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (old, new)
    kept: list[str] = field(default_factory=list)  # staff-edited fields the file would change
    therapists_changed: bool = False
    # The NPI registry lists only people with an NPI: people staff added (no NPI) stay.
    keeps_people_without_npi: bool = False


@dataclass
class ImportPlan:
    """What an import would do: created, changed (field by field), unchanged, retired, refused."""

    created: list[PlannedClinic] = field(default_factory=list)
    changed: list[PlannedClinic] = field(default_factory=list)
    unchanged: list[PlannedClinic] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)  # clinic ids the source no longer lists
    refused: list[Problem] = field(default_factory=list)
    # Existing rows' therapists and languages, read while planning (clinic id -> ...).
    current_therapists: dict[int, dict[str, tuple[int, str, str]]] = field(default_factory=dict)
    current_languages: dict[int, list[str]] = field(default_factory=dict)
    staff_edited: dict[int, list[str]] = field(default_factory=dict)
    managed: int = 0  # listed registry clinics the import compared against (for the retire limit)
    retired_by_state: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: int = 0
    kept_staff_edits: int = 0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


# --- Reading and checking a CSV ---------------------------------------------------------------


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError("write yes or no")


def _therapists(value: str) -> list[TherapistRow]:
    """ "Jane Doe, PT, DPT; Sam Roe, PT": a semicolon between people, the first comma after a name."""
    people = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        name, _, credentials = (s.strip() for s in part.partition(","))
        if not name:
            raise ValidationError(f"“{part}” has no name before the comma")
        if len(name) > 120 or len(credentials) > 60:
            raise ValidationError(f"“{part}” is too long (names up to 120 letters, credentials up to 60)")
        people.append(TherapistRow(name, credentials))
    names = [p.name.lower() for p in people]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"{duplicates[0]} is listed twice")
    return people


def _languages(value: str) -> list[str]:
    names = [" ".join(p.split()) for p in re.split(r"[;,]", value) if p.strip()]
    for name in names:
        if len(name) > 60:
            raise ValidationError(f"“{name[:20]}...” is too long for a language")
    return [name.title() if name.islower() else name for name in names]


def _coordinate(text: str, limit: float) -> float | None:
    if not text.strip():
        return None
    validate_ascii(text)  # float() would read Arabic-Indic or full-width digits
    try:
        value = float(text)
    except ValueError:
        raise ValidationError("must be a number such as 45.5078") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ValidationError(f"must be between -{limit} and {limit}")
    return value


def _slug(text: str, places: dict) -> str:
    if text and not _SLUG.match(text):
        raise ValidationError("use lowercase letters, digits and single hyphens")
    return text


def _state(text: str, places: dict) -> str:
    code = text.strip().upper()
    if code not in _STATES:
        raise ValidationError(f"“{text}” is not a US state code (use two letters, like OR)")
    return code


def _zip(text: str, places: dict) -> str:
    validate_ascii(text)  # before any lookup: the zipcodes extension panics on "٩٧٢٠١"
    zip5 = geo.normalise_zip(text)
    if zip5 is None:
        raise ValidationError("Use a 5-digit ZIP code, like 97201.")
    if zip5 not in places:
        raise ValidationError(f"{zip5} is not a ZIP code we know.")
    return zip5


def _website(text: str, places: dict) -> str:
    if text:
        validate_web_address(text)
    return text


# Column -> (most characters, required, check). The checks take the text and the ZIP table and
# return the value to store, or raise ValidationError with what to fix. A plain loop rather
# than a Django form a row: building a form costs about half a millisecond, minutes at 300,000.
_COLUMN_RULES: dict[str, tuple[int | None, bool, Callable[[str, dict], object] | None]] = {
    "name": (150, True, None),
    "slug": (160, False, _slug),
    "address": (200, True, None),
    "city": (100, True, None),
    "state": (20, True, _state),
    "zip": (10, True, _zip),
    "phone": (30, True, lambda text, _: normalise_phone(text)),
    "website": (200, False, _website),
    "offers_dry_needling": (None, False, lambda text, _: _yes_no(text)),
    "accepting_new_patients": (None, False, lambda text, _: _yes_no(text)),
    "languages": (500, False, lambda text, _: _languages(text)),
    "therapists": (5000, False, lambda text, _: _therapists(text)),
    "opening_hours": (500, False, None),
    "latitude": (30, False, lambda text, _: _coordinate(text, 90)),
    "longitude": (30, False, lambda text, _: _coordinate(text, 180)),
    "is_sample": (None, False, lambda text, _: _yes_no(text) if text else False),
}
_STATES = frozenset(geo.State.values)


def check_row(
    row: dict[str, str], places: dict[str, tuple[float, float, str]]
) -> tuple[dict, dict[str, list[str]]]:
    """One CSV row (column -> stripped text) checked: (values, errors by column).

    Without coordinates the clinic sits at its ZIP's centre, and the ZIP must be in the state.
    """
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for column, (limit, required, check) in _COLUMN_RULES.items():
        text = row.get(column, "")
        if required and not text:
            errors[column] = ["This field is required."]
        elif limit is not None and len(text) > limit:
            errors[column] = [f"Ensure this value has at most {limit} characters (it has {len(text)})."]
        elif check is None:
            data[column] = text
        else:
            try:
                data[column] = check(text, places)
            except ValidationError as error:
                errors[column] = list(error.messages)
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = ["give both latitude and longitude, or neither"]
    zip_code, state = data.get("zip"), data.get("state")
    if lat is None and zip_code and state:
        zip_lat, zip_lon, zip_state = places[zip_code]
        if zip_state != state:
            errors.setdefault("zip", []).append(
                f"{zip_code} is in {zip_state}, not {state}; check the ZIP and state"
            )
        data["latitude"], data["longitude"] = zip_lat, zip_lon
    if data.get("name") and data.get("city") and state and not data.get("slug"):
        data["slug"] = slugify(clinic_slug_text(data["name"], data["city"], state))[:160]
    return data, errors


def _header(names: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [name.strip().lower().replace(" ", "_") for name in names]
    problems = [
        Problem(1, c, "is not a known column (see docs/find-a-pt.md)")
        for c in columns
        if c and c not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    ]
    problems += [Problem(1, c, "column is missing") for c in REQUIRED_COLUMNS if c not in columns]
    problems += [Problem(1, c, message) for c, message in header_problems(columns)]
    problems += [Problem(1, "", f"the header {m}") for name in names if (m := control_character(name))]
    return columns, problems


CsvRow = tuple[int, dict[str, str] | None, str]


def read_csv(path: Path) -> list[CsvRow]:
    """The file's rows as (row number, column -> text, problem); raises ImportFailed for a file
    that cannot be read or has wrong columns. A row with the wrong number of values comes back
    as (number, None, what is wrong), so it is reported with the others."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise ImportFailed([Problem(1, "", "the file is not UTF-8 text (save it as “CSV UTF-8”)")]) from None
    except csv.Error as error:
        raise ImportFailed([Problem(1, "", f"the file cannot be read as CSV ({error})")]) from None
    if not records:
        raise ImportFailed([Problem(1, "", "the file is empty")])
    columns, problems = _header(records[0])
    if problems:
        raise ImportFailed(problems)
    rows = []
    for number, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) != len(columns):
            problem = f"has {len(values)} values but the header has {len(columns)} columns"
            rows.append((number, None, problem))
        elif bad := next(
            ((c, m) for c, v in zip(columns, values, strict=True) if (m := control_character(v))), None
        ):
            rows.append((number, None, f"{bad[0]}: {bad[1]}"))
        else:
            rows.append((number, dict(zip(columns, (v.strip() for v in values), strict=True)), ""))
    return rows


def check_rows(
    rows: list[CsvRow],
    *,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> tuple[list[PlannedClinic], list[Problem]]:
    """Every CSV row checked and placed on the map: (clinics as the file has them, problems)."""
    places = geo.zip_centres()
    planned: list[PlannedClinic] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for count, (number, values, problem) in enumerate(rows, start=1):
        if progress and count % progress_every == 0:
            progress("checked", count, len(rows))
        if values is None:
            problems.append(Problem(number, "", problem))
            continue
        data, errors = check_row(values, places)
        if errors:
            problems += [Problem(number, column, " ".join(messages)) for column, messages in errors.items()]
            continue
        slug = data["slug"]
        if slug in seen:
            problems.append(
                Problem(number, "name", f"the same clinic as row {seen[slug]} (same slug {slug})")
            )
            continue
        seen[slug] = number
        values = {
            "name": data["name"],
            "address": data["address"],
            "city": data["city"],
            "state": data["state"],
            "zip_code": data["zip"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "phone": data["phone"],
            "website": data["website"],
            "opening_hours": data["opening_hours"],
            "accepting_new_patients": data["accepting_new_patients"],
            "offers_dry_needling": data["offers_dry_needling"],
            "is_sample": data["is_sample"],
        }
        planned.append(PlannedClinic(number, slug, values, data["languages"], data["therapists"], slug=slug))
    if not rows:
        problems.append(Problem(2, "", "the file has no clinics in it"))
    return planned, problems


# --- Comparing with what is stored ------------------------------------------------------------


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_import(
    clinics: list[PlannedClinic], *, key_field: str = "slug", problems: Iterable[Problem] = ()
) -> ImportPlan:
    """Compare checked clinics with the stored ones (found by `key_field`): reads only, no lock.

    Staff-edited fields are listed in each clinic's `kept` and left out of its `changes`
    (apply_import can still overwrite them when asked).
    """
    plan = ImportPlan(refused=list(problems))
    by_key = {c.key: c for c in clinics}
    stored_fields = [f for f in IMPORTED_FIELDS if f != "languages"]
    found: dict[str, dict] = {}
    for keys in _chunks(list(by_key)):
        rows = Clinic.objects.filter(**{f"{key_field}__in": keys}).values(
            "pk", "slug", key_field, "staff_edited_fields", *stored_fields
        )
        for row in rows:
            found[row[key_field]] = row
    ids = [row["pk"] for row in found.values()]
    for chunk in _chunks(ids):
        for pk, tid, name, credentials, npi in Therapist.objects.filter(clinic_id__in=chunk).values_list(
            "clinic_id", "pk", "name", "credentials", "npi"
        ):
            plan.current_therapists.setdefault(pk, {})[name.lower()] = (tid, credentials, npi)
        links = Clinic.languages.through.objects.filter(clinic_id__in=chunk)
        for pk, name in links.values_list("clinic_id", "language__name").order_by("language__name"):
            plan.current_languages.setdefault(pk, []).append(name)

    for clinic in clinics:
        stored = found.get(clinic.key)
        if stored is None:
            plan.created.append(clinic)
            continue
        clinic.clinic_id, clinic.slug = stored["pk"], stored["slug"]
        edited = set(stored["staff_edited_fields"] or ())
        plan.staff_edited[clinic.clinic_id] = sorted(edited)
        for name, new in clinic.values.items():
            old = stored[name]
            if name in _LOCATION and old is not None and new is not None and math.isclose(old, new):
                continue
            if old != new:
                clinic.changes[name] = (old, new)
        if clinic.languages is not None:
            old_languages = plan.current_languages.get(clinic.clinic_id, [])
            if sorted(n.lower() for n in old_languages) != sorted(n.lower() for n in clinic.languages):
                clinic.changes["languages"] = (old_languages, clinic.languages)
        clinic.kept = sorted(edited & set(clinic.changes))
        if clinic.therapists is not None:
            current = plan.current_therapists.get(clinic.clinic_id, {})
            wanted = {t.name.lower(): t for t in clinic.therapists}
            if clinic.keeps_people_without_npi:
                current = {k: v for k, v in current.items() if v[2] or k in wanted}
            clinic.therapists_changed = set(current) != set(wanted) or any(
                current[key][1:] != (person.credentials, person.npi or current[key][2])
                for key, person in wanted.items()
            )
        if clinic.changes or clinic.therapists_changed:
            plan.changed.append(clinic)
        else:
            plan.unchanged.append(clinic)
    return plan


# --- Writing ----------------------------------------------------------------------------------


def _columns(model: type[models.Model], names: list[str]) -> tuple[str, list[models.Field]]:
    fields = [model._meta.get_field(name) for name in names]
    return ", ".join(connection.ops.quote_name(f.column) for f in fields), fields


def _prepared(fields: list[models.Field], rows: Iterable[tuple]) -> list[tuple]:
    """Values as the database takes them (JSON and dates need the backend's form)."""
    special = [
        i
        for i, f in enumerate(fields)
        if isinstance(f, (models.JSONField, models.DateField, models.DateTimeField))
    ]
    if not special:
        return [tuple(row) for row in rows]
    prepared = []
    for row in rows:
        row = list(row)
        for i in special:
            row[i] = fields[i].get_db_prep_save(row[i], connection)
        prepared.append(tuple(row))
    return prepared


def _insert(cursor, model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """One INSERT statement run for every row (executemany): a fixed statement count."""
    if not rows:
        return
    columns, fields = _columns(model, names)
    marks = ", ".join(["%s"] * len(names))
    table = connection.ops.quote_name(model._meta.db_table)
    # Names come from the model's metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    cursor.executemany(sql, _prepared(fields, rows))


def _update(cursor, model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """UPDATE ... WHERE id = %s for every row; each row is (values in `names` order..., id)."""
    if not rows:
        return
    _, fields = _columns(model, names)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    prepared = _prepared([*fields, model._meta.pk], rows)
    cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", prepared)  # noqa: S608


def _delete(cursor, model: type[models.Model], column: str, values: list) -> None:
    """DELETE rows by one column, without loading them or sending a signal per row."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"DELETE FROM {table} WHERE {connection.ops.quote_name(column)} = %s"  # noqa: S608
    cursor.executemany(sql, [(v,) for v in values])


>>>>>>> h22up
def _new_slugs(plan: ImportPlan) -> None:
    """Give clinics that have no slug yet (NPI registry rows) one no stored clinic has."""
    wanted = [c for c in plan.created if not c.slug]
    if not wanted:
        return
    bases = {
        c.key: slugify(clinic_slug_text(c.values["name"], c.values["city"], c.values["state"]))[:150]
        or "clinic"
        for c in wanted
    }
    # Every stored slug in one query: predictable at any size, unlike a LIKE per name.
    taken = set(Clinic.objects.values_list("slug", flat=True))
    taken.update(c.slug for c in plan.created if c.slug)
    for clinic in wanted:
        clinic.slug = free_slug(bases[clinic.key], taken)
        taken.add(clinic.slug)


def _language_ids(plan: ImportPlan) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Language ids by lower-case name, and the languages to create as (name, slug)."""
    ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    slugs = set(Language.objects.values_list("slug", flat=True))
    new: dict[str, tuple[str, str]] = {}
    for clinic in (*plan.created, *plan.changed):
        for name in clinic.languages or ():
            if name.lower() not in ids and name.lower() not in new:
                slug = free_slug(slugify(name) or "language", slugs)
                slugs.add(slug)
                new[name.lower()] = (name, slug)
    return ids, list(new.values())


@dataclass
class _Writes:
    """Every row each statement will write, worked out before the transaction begins."""

    new_clinics: list[dict] = field(default_factory=list)  # field name -> value
    clinic_updates: dict[tuple[str, ...], list[tuple]] = field(default_factory=dict)  # by fields
    relinked: list[int] = field(default_factory=list)  # clinics whose languages are replaced
    therapist_deletes: list[int] = field(default_factory=list)
    therapist_updates: list[tuple] = field(default_factory=list)  # (name, credentials, npi, id)
    therapist_inserts: list[dict] = field(default_factory=list)  # for clinics already stored
    new_clinic_people: list[tuple[str, TherapistRow]] = field(default_factory=list)  # (slug, person)


def _plan_new(plan: ImportPlan, writes: _Writes, report: ImportReport, now) -> None:
    """New clinics' rows (every model field: the file's values, the rest their defaults)."""
    for clinic in plan.created:
        values = {**clinic.values, "slug": clinic.slug, "updated_at": now}
        if clinic.key != clinic.slug:  # the NPI registry's key; CSV clinics are known by slug
            values["source_key"] = clinic.key
        writes.new_clinics.append(values)
        writes.new_clinic_people += [(clinic.slug, person) for person in clinic.therapists or ()]
        report.created.append(clinic.slug)


def _plan_changed(
    clinic: PlannedClinic, plan: ImportPlan, writes: _Writes, report: ImportReport, *, overwrite: bool, now
) -> None:
    """One stored clinic's update, grouped by the fields that change (one statement a group)."""
    skip = set() if overwrite else set(clinic.kept)
    report.kept_staff_edits += bool(skip)
    names = tuple(sorted(n for n in clinic.changes if n not in skip and n != "languages"))
    if overwrite and plan.staff_edited.get(clinic.stored_id):
        names = tuple(sorted({*names, "staff_edited_fields"}))
    relink = "languages" in clinic.changes and "languages" not in skip
    if not (names or clinic.therapists_changed or relink):  # only kept staff edits differ
        report.unchanged.append(clinic.slug)
        return
    values = {**clinic.values, "staff_edited_fields": []}
    writes.clinic_updates.setdefault((*names, "updated_at"), []).append(
        (*(values[n] for n in names), now, clinic.stored_id)
    )
    report.updated.append(clinic.slug)
    if relink:
        writes.relinked.append(clinic.stored_id)
    if clinic.therapists_changed:
        _plan_people(clinic, plan, writes)


def _plan_people(clinic: PlannedClinic, plan: ImportPlan, writes: _Writes) -> None:
    """A stored clinic's therapists: who leaves, whose credentials change, who joins."""
    current = plan.current_therapists.get(clinic.stored_id, {})
    wanted = {t.name.lower(): t for t in clinic.therapists or ()}
    writes.therapist_deletes += [
        tid
        for key, (tid, _, npi) in current.items()
        if key not in wanted and (npi or not clinic.keeps_people_without_npi)
    ]
    for key, person in wanted.items():
        if key not in current:
            writes.therapist_inserts.append(_person(clinic.stored_id, person))
            continue
        tid, credentials, npi = current[key]
        if (credentials, npi) != (person.credentials, person.npi or npi):
            writes.therapist_updates.append((person.name, person.credentials, person.npi or npi, tid))


def _person(clinic_id: int, person: TherapistRow) -> dict:
    return {"clinic": clinic_id, "name": person.name, "credentials": person.credentials, "npi": person.npi}


def _write(cursor, plan: ImportPlan, writes: _Writes, now) -> None:
    """Run every statement, inside apply_import's transaction, after the edited-since check."""
    language_ids, new_languages = _language_ids(plan)
    sql.insert(cursor, Language, ["name", "slug"], new_languages)
    if new_languages:
        language_ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    new_ids: dict[str, int] = {}
    if writes.new_clinics:
        before = Clinic.objects.aggregate(last=models.Max("pk"))["last"] or 0
        sql.insert_new(cursor, Clinic, writes.new_clinics)
        new_ids = dict(Clinic.objects.filter(pk__gt=before).values_list("slug", "pk"))
    for names, rows in writes.clinic_updates.items():
        sql.update(cursor, Clinic, list(names), rows)
    through = Clinic.languages.through
    sql.delete(cursor, through, "clinic_id", writes.relinked)
    relinked = set(writes.relinked)
    links = [
        (clinic_id, language_ids[name.lower()])
        for clinic_id, names in [
            *((new_ids[c.slug], c.languages or []) for c in plan.created),
            *((c.clinic_id, c.languages or []) for c in plan.changed if c.clinic_id in relinked),
        ]
        for name in dict.fromkeys(names)
    ]
    sql.insert(cursor, through, ["clinic", "language"], links)
    sql.delete(cursor, Therapist, "id", writes.therapist_deletes)
    people = [_person(new_ids[slug], person) for slug, person in writes.new_clinic_people]
    sql.insert_new(cursor, Therapist, [*writes.therapist_inserts, *people])
    sql.update(cursor, Therapist, ["name", "credentials", "npi"], writes.therapist_updates)
    if plan.retired:
        # Hidden from search, never deleted: staff edits and history stay, and a clinic
        # that comes back to the registry is listed again.
        retired_on = timezone.localdate()
        rows = [(retired_on, now, pk) for pk in plan.retired]
        sql.update(cursor, Clinic, ["retired_on", "updated_at"], rows)


def apply_import(
    plan: ImportPlan, *, overwrite_staff_edits: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Write a plan in one transaction (all or nothing) with a fixed number of statements.

    Everything is worked out before the transaction begins; inside it, each table gets at most
    one executemany per kind of change, so the write lock lasts a second or so at 100,000s
    of rows. Raises ImportFailed, writing nothing, if the plan refused any row.
    """
    if plan.refused:
        raise ImportFailed(plan.refused)
    report = ImportReport(unchanged=[c.slug for c in plan.unchanged])
    _new_slugs(plan)
    now = timezone.now()
    writes = _Writes()
    for clinic in plan.changed:
        _plan_changed(clinic, plan, writes, report, overwrite=overwrite_staff_edits, now=now)
    _plan_new(plan, writes, report, now)
    with transaction.atomic(), connection.cursor() as cursor:
        _check_not_edited_since_planned(plan)
        _write(cursor, plan, writes, now)
        pagecache.bump_after_commit("clinics")  # one bump for the whole import
    if len(writes.new_clinics) + len(plan.changed) >= REFRESH_STATISTICS_AT:
        _refresh_statistics()
    report.retired = len(plan.retired)
    if progress:
        progress("saved", report.total, report.total)
    return report


def _check_not_edited_since_planned(plan: ImportPlan) -> None:
    """Raise EditedDuringImport if a clinic the plan updates was edited or deleted
    in the admin after plan_import read it (a large file takes minutes to compare).

    Runs inside apply_import's transaction, under its write lock: SQLite's IMMEDIATE
    transaction holds the database, and on PostgreSQL the rows are locked (FOR UPDATE) so an
    admin save waits for the commit instead of being overwritten by it.
    """
    expected = {c.stored_id: (c.slug, sorted(plan.staff_edited.get(c.stored_id, []))) for c in plan.changed}
    moved = []
    # Retiring only hides a clinic, keeping every edit, so retired ones need no check.
    for chunk in _chunks(list(expected)):
        rows = Clinic.objects.select_for_update().filter(pk__in=chunk)
        found = {
            pk: (slug, sorted(edited or ()))
            for pk, slug, edited in rows.values_list("pk", "slug", "staff_edited_fields")
        }
        for pk in chunk:
            stored = found.get(pk)
            if stored is None or stored[1] != expected[pk][1]:
                moved.append(expected[pk][0])
    if moved:
        raise EditedDuringImport(moved)


def _refresh_statistics() -> None:
    """After a large import, let PostgreSQL plan searches (and the page's therapist and language
    queries) with fresh statistics, and answer them from the location index alone (VACUUM
    marks the new rows all-visible), instead of waiting for autovacuum. Optional: a failure is
    logged, never raised (the import has committed)."""
    if connection.vendor != "postgresql":
        return
    tables: list[type[models.Model]] = [Clinic, Clinic.languages.through, Therapist, Language]
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {names}")
    except DatabaseError:
        logger.warning("VACUUM ANALYZE after the import failed; autovacuum will catch up", exc_info=True)


def import_clinics(
    path: Path,
    *,
    dry_run: bool = False,
    overwrite_staff_edits: bool = False,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> ImportReport:
    """Check every row of a clinics CSV, then create or update its clinics in one short transaction.

    Raises ImportFailed (and writes nothing) if any row has a problem.
    """
    checked, problems = check_rows(read_csv(path), progress=progress, progress_every=progress_every)
    if problems:
        raise ImportFailed(problems)
    plan = plan_import(checked)
    if dry_run:
        return ImportReport(
            created=[c.slug for c in plan.created],
            updated=[c.slug for c in plan.changed],
            unchanged=[c.slug for c in plan.unchanged],
            kept_staff_edits=sum(bool(c.kept) for c in plan.changed),
        )
    return apply_import(plan, overwrite_staff_edits=overwrite_staff_edits, progress=progress)
