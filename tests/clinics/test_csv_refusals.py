"""Clinic CSVs that refuse tricks in the dry run, and an upload that a full disk cannot leave
half-written (issue 22)."""

import errno

import pytest

from dryneedling_site.clinics import admin_import
from dryneedling_site.clinics.models import Clinic
from tests.clinics.test_admin import COLUMNS, HARBOR, MIDTOWN, table_rows, upload
from tests.clinics.test_import import failure, write_csv


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CLINIC_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def test_duplicated_header_column_is_refused_naming_it(db, tmp_path):
    columns = [*COLUMNS, "phone"]
    message, err = failure(write_csv(tmp_path / "twice.csv", [HARBOR], columns))
    assert "Row 1: phone: appears more than once in the header" in err
    assert message.startswith("Nothing was imported")
    assert not Clinic.objects.exists()


def test_empty_header_name_is_refused(db, tmp_path):
    path = write_csv(tmp_path / "blank.csv", [HARBOR], [*COLUMNS, ""])
    _, err = failure(path)
    assert f"column {len(COLUMNS) + 1} of the header has no name" in err


def test_nul_byte_is_refused_in_the_dry_run_naming_row_and_column(admin_client):
    response = upload(admin_client, [HARBOR, {**MIDTOWN, "address": "5 Place\0holder Rd"}])
    html = response.content.decode()
    assert response.status_code == 200
    (refused,) = table_rows(html, "import-refused")
    assert refused[0] == "3"
    assert refused[2].startswith("address: contains a NUL byte")
    assert 'name="token"' not in html  # nothing to confirm
    assert not Clinic.objects.exists()


def test_other_control_characters_are_refused_but_tabs_are_text(admin_client):
    html = upload(admin_client, [{**HARBOR, "name": "Harbor\x1bPT"}]).content.decode()
    assert "name: contains a control character (U+001B)" in html
    html = upload(admin_client, [{**HARBOR, "address": "12\tExample St"}]).content.decode()
    assert "control character" not in html
    assert 'name="token"' in html


def test_duplicated_header_is_refused_in_the_admin_dry_run(admin_client):
    html = upload(admin_client, [HARBOR], columns=[*COLUMNS, "city"]).content.decode()
    assert "city: appears more than once in the header" in html
    assert 'name="token"' not in html


def test_full_disk_upload_leaves_no_file_and_says_why(admin_client, upload_dir, monkeypatch):
    def half_then_full(handle, chunk):
        handle.write(chunk[: len(chunk) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(admin_import, "_write_chunk", half_then_full)
    response = upload(admin_client, [HARBOR])
    assert response.status_code == 507
    assert "disk is full" in response.content.decode()
    assert [p for p in upload_dir.rglob("*") if p.is_file()] == []
