"""Two-step staff sign-in in Chromium: a reviewer sets up the app, then signs in with a code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.accounts.codes import code_for_key
from tests.factories import staff_group

PASSWORD = "a long test password"


@pytest.fixture
def reviewer_site(live_server, transactional_db, settings):
    # django-otp makes each next try after a wrong code wait (1 s, then 2 s...); a person takes
    # that long anyway, a browser test does not. The throttle is django-otp's, tested there.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    reviewer = User.objects.create_user("rosa", password=PASSWORD, is_staff=True, first_name="Rosa")
    reviewer.groups.add(staff_group("Clinical reviewers"))
    return live_server.url


def password_step(page: Page, base: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "rosa")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_a_reviewer_sets_up_the_app_then_needs_the_code_every_time(
    reviewer_site, page: Page, assert_accessible
):
    base = reviewer_site
    password_step(page, base)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator(".qr svg, svg.qr-code").first).to_be_visible()
    assert_accessible(page)
    key = page.locator("#totp-key").inner_text()

    page.fill("#id_code", "000000")
    page.click("input[type=submit]")
    expect(page.locator("#code-error")).to_contain_text("not right")
    page.fill("#id_code", code_for_key(key))
    page.click("input[type=submit]")
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    assert page.locator("#backup-codes li").count() == 10
    assert_accessible(page)
    backup = page.locator("#backup-codes li").first.inner_text().strip()
    page.get_by_role("link", name="Continue to the staff desk").click()
    expect(page.locator("#staff-desk-heading")).to_be_visible()

    # Signed out, the password alone is not enough: the code step follows.
    page.context.clear_cookies()
    password_step(page, base)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/admin/")
    expect(page.locator("#id_username")).to_be_visible()  # back at the password step

    password_step(page, base)
    page.fill("#id_code", backup)
    page.click("input[type=submit]")
    expect(page.locator("#staff-desk-heading")).to_be_visible()
