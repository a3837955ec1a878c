"""Edges of the vote guards: where a request comes from and how large it says it is."""

import pytest
from django.test import RequestFactory, override_settings

from dryneedling_site.feedback.guards import is_cross_site, is_too_large


@pytest.fixture
def factory():
    return RequestFactory()


def test_own_origin_passes_in_any_letter_case(factory):
    request = factory.post("/feedback/", headers={"origin": "HTTP://TestServer"})
    assert not is_cross_site(request)


@override_settings(CSRF_TRUSTED_ORIGINS=["https://Guide.Example.ORG"])
def test_trusted_origin_passes_in_any_letter_case(factory):
    request = factory.post("/feedback/", headers={"origin": "https://guide.example.org"})
    assert not is_cross_site(request)


def test_another_origin_is_cross_site(factory):
    request = factory.post("/feedback/", headers={"origin": "https://testserver.evil.example"})
    assert is_cross_site(request)


@override_settings(FEEDBACK_MAX_REQUEST_BYTES=100)
def test_body_size_limit_is_inclusive(factory):
    at_limit = factory.post("/feedback/", data="x" * 100, content_type="text/plain")
    over = factory.post("/feedback/", data="x" * 101, content_type="text/plain")
    assert not is_too_large(at_limit)
    assert is_too_large(over)


@pytest.mark.parametrize("length", ["abc", "1e3", "  ", "-"])
def test_a_malformed_content_length_is_refused(factory, length):
    request = factory.post("/feedback/", data="", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = length
    assert is_too_large(request)
