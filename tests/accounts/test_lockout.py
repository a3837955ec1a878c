"""The staff login lockout: per username + client network (IPv6 by /64), and per username."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dryneedling_site.core.clientip import network_of

PASSWORD = "right horse battery staple"
LOGIN = "/admin/login/"


@pytest.fixture
def editor(db) -> User:
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def attempt(address: str, password: str) -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": "editor", "password": password}).status_code


def test_ipv6_addresses_count_by_their_64_and_ipv4_by_address():
    assert network_of("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::"
    assert network_of("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::"
    assert network_of("::ffff:192.0.2.7") == "192.0.2.7"
    assert network_of("192.0.2.7") == "192.0.2.7"


def test_30_guesses_from_8_addresses_of_one_64_are_locked_and_the_real_password_then_fails(editor):
    statuses = [attempt(f"2001:db8:1:2::{n % 8 + 1:x}", f"guess-{n}") for n in range(30)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}  # locked from the fifth failure on
    # The real password from a ninth address of the same /64 is refused too.
    assert attempt("2001:db8:1:2::99", PASSWORD) == 429


def test_a_locked_64_does_not_lock_out_the_editor_elsewhere(editor):
    for n in range(6):
        attempt(f"2001:db8:1:2::{n + 1:x}", "wrong")
    assert attempt("2001:db8:1:3::1", PASSWORD) == 302  # another /64
    assert attempt("198.51.100.20", PASSWORD) != 429


def test_guessing_spread_over_many_networks_locks_the_username(editor, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 20
    # Four guesses from each of five networks: never five from one, twenty in all.
    statuses = [attempt(f"203.0.113.{n // 4 + 1}", "wrong") for n in range(19)]
    assert set(statuses) == {200}
    assert attempt("203.0.113.5", "wrong") == 429  # the twentieth failure
    assert attempt("192.0.2.200", PASSWORD) == 429  # a fresh network: the username is locked
    assert attempt("2001:db8:9::1", PASSWORD) == 429
