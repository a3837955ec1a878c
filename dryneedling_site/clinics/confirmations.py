"""Staff import of dry needling confirmations: an association's member list, one NPI a row.

The NPI registry says nothing about dry needling, so imported clinics show "Ask whether they
offer dry needling" until someone confirms. A professional association's member list (who
completed dry needling training, who says they offer it) confirms many at once. The file is a
CSV with a header row and three columns:

    npi, offers_dry_needling, confirmed_on
    1234567893, yes, 2026-03-01

(`date` is accepted for `confirmed_on`; other columns, such as a member's name, are ignored.)
An NPI is a clinic's own NPI or a therapist's at that clinic. Every row is checked first; if
any row has a problem nothing is written. `plan_confirmations` is the dry run; `apply_confirmations`
re-plans inside the transaction (the clinics may have changed since the dry run) and writes.

A confirmation never replaces a newer word from the clinic itself, nor a staff edit of "offers
dry needling" that carries no date (staff asked the clinic): both are reported as kept.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .importer import ImportFailed, Problem
from .lines import bounded_lines
from .models import IMPORTED_FIELDS, Clinic, ConfirmedBy, Therapist
from .registry_values import npi_is_valid

REQUIRED = ("npi", "offers_dry_needling", "confirmed_on")
ALIASES = {"date": "confirmed_on", "offers": "offers_dry_needling", "dry_needling": "offers_dry_needling"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
SPREADSHEET_HINT = "was the file re-saved by a spreadsheet?"
_SPREADSHEET_NPI = re.compile(r"^\d{10}\.0+$|^\d(\.\d+)?E\+\d+$", re.IGNORECASE)
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Confirmation:
    """One checked row: this NPI does (or does not) offer dry needling, as of this date."""

    row: int
    npi: str
    offers: bool
    confirmed_on: datetime.date


@dataclass(frozen=True)
class PlannedConfirmation:
    """What the import does to one clinic (`action`: confirm, decline, unchanged, kept)."""

    clinic_id: int
    slug: str
    name: str
    row: int
    offers: bool
    confirmed_on: datetime.date
    action: str
    reason: str = ""


@dataclass
class ConfirmationPlan:
    changes: list[PlannedConfirmation] = field(default_factory=list)
    not_listed: list[Confirmation] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> str:
        """One line a person can read: what would change, what is kept, what is not listed."""
        return (
            f"{self.count('confirm')} clinic(s) confirmed as offering dry needling, "
            f"{self.count('decline')} as not offering it, {self.count('unchanged')} unchanged, "
            f"{self.count('kept')} kept (the clinic's own newer word or a staff edit); "
            f"{len(self.not_listed)} NPI(s) not in the directory."
        )


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def read_confirmations(path: Path, *, today: datetime.date | None = None) -> list[Confirmation]:
    """The file's rows, checked; raises ImportFailed listing every row's problem (row 1 = header).

    Reads a spreadsheet's "CSV UTF-8" (a byte-order mark, CRLF line ends, every value quoted).
    """
    today = today or timezone.localdate()
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(bounded_lines(handle)))
    except UnicodeDecodeError:
        raise ImportFailed(
            [Problem(1, "", "the file is not UTF-8 text; save it as “CSV UTF-8” (not .xlsx)")]
        ) from None
    except csv.Error as error:
        raise ImportFailed([Problem(1, "", f"the file cannot be read as CSV ({error})")]) from None
    if not records:
        raise ImportFailed([Problem(1, "", "the file is empty")])
    columns = [_column(name) for name in records[0]]
    missing = [
        Problem(1, name, "column is missing (columns: npi, offers_dry_needling, confirmed_on)")
        for name in REQUIRED
        if name not in columns
    ]
    if missing:
        raise ImportFailed(missing)
    at = {name: columns.index(name) for name in REQUIRED}
    problems: list[Problem] = []
    found: list[Confirmation] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(columns):
            problems.append(Problem(number, "", f"has {len(values)} values; the header has {len(columns)}"))
            continue
        row_problems, confirmation = _check(
            number, {name: values[i].strip() for name, i in at.items()}, today
        )
        if confirmation is not None and confirmation.npi in seen:
            row_problems.append(
                Problem(number, "npi", f"{confirmation.npi} is also on row {seen[confirmation.npi]}")
            )
        problems += row_problems
        if confirmation is not None and not row_problems:
            seen[confirmation.npi] = number
            found.append(confirmation)
    if problems:
        raise ImportFailed(problems)
    return found


def _check(
    number: int, values: dict[str, str], today: datetime.date
) -> tuple[list[Problem], Confirmation | None]:
    problems = []
    npi = values["npi"]
    if _SPREADSHEET_NPI.match(npi):
        problems.append(
            Problem(number, "npi", f"“{npi}” is a number a spreadsheet rewrote; {SPREADSHEET_HINT}")
        )
    elif not npi_is_valid(npi):
        problems.append(
            Problem(number, "npi", f"“{npi[:20]}” is not a 10-digit NPI with a valid check digit")
        )
    answer = values["offers_dry_needling"].lower()
    if answer not in YES | NO:
        problems.append(Problem(number, "offers_dry_needling", f"“{answer[:20]}” should be yes or no"))
    try:
        date = datetime.date.fromisoformat(values["confirmed_on"])
    except ValueError:
        date = None
        problems.append(
            Problem(
                number,
                "confirmed_on",
                f"“{values['confirmed_on'][:20]}” is not a date written YYYY-MM-DD (e.g. 2026-03-01); "
                f"{SPREADSHEET_HINT}",
            )
        )
    if date is not None and date > today:
        problems.append(Problem(number, "confirmed_on", f"{date} is in the future"))
    if problems or date is None:
        return problems, None
    return [], Confirmation(number, npi, answer in YES, date)


def plan_confirmations(confirmations: list[Confirmation], *, lock: bool = False) -> ConfirmationPlan:
    """What the file would change, clinic by clinic; writes nothing (the dry run)."""
    plan = ConfirmationPlan()
    by_npi = {c.npi: c for c in confirmations}
    clinic_of: dict[str, int] = {}
    npis = list(by_npi)
    for start in range(0, len(npis), LOOKUP_CHUNK):
        chunk = npis[start : start + LOOKUP_CHUNK]
        for clinic_id, npi in Therapist.objects.filter(npi__in=chunk).values_list("clinic_id", "npi"):
            clinic_of.setdefault(npi, clinic_id)
        for clinic_id, npi in Clinic.objects.filter(npi__in=chunk).values_list("pk", "npi"):
            clinic_of[npi] = clinic_id  # the clinic's own NPI wins over a therapist's
    clinics = Clinic.objects.filter(pk__in=set(clinic_of.values()))
    if lock:
        clinics = clinics.select_for_update()
    stored = {
        c.pk: c
        for c in clinics.only(
            "pk",
            "slug",
            "name",
            "offers_dry_needling",
            "dry_needling_unconfirmed",
            "dry_needling_confirmed_on",
            "dry_needling_confirmed_by",
            "staff_edited_fields",
        )
    }
    planned: set[int] = set()
    for confirmation in confirmations:
        clinic = stored.get(clinic_of.get(confirmation.npi, -1))
        if clinic is None:
            plan.not_listed.append(confirmation)
            continue
        if clinic.pk in planned:
            continue  # two therapists of one clinic on the list: the first row decides
        planned.add(clinic.pk)
        plan.changes.append(_planned(clinic, confirmation))
    return plan


def _planned(clinic: Clinic, confirmation: Confirmation) -> PlannedConfirmation:
    def change(action: str, reason: str = "") -> PlannedConfirmation:
        return PlannedConfirmation(
            clinic.pk,
            clinic.slug,
            clinic.name,
            confirmation.row,
            confirmation.offers,
            confirmation.confirmed_on,
            action,
            reason,
        )

    own = clinic.dry_needling_confirmed_on if clinic.dry_needling_confirmed_by == ConfirmedBy.CLINIC else None
    if own is not None and own >= confirmation.confirmed_on:
        return change("kept", f"the clinic confirmed it itself on {own}")
    if "offers_dry_needling" in (clinic.staff_edited_fields or ()) and not clinic.dry_needling_confirmed_on:
        return change("kept", "staff set “offers dry needling” in the admin")
    if confirmation.offers:
        same = (
            clinic.offers_dry_needling
            and not clinic.dry_needling_unconfirmed
            and clinic.dry_needling_confirmed_on == confirmation.confirmed_on
        )
        return change("unchanged" if same else "confirm")
    if not clinic.offers_dry_needling and not clinic.dry_needling_unconfirmed:
        return change("unchanged")
    return change("decline")


@transaction.atomic
def apply_confirmations(confirmations: list[Confirmation]) -> ConfirmationPlan:
    """Plan again with the clinics locked, then write; returns what was done.

    Written as a staff edit (like an approved listing update), so registry imports keep it.
    """
    plan = plan_confirmations(confirmations, lock=True)
    for change in plan.changes:
        if change.action not in ("confirm", "decline"):
            continue
        clinic = Clinic.objects.get(pk=change.clinic_id)
        edited = set(clinic.staff_edited_fields or ()) | {"offers_dry_needling", "dry_needling_unconfirmed"}
        clinic.offers_dry_needling = change.offers
        clinic.dry_needling_unconfirmed = False
        clinic.dry_needling_confirmed_on = change.confirmed_on if change.offers else None
        clinic.dry_needling_confirmed_by = ConfirmedBy.MEMBER_LIST if change.offers else ""
        clinic.staff_edited_fields = sorted(edited & set(IMPORTED_FIELDS))
        clinic.save(
            update_fields=[
                "offers_dry_needling",
                "dry_needling_unconfirmed",
                "dry_needling_confirmed_on",
                "dry_needling_confirmed_by",
                "staff_edited_fields",
                "updated_at",
            ]
        )
    return plan
