"""Staff sign-in: the second factor, enrolment, backup codes, lost phone, session timeouts."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dryneedling_site.accounts.signals import LAST_SEEN, SIGNED_IN_AT
from tests.accounts.codes import current_code
from tests.conftest import UNVERIFIED_FORCE_LOGIN

PASSWORD = "a long staff passphrase 7"
LOGIN = "/admin/login/"


code_for = current_code


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Clinical reviewers")[0])
    return user


@pytest.fixture
def enrolled(reviewer) -> TOTPDevice:
    return TOTPDevice.objects.create(user=reviewer, name="Authenticator app", confirmed=True)


def password_step(client: Client, username: str = "rita", next_url: str = "") -> object:
    query = f"?next={next_url}" if next_url else ""
    return client.post(LOGIN + query, {"username": username, "password": PASSWORD, "next": next_url})


def test_the_right_password_alone_does_not_open_the_admin(client, enrolled):
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == "/admin/login/code/"
    assert client.get("/admin/").status_code == 302  # still signed out
    assert "_auth_user_id" not in client.session


def test_password_then_app_code_signs_in_and_lands_on_next(client, enrolled):
    password_step(client, next_url="/admin/articles/")
    response = client.post("/admin/login/code/", {"code": code_for(enrolled)})
    assert response.status_code == 302 and response["Location"] == "/admin/articles/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_five_send_back_to_the_password(client, enrolled):
    password_step(client)
    response = client.post("/admin/login/code/", {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    for _ in range(4):
        response = client.post("/admin/login/code/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get("/admin/login/code/")["Location"] == LOGIN


def test_an_off_site_next_lands_on_the_admin(client, enrolled):
    password_step(client, next_url="https://evil.example/")
    response = client.post("/admin/login/code/", {"code": code_for(enrolled)})
    assert response["Location"] == "/admin/"


def test_a_reviewer_without_a_device_enrols_then_gets_single_use_backup_codes(client, reviewer):
    response = password_step(client)
    assert response["Location"] == "/admin/login/enrol/"
    page = client.get("/admin/login/enrol/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'id="totp-key"' in body
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert client.get("/admin/").status_code == 302  # not signed in while enrolling

    response = client.post("/admin/login/enrol/", {"code": code_for(device)})
    assert response.status_code == 200
    codes = [token.token for token in StaticDevice.objects.get(user=reviewer).token_set.all()]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200

    # Next sign-in: a backup code works once, then never again.
    other = Client()
    password_step(other)
    assert other.post("/admin/login/code/", {"code": codes[0]}).status_code == 302
    again = Client()
    password_step(again)
    assert again.post("/admin/login/code/", {"code": codes[0]}).status_code == 400


def test_an_editor_without_a_device_signs_in_with_the_password_unless_mfa_is_required(client, settings, db):
    User.objects.create_user("erin", password=PASSWORD, is_staff=True)
    assert password_step(client, "erin")["Location"] == "/admin/"
    settings.STAFF_REQUIRE_MFA = True
    other = Client()
    assert password_step(other, "erin")["Location"] == "/admin/login/enrol/"


def test_a_password_only_session_of_a_reviewer_is_signed_out_of_the_admin(client, reviewer):
    UNVERIFIED_FORCE_LOGIN(client, reviewer)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_reset_two_factor_removes_the_devices_and_ends_the_sessions(client, enrolled, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/").status_code == 200
    call_command("reset_two_factor", "rita")
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert client.get("/admin/").status_code == 302
    assert password_step(Client())["Location"] == "/admin/login/enrol/"


def _age_session(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_expires_after_30_minutes(client, reviewer):
    client.force_login(reviewer)
    _age_session(client, LAST_SEEN, 29 * 60)
    assert client.get("/admin/").status_code == 200
    _age_session(client, LAST_SEEN, 31 * 60)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "without activity" in client.get(response["Location"]).content.decode()


def test_a_busy_session_still_ends_12_hours_after_sign_in(client, reviewer):
    client.force_login(reviewer)
    _age_session(client, SIGNED_IN_AT, 12 * 3600 + 60)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_passwords_need_12_characters(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xk9#mQ2$vL")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
    validate_password("tidal quartz lantern 8")


def test_a_garbage_sessionid_gets_the_cached_page_and_signed_in_staff_a_fresh_one(client, guide, db):
    Client().get("/articles/needles/")  # warm the cache
    garbage = Client()
    garbage.cookies["sessionid"] = "garbage"
    assert garbage.get("/articles/needles/")["X-Page-Cache"] == "hit"
    forged = Client()
    forged.cookies["staff"] = "1:forged:signature"
    assert forged.get("/articles/needles/")["X-Page-Cache"] == "hit"

    # A real sign-in (password step; editors without a device need no code) sets the marker.
    User.objects.create_user("erin", password=PASSWORD, is_staff=True)
    assert password_step(client, "erin").status_code == 302
    assert "staff" in client.cookies
    response = client.get("/articles/needles/")
    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]

    # Signing out clears it: pages come from the cache again.
    client.post("/admin/logout/")
    assert client.cookies["staff"].value == ""
    assert client.get("/articles/needles/")["X-Page-Cache"] == "hit"
