"""Clinic data: coordinates from the ZIP, phone numbers, links, slugs, admin."""

import pytest
from django.core.exceptions import ValidationError

from dryneedling_site.clinics.models import Clinic
from dryneedling_site.clinics.validators import normalise_phone


def test_clinic_without_coordinates_is_placed_at_its_zip(make_clinic):
    clinic = make_clinic(zip_code="97201", city="Portland", state="OR")
    assert (clinic.latitude, clinic.longitude) == (45.5078, -122.6897)  # zipcodes' centre for 97201


def test_given_coordinates_are_kept(make_clinic):
    clinic = make_clinic(at=(40.7, -74.0))
    clinic.refresh_from_db()
    assert (clinic.latitude, clinic.longitude) == (40.7, -74.0)


@pytest.mark.parametrize("text", ["(503) 555-0123", "503.555.0123", "+1 503 555 0123", "15035550123"])
def test_phone_numbers_are_stored_as_ten_digits(text):
    assert normalise_phone(text) == "5035550123"


@pytest.mark.parametrize("text", ["555-0123", "(503) 055-0123", "123 456 7890", "call us", ""])
def test_bad_phone_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        normalise_phone(text)


def test_phone_is_shown_the_way_people_read_it_and_dialled_with_country_code(make_clinic):
    clinic = make_clinic(phone="5035550123")
    assert clinic.phone_display == "(503) 555-0123"
    assert clinic.phone_uri == "tel:+15035550123"


def test_directions_link_searches_a_map_for_the_address(make_clinic):
    clinic = make_clinic(address="12 Sample Ave", city="Portland", state="OR", zip_code="97201")
    assert clinic.directions_url == (
        "https://www.google.com/maps/search/?api=1&query=12+Sample+Ave%2C+Portland%2C+OR+97201"
    )


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "ftp://example.com/", "example.com", "data:text/html,hi"]
)
def test_website_must_be_an_http_link(make_clinic, website):
    clinic = make_clinic()
    clinic.website = website
    with pytest.raises(ValidationError) as caught:
        clinic.full_clean()
    assert "website" in caught.value.message_dict


def test_unknown_zip_is_refused(make_clinic):
    clinic = make_clinic()
    clinic.zip_code = "99999"
    with pytest.raises(ValidationError) as caught:
        clinic.full_clean()
    assert caught.value.message_dict["zip_code"] == ["99999 is not a ZIP code we know."]


def test_slugs_are_made_unique(make_clinic):
    first = make_clinic(name="Riverside PT", city="Portland", state="OR", zip_code="97201")
    second = make_clinic(name="Riverside PT", city="Portland", state="OR", zip_code="97201")
    assert first.slug == "riverside-pt-portland-or"
    assert second.slug == "riverside-pt-portland-or-2"


