"""Sec-Fetch-Site, set by the browser itself, decides over Origin when both are sent."""

from django.test import RequestFactory

from dryneedling_site.core.requestguards import is_cross_site


def test_a_cross_site_fetch_is_refused_even_with_our_own_origin():
    request = RequestFactory().post(
        "/feedback/", headers={"sec-fetch-site": "cross-site", "origin": "http://testserver"}
    )
    assert is_cross_site(request)


def test_a_same_origin_fetch_passes_whatever_origin_says():
    request = RequestFactory().post(
        "/feedback/", headers={"sec-fetch-site": "same-origin", "origin": "https://elsewhere.example"}
    )
    assert not is_cross_site(request)
