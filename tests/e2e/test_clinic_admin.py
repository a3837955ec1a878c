"""Clinic staff in a real browser: a phone corrected in the admin survives a CSV re-import."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect

from dryneedling_site.clinics.importer import REQUIRED_COLUMNS
from dryneedling_site.clinics.models import Clinic

PASSWORD = "a long test password"
CHANGELIST = "/admin/clinics/clinic/"


@pytest.fixture
def clinic_desk(live_server, transactional_db, settings, tmp_path):
    """A clinic imported earlier, and a staff member who may add, change and view clinics."""
    settings.CLINIC_IMPORT_DIR = str(tmp_path / "imports")
    clinic = Clinic.objects.create(
        name="Harbor Physical Therapy",
        slug="harbor-pt",
        address="12 Example St",
        city="Portland",
        state="OR",
        zip_code="97201",
        phone="5035550134",
        website="https://example.com/harbor",
    )
    user = User.objects.create_user("cleo", password=PASSWORD, is_staff=True, first_name="Cleo")
    codenames = [
        f"{action}_{model}" for action in ("add", "change", "view") for model in ("clinic", "therapist")
    ]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinics", codename__in=codenames)
    )
    return {"url": live_server.url, "clinic": clinic}


def clinics_csv() -> bytes:
    """The clinic's row as the registry export has it: the old phone, a new website."""
    row = {
        "slug": "harbor-pt",
        "name": "Harbor Physical Therapy",
        "address": "12 Example St",
        "city": "Portland",
        "state": "OR",
        "zip": "97201",
        "phone": "(503) 555-0134",
        "website": "https://example.com/harbor-new",
        "offers_dry_needling": "yes",
        "accepting_new_patients": "yes",
        "languages": "",
        "therapists": "",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*REQUIRED_COLUMNS, "slug"])
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def test_staff_phone_edit_is_kept_by_a_csv_import_with_dry_run(clinic_desk, page: Page, assert_accessible):
    base, clinic = clinic_desk["url"], clinic_desk["clinic"]
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "cleo")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#staff-desk-heading")).to_be_visible()
    expect(page.locator(".staff-desk")).to_contain_text("clinics imported and not yet confirmed")
    assert_accessible(page)  # the desk with the clinics line

    # A staff member corrects the phone in the admin.
    page.goto(base + f"{CHANGELIST}{clinic.pk}/change/")
    page.fill("#id_phone", "(503) 555-0177")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # The import: upload form, then the dry run with the phone kept.
    page.get_by_role("link", name="Import clinics from a CSV file").click()
    expect(page.locator("h1")).to_contain_text("Import clinics from a CSV file")
    assert not page.locator("#id_overwrite_staff_edits").is_checked()
    assert_accessible(page)
    page.locator("#id_file").set_input_files(
        {"name": "clinics.csv", "mimeType": "text/csv", "buffer": clinics_csv()}
    )
    page.get_by_role("button", name="Upload and check (dry run)").click()
    changed = page.locator("table.import-changed")
    expect(changed.locator("tr", has_text="Phone")).to_contain_text("kept: edited by staff")
    expect(changed.locator("tr", has_text="Website")).to_contain_text("https://example.com/harbor-new")
    assert_accessible(page)
    assert Clinic.objects.get(pk=clinic.pk).website == "https://example.com/harbor"  # dry run

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("0 clinics created, 1 updated")
    clinic.refresh_from_db()
    assert clinic.phone == "5035550177"
    assert clinic.website == "https://example.com/harbor-new"

    # The admin save is in the clinic's history (the import's bulk write is not).
    page.goto(base + f"{CHANGELIST}{clinic.pk}/history/")
    expect(page.locator("#content")).to_contain_text("Changed")
    assert_accessible(page)
