"""A form body in another charset gets the site's 400 page (or JSON), with no traceback logged."""

from __future__ import annotations

import logging

import pytest

from tests.factories import make_article

CHARSETS = ["utf-16", "latin-1", "utf8", "no-such-charset", "UTF-7"]


@pytest.mark.django_db
@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("path", ["/articles/needles/feedback/", "/admin/login/"])
def test_non_utf8_form_gets_the_site_400_page(client, caplog, charset, path):
    make_article(slug="needles")
    with caplog.at_level(logging.WARNING):
        response = client.generic(
            "POST", path, b"helpful=yes", content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read that request" in page
    assert 'class="skip-link"' in page  # the site's own page, not Django's bare one
    assert response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not [record for record in caplog.records if record.exc_info]


@pytest.mark.django_db
def test_json_clients_get_json(client):
    make_article(slug="needles")
    response = client.generic(
        "POST",
        "/articles/needles/feedback/",
        b"helpful=yes",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False


@pytest.mark.django_db
def test_utf8_forms_still_work(client):
    make_article(slug="needles")
    response = client.generic(
        "POST",
        "/articles/needles/feedback/",
        b"helpful=yes&comment=%E6%BC%A2",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 303
