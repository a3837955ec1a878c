"""The page cache gives back what the view answered: the status, and the headers it set."""

import pytest

pytestmark = pytest.mark.urls("tests.core.urls_pagecache")


def test_a_redirect_is_never_replayed_as_a_blank_page(client):
    for _ in range(3):
        response = client.get("/moved/")
        assert response.status_code == 302
        assert response["Location"] == "/new-home/"
        assert response["X-Page-Cache"] == "miss"


def test_a_cached_page_keeps_the_headers_its_view_set(client):
    first = client.get("/labelled/")
    second = client.get("/labelled/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == b"<p>Hola</p>"
    assert second["Content-Language"] == "es"
    assert second["X-Robots-Tag"] == "noindex"
    assert second.cookies == {}
