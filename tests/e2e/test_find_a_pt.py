"""A patient finds a physical therapist in a real browser: by ZIP, by city, by location, without JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dryneedling_site.clinics import geo
from tests.clinics.factories import make_clinic, point_at

NYC = geo.Place("10001 (New York, NY)", 40.7484, -73.9967, "NY")  # as the ZIP table has it
PHONE_WIDTH = 360


@pytest.fixture
def clinics(site):
    """25 clinics spread east of Midtown Manhattan (one a sample listing), and the live server."""
    for number in range(24):
        make_clinic(
            name=f"Clinic {number:02d} Physical Therapy",
            therapists=[(f"Therapist {number:02d}", "PT, DPT")],
            at=point_at(NYC.latitude, NYC.longitude, 0.5 + number * 0.5, 90),
        )
    make_clinic(
        name="Sample Harbor Physical Therapy",
        is_sample=True,
        therapists=[("Avery Example", "PT, DPT")],
        languages=["English", "Spanish"],
        at=point_at(NYC.latitude, NYC.longitude, 0.2, 0),
    )
    return site


def test_search_by_zip_page_through_and_open_a_clinic(clinics, page, assert_accessible, third_party_requests):
    page.goto(clinics.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a PT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a physical therapist")
    assert_accessible(page)

    page.get_by_label("ZIP code or city").fill("10001")
    page.get_by_role("button", name="Search").click()
    expect(
        page.get_by_role("heading", name="Physical therapists within 25 miles of 10001 (New York, NY)")
    ).to_be_visible()
    assert "location=10001" in page.url  # a GET form: the results can be bookmarked
    results = page.locator(".results-list > li")
    expect(results).to_have_count(20)
    expect(results.first).to_contain_text("Sample Harbor Physical Therapy")
    expect(results.first).to_contain_text("Sample listing")
    expect(results.first).to_contain_text("0.2 miles away")
    assert_accessible(page)

    page.get_by_role("link", name="Next page of results").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(results).to_have_count(5)
    expect(results.first).to_contain_text("Clinic 19 Physical Therapy")
    assert_accessible(page)

    page.get_by_role("link", name="Clinic 20 Physical Therapy", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic 20 Physical Therapy")
    expect(page.get_by_text("Therapist 20, PT, DPT")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Call \(212\) 555-0100"))).to_have_attribute(
        "href", "tel:+12125550100"
    )
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Back to results").first.click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert third_party_requests == []


def test_ambiguous_city_then_choose_a_state(clinics, page, assert_accessible):
    page.goto(clinics.url + "/find-a-pt/")
    page.get_by_label("ZIP code or city").fill("Springfield")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("There is more than one Springfield").first).to_be_visible()
    location = page.get_by_label("ZIP code or city")
    expect(location).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_role("link", name="Springfield, MA").click()
    expect(
        page.get_by_role("heading", name="Physical therapists within 25 miles of Springfield, MA")
    ).to_be_visible()
    # Every clinic is over 100 miles away: the box names the nearest instead of an empty wider search.
    expect(page.get_by_text("The nearest we found is")).to_be_visible()
    expect(page.get_by_role("link", name="Search within 50 miles instead")).to_have_count(0)
    page.get_by_role("link", name="Search any physical therapy clinic").click()
    expect(page.get_by_role("heading", name="0 clinics within 25 miles of Springfield, MA")).to_be_visible()
    assert_accessible(page)


def test_use_my_location(clinics, page, third_party_requests):
    page.context.grant_permissions(["geolocation"], origin=clinics.url)
    page.context.set_geolocation({"latitude": NYC.latitude, "longitude": NYC.longitude})
    page.goto(clinics.url + "/find-a-pt/")
    page.get_by_role("button", name="Use my location").click()
    expect(
        page.get_by_role("heading", name="Physical therapists within 25 miles of your location")
    ).to_be_visible()
    assert re.search(r"lat=40\.748&lon=-73\.997", page.url)
    assert third_party_requests == []


def test_search_works_without_javascript_on_a_phone(clinics, browser):
    # No axe check here: axe needs JavaScript, and the same pages are checked with it above.
    context = browser.new_context(java_script_enabled=False, viewport={"width": PHONE_WIDTH, "height": 740})
    page = context.new_page()
    try:
        page.goto(clinics.url + "/find-a-pt/")
        expect(page.get_by_role("button", name="Use my location")).to_be_hidden()
        page.get_by_label("ZIP code or city").fill("10001")
        page.get_by_label("Distance").select_option("5")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name=re.compile(r"within 5 miles of 10001"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        page.locator(".results-list a").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sample Harbor Physical Therapy")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    finally:
        context.close()


def test_a_clinic_name_with_no_spaces_wraps_on_a_phone(clinics, browser):
    # Names come from the registry and from staff: one 150-letter word must not widen the page.
    long_name = "Physiotherapy" + "A" * 137
    clinic = make_clinic(name=long_name, at=point_at(NYC.latitude, NYC.longitude, 0.1, 0))
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 740})
    try:
        page = context.new_page()
        paths = ["/es/find-a-pt/?location=10001", "/find-a-pt/?location=10001", clinic.get_absolute_url()]
        for path in paths:
            page.goto(clinics.url + path)
            expect(page.get_by_text(long_name).first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, path
    finally:
        context.close()


def test_an_article_leads_to_find_a_pt(clinics, page):
    page.goto(clinics.url + "/articles/what-to-expect/")
    page.get_by_role("link", name="Find a PT near you").click()
    expect(page).to_have_url(clinics.url + "/find-a-pt/")
