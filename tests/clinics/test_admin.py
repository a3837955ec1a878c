"""Clinics in the admin: CSV import with a dry run, history with restore, the desk's clinic line."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dryneedling_site.clinics import admin_import
from dryneedling_site.clinics.importer import REQUIRED_COLUMNS
from dryneedling_site.clinics.models import Clinic
from tests.factories import staff_group

UPLOAD = "/admin/clinics/clinic/import/"
CONFIRM = "/admin/clinics/clinic/import/confirm/"
CHANGELIST = "/admin/clinics/clinic/"
COLUMNS = [*REQUIRED_COLUMNS, "slug"]
HARBOR = {
    "name": "Harbor Physical Therapy",
    "slug": "harbor-pt",
    "address": "12 Example St",
    "city": "Portland",
    "state": "OR",
    "zip": "97201",
    "phone": "(503) 555-0134",
    "website": "https://example.com/harbor",
    "offers_dry_needling": "yes",
    "accepting_new_patients": "yes",
    "languages": "English",
    "therapists": "Jordan Example, PT, DPT",
}
MIDTOWN = {
    "name": "Midtown PT",
    "slug": "midtown-pt",
    "address": "5 Placeholder Rd",
    "city": "New York",
    "state": "NY",
    "zip": "10001",
    "phone": "212 555 0199",
    "website": "",
    "offers_dry_needling": "yes",
    "accepting_new_patients": "no",
    "languages": "",
    "therapists": "",
}


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CLINIC_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def csv_file(rows: list[dict], name: str = "clinics.csv", columns: list[str] = COLUMNS) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def upload(client, rows, overwrite: bool = False, **kwargs):
    data = {"file": csv_file(rows, **kwargs)}
    if overwrite:
        data["overwrite_staff_edits"] = "on"
    return client.post(UPLOAD, data)


def token_of(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "no confirm form on the page"
    return found.group(1)


def table_rows(html: str, css_class: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*class="{css_class}".*?</table>', html, re.S)
    assert table, f"no {css_class} table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)
    cells = [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]
    return [row for row in cells if row]


@pytest.fixture
def harbor(db):
    """Harbor, imported before, whose phone a staff member has since corrected in the admin."""
    return Clinic.objects.create(
        name="Harbor Physical Therapy",
        slug="harbor-pt",
        address="12 Example St",
        city="Portland",
        state="OR",
        zip_code="97201",
        phone="5035550999",
        website="https://example.com/harbor",
        staff_edited_fields=["phone"],
    )


def test_the_clinic_list_has_an_import_button(admin_client):
    html = admin_client.get(CHANGELIST).content.decode()
    assert f'href="{UPLOAD}"' in html
    assert "Import clinics from a CSV file" in html


def test_upload_form_has_the_overwrite_box_unticked_with_help(admin_client):
    html = admin_client.get(UPLOAD).content.decode()
    box = re.search(r'<input[^>]*name="overwrite_staff_edits"[^>]*>', html).group(0)
    assert "checked" not in box
    assert "keeps the staff&#x27;s value" in html or "keeps the staff's value" in html


def test_dry_run_shows_created_changed_and_kept_and_writes_nothing(admin_client, harbor):
    new_hours = dict(HARBOR, website="https://example.com/harbor-new")
    response = upload(admin_client, [new_hours, MIDTOWN])
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 clinic to create" in html and "1 clinic to change" in html and "0 rows refused" in html
    assert table_rows(html, "import-created")[0][:2] == ["3", "Midtown PT"]
    changed = {row[2]: row for row in table_rows(html, "import-changed")}
    assert changed["Website"][3:] == ["https://example.com/harbor", "https://example.com/harbor-new"]
    assert changed["Phone"][3] == "(503) 555-0999"
    assert "kept: edited by staff" in changed["Phone"][4] and "(503) 555-0134" in changed["Phone"][4]
    assert 'value="Confirm import"' in html
    # Nothing written.
    assert not Clinic.objects.filter(slug="midtown-pt").exists()
    harbor.refresh_from_db()
    assert harbor.website == "https://example.com/harbor"


def test_confirm_writes_keeps_the_staff_edit_and_deletes_the_upload(admin_client, harbor, upload_dir):
    token = token_of(upload(admin_client, [dict(HARBOR, website="https://example.com/new"), MIDTOWN]))
    assert list(upload_dir.glob("*.csv"))  # waiting between the two steps
    response = admin_client.post(CONFIRM, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert (
        "1 clinics created, 1 updated, 0 unchanged; 1 kept fields staff edited" in response.content.decode()
    )
    harbor.refresh_from_db()
    assert (harbor.phone, harbor.website) == ("5035550999", "https://example.com/new")
    assert Clinic.objects.get(slug="midtown-pt").phone == "2125550199"
    assert not list(upload_dir.glob("*.csv"))
    # The token is spent: confirming again is a form error, not a second import or a 500.
    again = admin_client.post(CONFIRM, {"token": token})
    assert again.status_code == 400
    assert "expired or was already imported" in again.content.decode()


def test_ticking_overwrite_replaces_the_staff_edit(admin_client, harbor):
    response = upload(admin_client, [dict(HARBOR, zip="97205")], overwrite=True)
    changed = {row[2]: row for row in table_rows(response.content.decode(), "import-changed")}
    assert changed["ZIP code"][3:] == ["97201", "97205"]  # the field's own label
    assert changed["Phone"][3:] == ["(503) 555-0999", "(503) 555-0134"]
    admin_client.post(CONFIRM, {"token": token_of(response)})
    harbor.refresh_from_db()
    assert (harbor.phone, harbor.zip_code) == ("5035550134", "97205")
    assert harbor.staff_edited_fields == []


def test_refused_rows_are_listed_with_no_confirm_button(admin_client, upload_dir):
    bad = [HARBOR, dict(MIDTOWN, state="ZZ"), dict(MIDTOWN, slug="other", name="Other PT", phone="555")]
    html = upload(admin_client, bad).content.decode()
    assert "2 rows refused" in html
    refused = table_rows(html, "import-refused")
    assert refused[0][:2] == ["3", "state"] and "not a US state code" in refused[0][2]
    assert refused[-1][:2] == ["4", "phone"]
    assert "Fix these rows and upload the file again" in html
    assert 'value="Confirm import"' not in html and 'name="token"' not in html
    assert not list(upload_dir.glob("*.csv"))
    assert not Clinic.objects.exists()


@pytest.mark.parametrize(
    ("upload_file", "message"),
    [
        (SimpleUploadedFile("c.csv", "name,city\nCafé,Zürich\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("c.csv", b"name,city\nA,B\n"), "column is missing"),
        (SimpleUploadedFile("c.xlsx", b"PK\x03\x04"), "Choose a .csv file"),
        (SimpleUploadedFile("c.csv", b""), "The submitted file is empty"),
    ],
)
def test_bad_files_are_form_errors(admin_client, upload_file, message):
    response = admin_client.post(UPLOAD, {"file": upload_file})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Confirm import"' not in html


def test_a_file_over_the_limit_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 100)
    response = upload(admin_client, [HARBOR, MIDTOWN])
    assert "Split it into smaller files." in response.content.decode()
    assert not Clinic.objects.exists()


def test_a_stale_or_forged_token_is_a_form_error(admin_client, upload_dir):
    token = token_of(upload(admin_client, [HARBOR]))
    for path in upload_dir.glob("*.csv"):  # swept after an hour
        admin_import.sweep_old_uploads(now=path.stat().st_mtime + admin_import.KEEP_UPLOAD_SECONDS + 1)
    response = admin_client.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    assert "expired or was already imported" in response.content.decode()
    forged = admin_client.post(CONFIRM, {"token": "../../etc/passwd"})
    assert forged.status_code == 400
    assert not Clinic.objects.exists()


def test_confirm_plans_again_against_the_database_as_it_is_now(admin_client, harbor):
    token = token_of(upload(admin_client, [dict(HARBOR, website="https://example.com/new")]))
    harbor.staff_edited_fields = ["phone", "website"]  # someone edits the website meanwhile
    harbor.website = "https://example.com/staff"
    harbor.save()
    admin_client.post(CONFIRM, {"token": token})
    harbor.refresh_from_db()
    assert harbor.website == "https://example.com/staff"


def test_an_edit_between_the_confirms_check_and_its_write_is_kept_and_explained(
    admin_client, harbor, monkeypatch
):
    from dryneedling_site.clinics import admin_import

    token = token_of(upload(admin_client, [dict(HARBOR, website="https://example.com/new"), MIDTOWN]))
    real_plan = admin_import._plan

    def plan_then_someone_saves(path):
        plan = real_plan(path)
        harbor.staff_edited_fields, harbor.website = ["phone", "website"], "https://example.com/staff"
        harbor.save()
        return plan

    monkeypatch.setattr(admin_import, "_plan", plan_then_someone_saves)
    response = admin_client.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 clinic(s) were changed in the admin while this import was being checked" in page
    assert "for example harbor-pt. Nothing was written, so those changes are kept." in page
    harbor.refresh_from_db()
    assert harbor.website == "https://example.com/staff"
    assert not Clinic.objects.filter(slug="midtown-pt").exists()  # all or nothing


@pytest.fixture
def editor_client(client, db):
    """A content editor: articles and feedback, no clinic permissions."""
    editor = User.objects.create_user("erin", password="pw", is_staff=True)
    editor.groups.add(staff_group("Content editors"))
    client.force_login(editor)
    return client


def test_editors_without_clinic_permissions_cannot_import(editor_client, harbor):
    assert editor_client.get(UPLOAD).status_code == 403
    assert editor_client.post(UPLOAD, {"file": csv_file([HARBOR])}).status_code == 403
    assert editor_client.post(CONFIRM, {"token": "x" * 32}).status_code == 403


def test_view_and_change_without_add_gets_no_import_button(client, harbor):
    user = User.objects.create_user("clara", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_clinic", "change_clinic"]))
    client.force_login(user)
    assert "Import clinics from a CSV file" not in client.get(CHANGELIST).content.decode()
    assert client.get(UPLOAD).status_code == 403


# --- History and restore ----------------------------------------------------------------------


def admin_form_data(response) -> dict:
    """The change form's values as the browser would post them back, inlines included."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
            elif value is not None:
                data[key] = str(value.pk if hasattr(value, "pk") else value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_admin_saves_record_history_and_an_old_version_can_be_restored(admin_client, harbor):
    url = reverse("admin:clinics_clinic_change", args=[harbor.pk])
    data = admin_form_data(admin_client.get(url))
    data["phone"] = "(503) 555-0111"
    data["opening_hours"] = "Mon-Fri 9am-5pm"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    harbor.refresh_from_db()
    assert harbor.phone == "5035550111"
    versions = list(harbor.history.order_by("history_date"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert versions[-1].history_user.username == "admin"

    history_page = admin_client.get(reverse("admin:clinics_clinic_history", args=[harbor.pk]))
    assert history_page.status_code == 200
    first = versions[0]
    restore_url = reverse("admin:clinics_clinic_simple_history", args=[harbor.pk, first.history_id])
    restore = admin_client.get(restore_url)
    assert restore.status_code == 200
    response = admin_client.post(restore_url, admin_form_data(restore))
    assert response.status_code == 302
    harbor.refresh_from_db()
    assert (harbor.phone, harbor.opening_hours) == ("5035550999", "")
    # A restore is a staff edit: the next import keeps what was restored.
    assert {"phone", "opening_hours"} <= set(harbor.staff_edited_fields)
    assert harbor.latitude_band == int(harbor.latitude * 10 // 1)  # still computed by the database
    assert harbor.history.count() == 3


def test_therapists_have_history_too(admin_client, harbor):
    therapist = harbor.therapists.create(name="Jordan Example", credentials="PT")
    therapist.credentials = "PT, DPT"
    therapist.save()
    assert [v.credentials for v in therapist.history.order_by("history_date")] == ["PT", "PT, DPT"]
    page = admin_client.get(reverse("admin:clinics_therapist_history", args=[therapist.pk]))
    assert page.status_code == 200


def test_bulk_imports_write_no_history_rows(admin_client, harbor):
    admin_client.post(CONFIRM, {"token": token_of(upload(admin_client, [HARBOR, MIDTOWN]))})
    assert Clinic.objects.get(slug="midtown-pt").history.count() == 0
    assert harbor.history.count() == 1  # only its creation


# --- The desk ---------------------------------------------------------------------------------


def test_the_desk_counts_unconfirmed_clinics_and_links_to_the_filtered_list(admin_client, harbor):
    Clinic.objects.create(
        name="Registry PT", slug="registry-pt", address="1 A St", city="New York", state="NY",
        zip_code="10001", phone="2125550100", dry_needling_unconfirmed=True, offers_dry_needling=False,
    )  # fmt: skip
    html = admin_client.get("/admin/").content.decode()
    link = f'href="{CHANGELIST}?dry_needling_unconfirmed__exact=1"'
    assert link in html
    assert re.search(r"<strong>1</strong>\s*clinics imported and not yet confirmed", html)
    listed = admin_client.get(CHANGELIST + "?dry_needling_unconfirmed__exact=1").content.decode()
    assert "Registry PT" in listed and "Harbor Physical Therapy" not in listed


def test_the_desk_hides_the_clinic_line_from_users_who_cannot_view_clinics(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "clinics imported and not yet confirmed" not in html


def test_long_files_show_the_first_clinics_with_the_full_counts(admin_client, monkeypatch):
    monkeypatch.setattr(admin_import, "MAX_CLINICS_SHOWN", 1)
    html = upload(admin_client, [HARBOR, MIDTOWN]).content.decode()
    assert "2 clinics to create" in html
    assert len(table_rows(html, "import-created")) == 1
    assert "The first 1 of 2 new clinics are shown." in html


def test_a_new_upload_replaces_the_sessions_earlier_dry_run(admin_client, upload_dir):
    first = token_of(upload(admin_client, [HARBOR]))
    second = token_of(upload(admin_client, [MIDTOWN]))
    assert [p.stem for p in upload_dir.glob("*.csv")] == [second]
    assert admin_client.post(CONFIRM, {"token": first}).status_code == 400
    admin_client.post(CONFIRM, {"token": second})
    assert list(Clinic.objects.values_list("slug", flat=True)) == ["midtown-pt"]
