"""The clinics app's models, one module per idea; everything is importable from here as before.

clinic: clinics, their therapists and languages, and the search's querysets; places: ZIP and
city centres and the state rules; listing_update: what a clinic sent to update its listing.
"""

from .clinic import (
    BANDS_PER_DEGREE,
    IMPORTED_FIELDS,
    Clinic,
    ClinicQuerySet,
    ConfirmedBy,
    Language,
    LanguageQuerySet,
    Therapist,
    clinic_slug_text,
    free_slug,
    unique_slug,
)
from .listing_update import LISTING_UPDATE_CONTACT_DAYS, PROPOSED_FIELDS, ListingUpdate
from .places import CityCentre, StateRule, ZipCode

__all__ = [
    "BANDS_PER_DEGREE",
    "IMPORTED_FIELDS",
    "LISTING_UPDATE_CONTACT_DAYS",
    "PROPOSED_FIELDS",
    "CityCentre",
    "Clinic",
    "ClinicQuerySet",
    "ConfirmedBy",
    "Language",
    "LanguageQuerySet",
    "ListingUpdate",
    "StateRule",
    "Therapist",
    "ZipCode",
    "clinic_slug_text",
    "free_slug",
    "unique_slug",
]
