"""Imports compared and written a batch at a time (importer_batches) behave as one whole plan.

At national size the commands compare 2,000 clinics at a time; here a batch is one clinic, so
every scenario crosses batch boundaries: all or nothing, repeats, retiring, staff edits.
"""

from __future__ import annotations

import pytest

from dryneedling_site.clinics import importer_batches
from dryneedling_site.clinics.models import Clinic, Therapist

from . import test_import, test_nppes


@pytest.fixture(autouse=True)
def one_clinic_a_batch(monkeypatch):
    monkeypatch.setattr(importer_batches, "BATCH", 1)


def test_a_refused_row_after_many_batches_writes_nothing(db, tmp_path):
    rows = [*test_import.many_rows(5), dict(test_import.GOOD_ROWS[0], zip="00000")]
    _, err = test_import.failure(test_import.write_csv(tmp_path / "clinics.csv", rows))
    assert "Row 7: zip:" in err
    assert Clinic.objects.count() == 0


def test_a_clinic_listed_twice_in_different_batches_is_refused(db, tmp_path):
    rows = [*test_import.many_rows(3), test_import.many_rows(1)[0]]
    _, err = test_import.failure(test_import.write_csv(tmp_path / "clinics.csv", rows))
    assert "Row 5: name: the same clinic as row 2" in err
    assert Clinic.objects.count() == 0


def test_csv_import_then_reimport_across_batches(db, tmp_path):
    path = test_import.write_csv(tmp_path / "clinics.csv", test_import.GOOD_ROWS)
    out, _ = test_import.run(path)
    assert "3 clinics: 3 created, 0 updated, 0 unchanged." in out
    out, _ = test_import.run(path)
    assert "3 clinics: 0 created, 0 updated, 3 unchanged." in out
    assert Therapist.objects.count() > 0


def test_registry_import_across_batches_gives_the_same_clinics(db, tmp_path):
    test_nppes.test_imports_the_clinics_the_fixture_rows_describe(db, tmp_path)
    out = test_nppes.run(test_nppes.write_file(tmp_path, test_nppes.ROWS))
    assert "3 clinics: 0 created, 0 updated, 3 unchanged, 0 retired." in out


def test_next_month_across_batches_updates_adds_retires_and_keeps_staff_edits(db, tmp_path):
    test_nppes.test_next_month_updates_adds_retires_and_keeps_staff_edits(db, tmp_path)


def test_state_filter_across_batches(db, tmp_path):
    test_nppes.test_state_filter_imports_and_retires_only_within_those_states(db, tmp_path)


def test_reimport_across_batches_keeps_staff_edits(db, tmp_path):
    test_import.test_reimport_keeps_what_staff_edited_unless_told_to_overwrite(db, tmp_path)


def test_retire_guard_across_batches(db, tmp_path):
    from . import test_registry_rows

    test_registry_rows.test_a_partial_file_stops_without_allow_retire_and_retires_nothing(db, tmp_path)


def test_a_retired_clinic_comes_back_across_batches(db, tmp_path, client):
    test_nppes.test_a_retired_clinic_keeps_its_staff_edits_and_comes_back_with_the_registry(
        db, tmp_path, client
    )
