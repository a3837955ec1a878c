"""The page cache gives back what the view answered (status and headers), and only a 200 is public."""

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


@pytest.mark.parametrize(
    ("path", "status"), [("/moved/", 302), ("/moved-for-good/", 301), ("/missing/", 404)]
)
def test_only_a_200_tells_browsers_and_proxies_to_keep_it(client, settings, path, status):
    """A proxy or browser keeps what is marked public: a page that is missing today, or a
    redirect, must not be kept in front of the site as if it were the page."""
    settings.PAGE_CACHE_BROWSER_SECONDS = 300
    response = client.get(path)
    assert response.status_code == status
    cache_control = response.get("Cache-Control", "")
    assert "public" not in cache_control
    assert "max-age=300" not in cache_control
    assert not response.has_header("Last-Modified")


def test_a_200_is_marked_public_for_browsers_and_proxies(client, settings):
    settings.PAGE_CACHE_BROWSER_SECONDS = 300
    response = client.get("/labelled/")
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_a_parameter_given_twice_is_answered_but_never_stored(client):
    """Repeating a parameter would let one address make endless cache entries."""
    first = client.get("/search/?q=knee&q=back")
    second = client.get("/search/?q=knee&q=back")
    assert first.status_code == second.status_code == 200
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "miss")
    once = [client.get("/search/?q=knee")["X-Page-Cache"] for _ in range(2)]
    assert once == ["miss", "hit"]


def test_a_public_page_tells_shared_caches_it_differs_by_cookie(client):
    # A proxy or browser that kept the signed-out copy must not hand it to a signed-in staff
    # member (their cookies differ), on the first answer and on a cached one alike.
    for expected in ("miss", "hit"):
        response = client.get("/labelled/")
        assert response["X-Page-Cache"] == expected
        assert "public" in response["Cache-Control"]
        assert "Cookie" in [part.strip() for part in response["Vary"].split(",")]
