"""Clinics confirming their own listing: "Is this your clinic? Update this listing".

A clinic sends what its listing should say; nothing public changes until staff approve it,
field by field, on the desk. An approved "yes, we offer dry needling" stamps the listing
"confirmed by the clinic on DATE" and counts as a staff edit, so registry imports keep it.
The sender's name and contact are kept only until the request is closed plus
LISTING_UPDATE_CONTACT_DAYS (purge_listing_updates).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from .models import (  # noqa: F401  (ListingUpdate and its constants are re-exported)
    IMPORTED_FIELDS,
    LISTING_UPDATE_CONTACT_DAYS,
    PROPOSED_FIELDS,
    Clinic,
    ConfirmedBy,
    Language,
    ListingUpdate,
)
from .validators import format_phone


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    current: str
    proposed: str

    @property
    def changes(self) -> bool:
        return self.current != self.proposed


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "(not said)"}[value]


def _field(name: str) -> models.Field:
    field = Clinic._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _shown(clinic: Clinic, name: str, value: object) -> str:
    if name in ("offers_dry_needling", "accepting_new_patients"):
        return _yes_no(value)  # type: ignore[arg-type]
    if name == "languages":
        return ", ".join(sorted((str(item) for item in value or ()), key=str.lower)) or "(none)"  # type: ignore[attr-defined]
    if name == "phone":
        return format_phone(str(value)) if value else "(empty)"
    return str(value) if value else "(empty)"


def field_diff(update: ListingUpdate) -> list[FieldDiff]:
    """Each proposed field beside what the listing says now (both as staff read them)."""
    clinic = update.clinic
    current_new_patients = clinic.accepting_new_patients if clinic.new_patients_known else None
    current = {
        "offers_dry_needling": clinic.offers_dry_needling,
        "accepting_new_patients": current_new_patients,
        "languages": [language.name for language in clinic.languages.all()],
        "phone": clinic.phone,
        "website": clinic.website,
        "opening_hours": clinic.opening_hours,
    }
    rows = []
    for name in PROPOSED_FIELDS:
        proposed = getattr(update, name)
        if name in ("accepting_new_patients", "website", "opening_hours", "phone") and proposed in (None, ""):
            continue  # left empty in the form: no change asked
        label = "Languages" if name == "languages" else str(_field(name).verbose_name).capitalize()
        rows.append(
            FieldDiff(name, label, _shown(clinic, name, current[name]), _shown(clinic, name, proposed))
        )
    return rows


@transaction.atomic
def approve(update: ListingUpdate, fields: list[str], user) -> list[str]:
    """Copy the chosen fields onto the clinic as a staff edit; closes the request.

    Returns the fields written. An approved "yes" to dry needling stamps the clinic as confirmed
    by the clinic on the day it sent the update.
    """
    chosen = [name for name in PROPOSED_FIELDS if name in fields]
    clinic = Clinic.objects.select_for_update().get(pk=update.clinic_id)
    edited = set(clinic.staff_edited_fields or ())
    for name in chosen:
        if name == "languages":
            clinic.languages.set(_languages(update.languages))
        else:
            setattr(clinic, name, getattr(update, name))
        edited.add(name)
    if "offers_dry_needling" in chosen:
        clinic.dry_needling_unconfirmed = False
        edited.add("dry_needling_unconfirmed")
        if update.offers_dry_needling:
            clinic.dry_needling_confirmed_on = timezone.localdate(update.created_at)
            clinic.dry_needling_confirmed_by = ConfirmedBy.CLINIC
        else:
            clinic.dry_needling_confirmed_on = None
            clinic.dry_needling_confirmed_by = ""
    clinic.staff_edited_fields = sorted(edited & set(IMPORTED_FIELDS))
    clinic._history_user = user  # simple_history records who approved it
    clinic.save()
    _close(update, ListingUpdate.Status.APPROVED, user)
    update.approved_fields = chosen
    update.save(update_fields=["approved_fields"])
    return chosen


def _languages(names: list[str]) -> list[Language]:
    """Language rows for the names sent (found by name in any case, added when new)."""
    known = {language.name.lower(): language for language in Language.objects.all()}
    found = []
    for name in names:
        language = known.get(name.lower())
        if language is None:
            language = Language.objects.create(name=name)
            known[name.lower()] = language
        found.append(language)
    return found


def reject(update: ListingUpdate, user) -> None:
    _close(update, ListingUpdate.Status.REJECTED, user)


def mark_called_back(update: ListingUpdate, user) -> None:
    """Staff phoned or wrote back; the request stays open until approved or rejected."""
    update.status = ListingUpdate.Status.CALLED_BACK
    update.called_back_at = timezone.now()
    update.closed_by = user
    update.save(update_fields=["status", "called_back_at", "closed_by"])


def _close(update: ListingUpdate, status: str, user) -> None:
    update.status = status
    update.closed_at = timezone.now()
    update.closed_by = user
    update.save(update_fields=["status", "closed_at", "closed_by"])


def purge_contacts(*, now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Blank the sender's name, role and contact on requests closed over 30 days ago."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=LISTING_UPDATE_CONTACT_DAYS)
    due = ListingUpdate.objects.filter(closed_at__lt=cutoff, contact_purged_at__isnull=True)
    if dry_run:
        return due.count()
    return due.update(sender_name="", sender_role="", sender_contact="", contact_purged_at=timezone.now())
