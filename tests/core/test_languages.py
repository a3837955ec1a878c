"""English at today's URLs, Spanish under /es/: the URL alone decides, and caching keeps them apart."""

from __future__ import annotations

import pytest

from tests.html import elements


def html_lang(response) -> str:
    return next(attrs["lang"] for tag, attrs in elements(response.content.decode()) if tag == "html")


def language_switch(response) -> list[dict]:
    """The "Español" / "English" links of the page (the nav's language item)."""
    return [
        attrs
        for tag, attrs in elements(response.content.decode())
        if tag == "a" and attrs.get("lang") and attrs.get("hreflang")
    ]


def alternates(response) -> dict[str, str]:
    return {
        attrs["hreflang"]: attrs["href"]
        for tag, attrs in elements(response.content.decode())
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs
    }


@pytest.mark.parametrize("path", ["/", "/articles/", "/find-a-pt/", "/about/"])
def test_english_keeps_its_addresses_and_spanish_lives_under_es(client, guide, path):
    english = client.get(path)
    spanish = client.get(f"/es{path}")
    assert english.status_code == spanish.status_code == 200
    assert html_lang(english) == "en"
    assert html_lang(spanish) == "es"
    assert spanish["Content-Language"] == "es"


def test_no_guessing_from_browser_language_or_cookie(client, guide):
    response = client.get("/", headers={"accept-language": "es"}, HTTP_COOKIE="django_language=es")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Accept-Language" not in response.get("Vary", "")
    assert html_lang(client.get("/es/", headers={"accept-language": "en"})) == "es"


def test_staff_and_machine_endpoints_stay_unprefixed(client, db):
    assert client.get("/es/robots.txt").status_code == 404
    assert client.get("/es/healthz").status_code == 404
    assert client.get("/robots.txt").status_code == 200


def test_cached_english_page_never_serves_spanish_or_the_reverse(client, guide):
    first_en = client.get("/articles/")
    first_es = client.get("/es/articles/")
    assert first_en["X-Page-Cache"] == "miss" and first_es["X-Page-Cache"] == "miss"
    for _ in range(2):
        again_en = client.get("/articles/")
        again_es = client.get("/es/articles/")
        assert again_en["X-Page-Cache"] == "hit" and again_es["X-Page-Cache"] == "hit"
        assert html_lang(again_en) == "en" and html_lang(again_es) == "es"
        assert again_en.content == first_en.content
        assert again_es.content == first_es.content
    # Asking the English address in Spanish (header or cookie) still gets the English copy.
    asked = client.get("/articles/", headers={"accept-language": "es"}, HTTP_COOKIE="django_language=es")
    assert html_lang(asked) == "en"


def test_every_page_links_to_the_other_language_and_names_alternates(client, guide):
    english = client.get("/find-a-pt/")
    assert language_switch(english) == [{"href": "/es/find-a-pt/", "hreflang": "es", "lang": "es"}]
    assert ">Español</a>" in english.content.decode()
    assert alternates(english) == {
        "en": "https://guide.example.org/find-a-pt/",
        "es": "https://guide.example.org/es/find-a-pt/",
        "x-default": "https://guide.example.org/find-a-pt/",
    }
    spanish = client.get("/es/find-a-pt/")
    assert language_switch(spanish) == [{"href": "/find-a-pt/", "hreflang": "en", "lang": "en"}]
    assert ">English</a>" in spanish.content.decode()
    assert alternates(spanish) == alternates(english)


def test_sitemap_lists_each_language_with_alternates(client, guide):
    body = client.get("/sitemap-pages-1.xml").content.decode()
    assert "<loc>https://guide.example.org/es/find-a-pt/</loc>" in body
    assert 'hreflang="es" href="https://guide.example.org/es/articles/"' in body
    assert 'hreflang="x-default" href="https://guide.example.org/articles/"' in body


def test_sitemap_lists_translated_articles_and_site_pages_with_alternates(client, guia):
    articles = client.get("/sitemap-articles-1.xml").content.decode()
    assert "<loc>https://guide.example.org/es/articles/efectos/</loc>" in articles
    assert 'hreflang="es" href="https://guide.example.org/es/articles/efectos/"' in articles
    assert 'hreflang="en" href="https://guide.example.org/articles/side-effects/"' in articles
    pages = client.get("/sitemap-site-pages-1.xml").content.decode()
    assert "<loc>https://guide.example.org/about/</loc>" in pages
    assert "<loc>https://guide.example.org/es/about/</loc>" in pages
    assert 'hreflang="es" href="https://guide.example.org/es/privacy/"' in pages


def test_spanish_pages_write_numbers_the_us_way(client, guia, settings):
    settings.FEEDBACK_COMMENT_MAX_LENGTH = 1500
    html = client.get("/es/articles/efectos/").content.decode()
    assert "Puede escribir hasta 1,500 caracteres." in html
    assert 'data-number-locale="es-US"' in html


def test_a_database_outage_on_a_spanish_page_is_a_spanish_503(client, db, monkeypatch):
    from django.db import OperationalError, connection

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/es/articles/")
    monkeypatch.undo()
    assert response.status_code == 503
    assert html_lang(response) == "es"
    assert "<h1>Volvemos en un momento</h1>" in response.content.decode()


def test_the_switch_keeps_the_search_its_page_and_the_clinic_with_its_way_back(client, guide):
    from tests.clinics.factories import make_clinic

    search = "location=10001&radius=10&name=Harbor&dry_needling=maybe&new_patients=on&language=spanish&page=2"
    response = client.get(f"/find-a-pt/?{search}&utm_source=mail")
    assert language_switch(response)[0]["href"] == f"/es/find-a-pt/?{search}"
    coordinates = "lat=40.748&lon=-73.997"
    assert language_switch(client.get(f"/es/find-a-pt/?{coordinates}"))[0]["href"] == (
        f"/find-a-pt/?{coordinates}"
    )
    clinic = make_clinic(name="Sample Harbor Physical Therapy", is_sample=True)
    page = client.get(f"{clinic.get_absolute_url()}?location=10001&page=2")
    switched = language_switch(page)[0]["href"]
    assert switched == f"/es{clinic.get_absolute_url()}?location=10001&page=2"
    # ...and the Spanish clinic page it leads to still has the way back to those results.
    assert 'href="/es/find-a-pt/?location=10001&amp;page=2"' in client.get(switched).content.decode()


def test_the_switch_adds_nothing_to_pages_without_parameters(client, guide):
    assert language_switch(client.get("/articles/?page=2&x=1"))[0]["href"] == "/es/articles/"
    assert language_switch(client.get("/about/?location=1"))[0]["href"] == "/es/about/"
