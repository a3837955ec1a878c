"""What an import would do: the rows as a source has them, compared with the stored clinics.

Shared by the CSV import, the admin's upload and the NPI registry import: each turns its
source into `PlannedClinic`s, and `plan_import` compares them with what is stored. It only
reads, so on SQLite (which takes the write lock at BEGIN) the site keeps answering however
long the file is. Writing the plan is importer.apply_import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .models import IMPORTED_FIELDS, Clinic, Therapist

MAX_PROBLEMS_SHOWN = 100
LOOKUP_CHUNK = 500  # existing clinics are read this many at a time (well under SQLite's 999 limit)
_LOCATION = ("latitude", "longitude")

Progress = Callable[[str, int, int], None]


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

    @property
    def stored_id(self) -> int:
        """The stored clinic's id, for a clinic plan_import found (changed or unchanged)."""
        if self.clinic_id is None:
            raise ValueError(f"row {self.row} is a new clinic: it has no stored id yet")
        return self.clinic_id


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
