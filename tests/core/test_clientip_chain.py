"""A forged X-Forwarded-For chain costs a bounded walk: the right-most 20 hops at most."""

from django.test import RequestFactory, override_settings

from dryneedling_site.core.clientip import client_address


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_walk_stops_after_twenty_hops():
    # Twenty-one proxies of ours between the client and us: the client is beyond the cap, so
    # the request is treated as coming from our own proxy, never from a forged far-left entry.
    chain = ", ".join(["203.0.113.7"] + ["127.0.0.1"] * 21)
    request = RequestFactory().get("/", headers={"x-forwarded-for": chain}, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_client_within_twenty_hops_is_found():
    chain = ", ".join(["203.0.113.7"] + ["127.0.0.1"] * 19)
    request = RequestFactory().get("/", headers={"x-forwarded-for": chain}, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == "203.0.113.7"
