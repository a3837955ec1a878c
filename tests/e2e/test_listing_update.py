"""A clinic updates its own listing on a phone with the keyboard only; staff approve it on the desk."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect

from dryneedling_site.clinics.models import Clinic

PASSWORD = "a long test password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def registry_clinic(live_server, transactional_db):
    """A clinic as the registry import leaves it ("ask whether they offer dry needling"), and a
    staff member who may review listing updates and change clinics."""
    clinic = Clinic.objects.create(
        name="Example Lake Physical Therapy",
        slug="example-lake-pt",
        address="12 Example St",
        city="Portland",
        state="OR",
        zip_code="97201",
        phone="5035550134",
        offers_dry_needling=False,
        dry_needling_unconfirmed=True,
        source_key="npi:1234567893",
    )
    user = User.objects.create_user("dana", password=PASSWORD, is_staff=True, first_name="Dana")
    codenames = [
        f"{action}_{model}" for action in ("change", "view") for model in ("clinic", "listingupdate")
    ]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinics", codename__in=codenames)
    )
    return {"url": live_server.url, "clinic": clinic}


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def staff_login(page: Page, base: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_a_clinic_sends_an_update_by_keyboard_and_staff_approve_it(
    registry_clinic, browser, assert_accessible
):
    base, clinic = registry_clinic["url"], registry_clinic["clinic"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(base + clinic.get_absolute_url())
        tab_to(page, "a[href$='/update/']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Update the listing of")
        assert_accessible(page)

        tab_to(page, "#id_offers_dry_needling_0")  # "Yes"
        page.keyboard.press("Space")
        tab_to(page, "#id_opening_hours")
        page.keyboard.type("Mon-Fri 7am-6pm")
        tab_to(page, "#id_sender_name")
        page.keyboard.type("Robin Example")
        page.keyboard.press("Tab")
        page.keyboard.type("Office manager")
        page.keyboard.press("Tab")
        page.keyboard.type("front-desk@example.com")
        tab_to(page, "button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Thank you: we have your update")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page)
    finally:
        context.close()

    context = browser.new_context()
    page = context.new_page()
    try:
        staff_login(page, base)
        expect(page.locator(".staff-desk")).to_contain_text("updates sent by clinics, waiting")
        page.goto(base + "/admin/clinics/listingupdate/")
        page.get_by_role("link", name="Example Lake Physical Therapy").first.click()
        expect(page.get_by_role("table", name="What the clinic asks")).to_contain_text("Mon-Fri 7am-6pm")
        assert_accessible(page)
        page.get_by_role("button", name="Approve the ticked fields").click()
        expect(page.locator(".messagelist")).to_contain_text("Approved: offers_dry_needling")

        page.goto(base + clinic.get_absolute_url() + "?radius=50")  # not the copy cached before
        expect(page.get_by_text("Dry needling confirmed by the clinic on")).to_be_visible()
    finally:
        context.close()
