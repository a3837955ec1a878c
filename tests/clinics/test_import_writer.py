"""The bulk writer takes its columns from the model: every clinic field round-trips an import.

The import writes raw SQL (one executemany a table) for speed; a column list kept by hand there
would silently drop a field added to the model later. These tests build a value for every
field the model has, so a new field is covered the day it is added (or the test says which
kind of field it cannot yet fill).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import models

from dryneedling_site.clinics.importer import ImportPlan, PlannedClinic, TherapistRow, apply_import
from dryneedling_site.clinics.importer_sql import insert_fields
from dryneedling_site.clinics.models import Clinic, Therapist


def sample_value(field: models.Field) -> object:
    """A value unlike the field's default, fitting its column."""
    if isinstance(field, models.BooleanField):
        return not field.get_default()
    if isinstance(field, models.FloatField):
        return 12.5
    if isinstance(field, models.DateTimeField):
        return None  # updated_at: the import stamps it
    if isinstance(field, models.DateField):
        return datetime.date(2020, 1, 2)
    if isinstance(field, models.JSONField):
        return ["phone"]
    if isinstance(field, models.CharField | models.TextField):
        return f"{field.name}-value"[: field.max_length]
    pytest.fail(f"Clinic.{field.name} is a {type(field).__name__}: give this test a sample value for it")


def clinic_values() -> dict:
    values = {f.name: sample_value(f) for f in insert_fields(Clinic)}
    return {name: value for name, value in values.items() if value is not None}


def test_a_new_clinic_is_written_with_every_field_the_model_has(db):
    values = clinic_values()
    slug = values["slug"]
    plan = ImportPlan(created=[PlannedClinic(row=2, key=slug, values=values, slug=slug)])

    report = apply_import(plan)

    assert report.created == [slug]
    stored = Clinic.objects.values().get(slug=slug)
    assert {name: stored[name] for name in values} == values
    assert stored["updated_at"] is not None
    assert stored["latitude_band"] == 125  # the generated column follows the written latitude


def test_every_field_but_the_key_and_generated_ones_is_an_insert_column():
    written = {f.name for f in insert_fields(Clinic)}
    skipped = {f.name for f in Clinic._meta.concrete_fields} - written
    assert skipped == {"id", "latitude_band"}
    assert {f.name for f in insert_fields(Therapist)} == {
        f.name for f in Therapist._meta.concrete_fields if not f.primary_key
    }


def test_a_new_clinics_therapists_get_the_models_defaults_for_what_the_file_does_not_say(db):
    values = {f.name: sample_value(f) for f in insert_fields(Clinic)}
    values = {name: value for name, value in values.items() if value is not None}
    person = TherapistRow("Sample Person", "PT, DPT", "1234567890")
    planned = PlannedClinic(
        row=2, key=values["slug"], values=values, slug=values["slug"], therapists=[person]
    )

    apply_import(ImportPlan(created=[planned]))

    stored = Therapist.objects.values().get()
    assert (stored["name"], stored["credentials"], stored["npi"]) == (
        "Sample Person",
        "PT, DPT",
        "1234567890",
    )
    defaults = {f.name: f.get_default() for f in insert_fields(Therapist)}
    assert {k: stored[k] for k in ("dry_needling_training", "specialties")} == {
        k: defaults[k] for k in ("dry_needling_training", "specialties")
    }