def test_admin_normalises_phone_and_moves_clinic_with_a_new_zip(admin_client, make_clinic):
    clinic = make_clinic(zip_code="10001")
    response = admin_client.post(
        f"/admin/clinics/clinic/{clinic.pk}/change/",
        {
            "name": clinic.name,
            "slug": clinic.slug,
            "address": clinic.address,
            "city": "Hoboken",
            "state": "NJ",
            "zip_code": "07030",
            "latitude": clinic.latitude,
            "longitude": clinic.longitude,
            "phone": "(201) 555-0199",
            "website": "",
            "offers_dry_needling": "on",
            "opening_hours": "",
            "therapists-TOTAL_FORMS": "0",
            "therapists-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clinic = Clinic.objects.get(pk=clinic.pk)
    assert clinic.phone == "2015550199"
    assert (clinic.latitude, clinic.longitude) == (40.7445, -74.0329)  # 07030's centre, not 10001's


def test_admin_lists_and_searches_clinics_by_therapist(admin_client, make_clinic):
    make_clinic(name="Harbor PT", therapists=[("Avery Example", "PT, DPT")])
    make_clinic(name="Other PT")
    page = admin_client.get("/admin/clinics/clinic/", {"q": "avery"}).content.decode()
    assert "Harbor PT" in page
    assert "Other PT" not in page
    assert admin_client.get("/admin/clinics/therapist/", {"q": "avery"}).status_code == 200


def test_a_website_that_got_past_validation_is_never_linked(client, make_clinic):
    clinic = make_clinic(name="Odd PT")
    Clinic.objects.filter(pk=clinic.pk).update(website="javascript:alert(1)")  # e.g. a raw SQL edit
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "javascript:" not in page
    assert "Website:" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/clinics/clinic/add/",
        "/admin/clinics/therapist/add/",
        "/admin/clinics/language/",
        "/admin/clinics/staterule/",
        "/admin/clinics/staterule/add/",
    ],
)
def test_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_non_latin_names_in_one_city_get_different_stable_slugs(make_clinic):
    first = make_clinic(name="北京理疗", city="New York", state="NY")
    second = make_clinic(name="Физиотерапия", city="New York", state="NY")
    third = make_clinic(name="Café Physio", city="New York", state="NY")
    assert first.slug != second.slug
    assert first.slug.startswith("new-york-ny-") and second.slug.startswith("new-york-ny-")
    assert first.slug != "new-york-ny-2"  # a fingerprint of the name, so a re-import finds it again
    assert third.slug == "cafe-physio-new-york-ny"  # accents transliterate: no fingerprint needed


def _admin_post(clinic: Clinic, **changes: str) -> dict:
    data = {
        "name": clinic.name,
        "slug": clinic.slug,
        "address": clinic.address,
        "city": clinic.city,
        "state": clinic.state,
        "zip_code": clinic.zip_code,
        "latitude": clinic.latitude,
        "longitude": clinic.longitude,
        "phone": clinic.phone,
        "website": clinic.website,
        "opening_hours": clinic.opening_hours,
        "accepting_new_patients": "on",
        "therapists-TOTAL_FORMS": "0",
        "therapists-INITIAL_FORMS": "0",
    }
    if clinic.offers_dry_needling:
        data["offers_dry_needling"] = "on"
    if clinic.dry_needling_unconfirmed:
        data["dry_needling_unconfirmed"] = "on"
    data.update(changes)
    return data


def test_admin_remembers_which_fields_staff_edited(admin_client, make_clinic):
    clinic = make_clinic(zip_code="10001")
    response = admin_client.post(
        f"/admin/clinics/clinic/{clinic.pk}/change/", _admin_post(clinic, phone="(212) 555-0199")
    )
    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic.pk).staff_edited_fields == ["phone"]
    response = admin_client.post(
        f"/admin/clinics/clinic/{clinic.pk}/change/", _admin_post(clinic, address="2 New Street")
    )
    edited = Clinic.objects.get(pk=clinic.pk).staff_edited_fields
    # one location field edited protects them all, and earlier edits are kept
    assert set(edited) == {"phone", "address", "city", "state", "zip_code", "latitude", "longitude"}


def test_admin_confirming_dry_needling_clears_the_ask_label(admin_client, make_clinic):
    clinic = make_clinic(offers_dry_needling=False, dry_needling_unconfirmed=True)
    data = _admin_post(clinic, offers_dry_needling="on")
    response = admin_client.post(f"/admin/clinics/clinic/{clinic.pk}/change/", data)
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.offers_dry_needling and not clinic.dry_needling_unconfirmed


@pytest.mark.parametrize(
    ("field", "value"),
    [("zip_code", "٩٧٢٠١"), ("zip_code", "９７２０１"), ("latitude", "٤٠.٧"), ("phone", "٢١٢٥٥٥٠١٩٩")],
)
def test_admin_form_refuses_non_ascii_digits_with_a_message(admin_client, make_clinic, field, value):
    clinic = make_clinic()
    response = admin_client.post(
        f"/admin/clinics/clinic/{clinic.pk}/change/", _admin_post(clinic, **{field: value})
    )
    assert response.status_code == 200  # the form again, with the error, not a 500 or a save
    assert field in response.context["adminform"].form.errors
    assert Clinic.objects.get(pk=clinic.pk).zip_code == "10001"
