"""The one client-address rule: right-most X-Forwarded-For entry that is not a trusted proxy."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from dryneedling_site.core.clientip import client_address


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        # The client wrote the left entry itself: only the one our proxy appended counts.
        ("198.51.100.1, 203.0.113.5", "203.0.113.5"),
        # Two of our own proxies in a row are skipped.
        ("198.51.100.1, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("not-an-address", None),
        ("fe80::1%eth0", None),
        ("203.0.113.5, " + "9" * 5000, None),
        # Only our proxies in the chain: the proxy itself is the client.
        ("", "127.0.0.1"),
    ],
)
def test_right_most_untrusted_entry_is_the_client(rf, settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_an_untrusted_peer_cannot_forward(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "192.0.2.1"


@pytest.mark.django_db
def test_staff_lockout_is_per_client_behind_the_proxy(settings):
    """Five wrong passwords from one visitor do not lock the account for everyone else."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("editor", password="right-horse-battery", is_staff=True)
    login = reverse("admin:login")

    def attempt(forwarded: str, password: str) -> int:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return client.post(login, {"username": "editor", "password": password}).status_code

    for _ in range(3):
        attempt("203.0.113.66", "wrong")
    assert attempt("203.0.113.66", "right-horse-battery") == 429
    assert attempt("198.51.100.20", "right-horse-battery") == 302
