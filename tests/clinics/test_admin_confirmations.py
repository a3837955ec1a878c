"""Dry needling confirmations (an association's member list) uploaded in the admin: a dry run
that writes nothing, then confirm; a bad file is a 400 that says what to fix."""

from __future__ import annotations

import datetime
import html as html_module
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dryneedling_site.clinics.models import Clinic, ConfirmedBy
from tests.clinics.test_confirmations import with_check_digit

UPLOAD = "/admin/clinics/clinic/import-confirmations/"
CONFIRM = "/admin/clinics/clinic/import-confirmations/confirm/"
CHANGELIST = "/admin/clinics/clinic/"
CLINIC_NPI = with_check_digit("123456789")
NOT_LISTED = with_check_digit("199999999")
RECENT = timezone.localdate() - datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CLINIC_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def imported(db) -> Clinic:
    """A clinic from the NPI registry: nobody has asked whether it offers dry needling."""
    return Clinic.objects.create(
        name="Lakeside Physical Therapy",
        slug="lakeside-pt",
        address="40 Example Ave",
        city="Madison",
        state="WI",
        zip_code="53703",
        phone="6085550142",
        npi=CLINIC_NPI,
        offers_dry_needling=False,
        dry_needling_unconfirmed=True,
    )


def member_list(text: str, name: str = "members.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def rows(*lines: str) -> SimpleUploadedFile:
    return member_list("npi,offers_dry_needling,confirmed_on\n" + "".join(f"{line}\n" for line in lines))


def token_of(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "no confirm form on the page"
    return found.group(1)


def text_of(response) -> str:
    body = response.content.decode().split("<body", 1)[1]
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_clinic_list_links_the_confirmations_import(admin_client):
    html = admin_client.get(CHANGELIST).content.decode()
    assert f'href="{UPLOAD}"' in html
    assert "Import dry needling confirmations (a member list)" in html


def test_the_dry_run_shows_what_would_change_and_writes_nothing(admin_client, imported, upload_dir):
    response = admin_client.post(
        UPLOAD, {"file": rows(f"{CLINIC_NPI},yes,{RECENT}", f"{NOT_LISTED},yes,{RECENT}")}
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Dry run: nothing has been saved yet." in page
    assert "1 clinic to confirm as offering dry needling" in page
    assert "1 NPI not in the directory (skipped)" in page
    assert f"2 Lakeside Physical Therapy confirmed: offers dry needling {RECENT.isoformat()}" in page
    assert f"3 {NOT_LISTED}" in page
    token_of(response)
    imported.refresh_from_db()
    assert imported.dry_needling_unconfirmed and not imported.offers_dry_needling
    assert imported.dry_needling_confirmed_on is None
    assert len(list(upload_dir.glob("*.csv"))) == 1  # waiting for the confirm


def test_confirm_applies_the_list_shows_the_date_publicly_and_spends_the_upload(
    admin_client, client, imported, upload_dir
):
    token = token_of(admin_client.post(UPLOAD, {"file": rows(f"{CLINIC_NPI},yes,{RECENT}")}))
    response = admin_client.post(CONFIRM, {"token": token}, follow=True)
    assert "Imported members.csv: 1 clinics confirmed as offering dry needling" in text_of(response)
    imported.refresh_from_db()
    assert imported.offers_dry_needling and not imported.dry_needling_unconfirmed
    assert imported.dry_needling_confirmed_on == RECENT
    assert imported.dry_needling_confirmed_by == ConfirmedBy.MEMBER_LIST
    assert "offers_dry_needling" in imported.staff_edited_fields  # registry imports keep it
    public = client.get(imported.get_absolute_url()).content.decode()
    assert (
        f"Dry needling confirmed on {RECENT:%-d %B %Y} (a professional association's member list)" in public
    )
    assert not list(upload_dir.glob("*.csv"))
    again = admin_client.post(CONFIRM, {"token": token})
    assert again.status_code == 400
    assert "expired or was already imported" in again.content.decode()


def test_a_no_moves_the_clinic_out_of_may_offer(admin_client, imported):
    token = token_of(admin_client.post(UPLOAD, {"file": rows(f"{CLINIC_NPI},no,{RECENT}")}))
    admin_client.post(CONFIRM, {"token": token})
    imported.refresh_from_db()
    assert not imported.offers_dry_needling and not imported.dry_needling_unconfirmed


@pytest.mark.parametrize(
    ("upload_file", "message"),
    [
        (
            rows(f"{CLINIC_NPI},yes,3/1/2026"),
            "Row 2: confirmed_on: “3/1/2026” is not a date written YYYY-MM-DD",
        ),
        (rows(f"{CLINIC_NPI},yes,2999-01-01"), "Row 2: confirmed_on: 2999-01-01 is in the future"),
        (
            rows(f"1.23457E+09,yes,{RECENT}"),
            "a number a spreadsheet rewrote; was the file re-saved by a spreadsheet?",
        ),
        (rows(f"1234567890,yes,{RECENT}"), "is not a 10-digit NPI with a valid check digit"),
        (rows(f"{CLINIC_NPI},perhaps,{RECENT}"), "Row 2: offers_dry_needling: “perhaps” should be yes or no"),
        (member_list(f"npi,date\n{CLINIC_NPI},{RECENT}\n"), "offers_dry_needling: column is missing"),
        (SimpleUploadedFile("m.csv", "npi,offers,date\nCafé,sí,1\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("m.xlsx", b"PK\x03\x04"), "Choose a .csv file"),
        (SimpleUploadedFile("m.csv", b""), "The submitted file is empty"),
    ],
)
def test_a_bad_file_is_a_400_that_says_what_to_fix_and_changes_nothing(
    admin_client, imported, upload_dir, upload_file, message
):
    response = admin_client.post(UPLOAD, {"file": upload_file})
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'value="Confirm import"' not in response.content.decode()
    imported.refresh_from_db()
    assert imported.dry_needling_unconfirmed and imported.dry_needling_confirmed_on is None
    assert not list(upload_dir.glob("*.csv"))


def test_one_bad_row_refuses_the_good_ones_too(admin_client, imported):
    good, bad = f"{CLINIC_NPI},yes,{RECENT}", f"{NOT_LISTED},yes,March 1"
    response = admin_client.post(UPLOAD, {"file": rows(good, bad)})
    assert response.status_code == 400
    assert "Row 3: confirmed_on" in text_of(response)
    imported.refresh_from_db()
    assert imported.dry_needling_unconfirmed


def test_the_clinics_own_newer_word_is_kept_and_said(admin_client, imported):
    imported.offers_dry_needling, imported.dry_needling_unconfirmed = False, False
    imported.dry_needling_confirmed_on = timezone.localdate()
    imported.dry_needling_confirmed_by = ConfirmedBy.CLINIC
    imported.save()
    response = admin_client.post(UPLOAD, {"file": rows(f"{CLINIC_NPI},yes,{RECENT}")})
    page = text_of(response)
    assert "1 clinic kept (its own newer word or a staff edit)" in page
    assert f"kept (the clinic confirmed it itself on {timezone.localdate()})" in page
    assert "Nothing in this file would change a clinic, so there is nothing to confirm." in page
    assert 'name="token"' not in response.content.decode()


def test_confirm_plans_again_against_the_clinics_as_they_are_now(admin_client, imported):
    token = token_of(admin_client.post(UPLOAD, {"file": rows(f"{CLINIC_NPI},yes,{RECENT}")}))
    imported.offers_dry_needling, imported.dry_needling_unconfirmed = False, False  # the clinic says no
    imported.dry_needling_confirmed_on = timezone.localdate()
    imported.dry_needling_confirmed_by = ConfirmedBy.CLINIC
    imported.save()
    admin_client.post(CONFIRM, {"token": token})
    imported.refresh_from_db()
    assert not imported.offers_dry_needling and imported.dry_needling_confirmed_by == ConfirmedBy.CLINIC


def test_staff_without_the_change_permission_cannot_upload(client, imported):
    user = User.objects.create_user("vic", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_clinic"))
    client.force_login(user)
    assert "Import dry needling confirmations" not in client.get(CHANGELIST).content.decode()
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": rows(f"{CLINIC_NPI},yes,{RECENT}")}).status_code == 403
    assert client.post(CONFIRM, {"token": "x" * 32}).status_code == 403
    imported.refresh_from_db()
    assert imported.dry_needling_unconfirmed
