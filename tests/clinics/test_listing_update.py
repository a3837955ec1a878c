"""Clinics confirming their own listing: the form, the desk's review, and what the public sees."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dryneedling_site.clinics.listing_updates import ListingUpdate, purge_contacts
from dryneedling_site.clinics.models import Clinic

REAL_ROWS = Path(__file__).parent / "fixtures" / "npidata_pfile_20250407-20250413.csv"
SENT = {
    "offers_dry_needling": "yes",
    "accepting_new_patients": "yes",
    "languages": ["English", "Spanish"],
    "phone": "(608) 555-0199",
    "website": "",
    "opening_hours": "Mon-Fri 7am-6pm",
    "sender_name": "Robin Example",
    "sender_role": "Office manager",
    "sender_contact": "front-desk@example.com",
    "fax": "",
}


@pytest.fixture
def registry_clinic(db) -> Clinic:
    call_command("import_nppes", str(REAL_ROWS), stdout=io.StringIO(), stderr=io.StringIO())
    return Clinic.objects.get(name__startswith="McWhorter")


def update_url(clinic: Clinic) -> str:
    return f"/find-a-pt/{clinic.slug}/update/"


def test_every_clinic_page_offers_the_update_form(client, registry_clinic):
    page = client.get(registry_clinic.get_absolute_url()).content.decode()
    assert "Is this your clinic?" in page
    assert f'href="{update_url(registry_clinic)}">Update this listing' in page
    form = client.get(update_url(registry_clinic))
    assert form.status_code == 200 and "Cache-Control" in form and "no-cache" in form["Cache-Control"]


def test_an_update_changes_nothing_public_until_approved_then_survives_a_reimport(
    client, admin_client, registry_clinic
):
    response = client.post(update_url(registry_clinic), SENT)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    assert "Thank you: we have your update" in client.get(response["Location"]).content.decode()
    update = ListingUpdate.objects.get()
    registry_clinic.refresh_from_db()
    assert not registry_clinic.offers_dry_needling and registry_clinic.dry_needling_unconfirmed
    # (a search parameter makes another cached copy: the test transaction never commits its bump)
    page = client.get(registry_clinic.get_absolute_url(), {"radius": "10"}).content.decode()
    assert "confirmed by the clinic" not in page and "Ask whether they offer dry needling" in page

    review = admin_client.get(f"/admin/clinics/listingupdate/{update.pk}/change/").content.decode()
    assert "Robin Example, Office manager: front-desk@example.com" in review
    assert "<td>no</td>" in review and "<strong>yes</strong>" in review  # dry needling, field by field
    assert "<strong>(608) 555-0199</strong>" in review
    desk = admin_client.get("/admin/").content.decode()
    assert "updates sent by clinics, waiting" in desk

    # Staff approve dry needling and the phone, not the hours.
    admin_client.post(
        f"/admin/clinics/listingupdate/{update.pk}/change/",
        {"action": "approve", "fields": ["offers_dry_needling", "phone"]},
    )
    registry_clinic.refresh_from_db()
    assert registry_clinic.offers_dry_needling and not registry_clinic.dry_needling_unconfirmed
    assert registry_clinic.phone == "6085550199" and registry_clinic.opening_hours == ""
    assert registry_clinic.dry_needling_confirmed_on == timezone.localdate(update.created_at)
    update.refresh_from_db()
    assert update.status == ListingUpdate.Status.APPROVED and update.approved_fields == [
        "offers_dry_needling",
        "phone",
    ]
    date = f"{registry_clinic.dry_needling_confirmed_on:%-d %B %Y}"
    page = client.get(registry_clinic.get_absolute_url(), {"radius": "50"}).content.decode()
    assert f"Dry needling confirmed by the clinic on {date}" in page

    call_command("import_nppes", str(REAL_ROWS), stdout=io.StringIO(), stderr=io.StringIO())
    registry_clinic.refresh_from_db()
    assert registry_clinic.offers_dry_needling and registry_clinic.phone == "6085550199"
    assert registry_clinic.dry_needling_confirmed_on is not None
    results = client.get("/find-a-pt/", {"location": "53703"}).content.decode()
    assert "1 offers dry needling." in results
    assert results.index("Clinics that offer dry needling<") < results.index("McWhorter")


def test_reject_and_called_back(admin_client, client, registry_clinic):
    client.post(update_url(registry_clinic), SENT)
    update = ListingUpdate.objects.get()
    url = f"/admin/clinics/listingupdate/{update.pk}/change/"
    admin_client.post(url, {"action": "called_back"})
    update.refresh_from_db()
    assert update.status == ListingUpdate.Status.CALLED_BACK and update.is_open
    admin_client.post(url, {"action": "reject"})
    update.refresh_from_db()
    assert update.status == ListingUpdate.Status.REJECTED and update.closed_at is not None
    registry_clinic.refresh_from_db()
    assert not registry_clinic.offers_dry_needling


@override_settings(CLINIC_CONFIRMATION_STALE_DAYS=365)
def test_an_old_confirmation_says_ask_to_be_sure(client, make_clinic):
    old = timezone.localdate() - datetime.timedelta(days=400)
    clinic = make_clinic(dry_needling_confirmed_on=old, dry_needling_confirmed_by="clinic")
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert f"Dry needling confirmed {old:%-d %B %Y}; ask to be sure" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offers_dry_needling": ""}, "Does your clinic offer dry needling?: This field is required."),
        ({"sender_contact": ""}, "This field is required."),
        ({"phone": "555"}, "Phone for patients:"),
        ({"website": "javascript:alert(1)"}, "Website:"),
        ({"opening_hours": "x" * 501}, "Opening hours:"),
    ],
)
def test_bad_input_is_a_400_that_says_what_to_fix(client, registry_clinic, change, message):
    response = client.post(update_url(registry_clinic), {**SENT, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ListingUpdate.objects.exists()


def test_abuse_limits(client, registry_clinic, settings):
    assert client.post(update_url(registry_clinic), {**SENT, "fax": "bot"}).status_code == 302
    assert not ListingUpdate.objects.exists()  # the honeypot: looks sent, stores nothing
    big = client.post(update_url(registry_clinic), {**SENT, "opening_hours": "x" * 20_000})
    assert big.status_code == 413
    for _ in range(9):
        client.post(update_url(registry_clinic), SENT)
    limited = client.post(update_url(registry_clinic), SENT)
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    assert ListingUpdate.objects.count() == 9  # the bot's post counted against the limit too


def test_purge_forgets_the_sender_30_days_after_closing(client, admin_client, registry_clinic):
    client.post(update_url(registry_clinic), SENT)
    update = ListingUpdate.objects.get()
    admin_client.post(f"/admin/clinics/listingupdate/{update.pk}/change/", {"action": "reject"})
    assert purge_contacts() == 0  # closed today
    later = timezone.now() + datetime.timedelta(days=31)
    assert purge_contacts(now=later, dry_run=True) == 1
    assert purge_contacts(now=later) == 1
    update.refresh_from_db()
    assert (update.sender_name, update.sender_role, update.sender_contact) == ("", "", "")
    assert update.offers_dry_needling  # what was asked stays
    out = io.StringIO()
    call_command("purge_listing_updates", stdout=out)
    assert "from 0 closed listing update(s)" in out.getvalue()
