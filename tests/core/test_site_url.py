"""Absolute URLs come from DJANGO_SITE_URL only: never the Host header, never a query string."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.views.defaults import server_error

from dryneedling_site.clinics.sitemaps import ClinicSitemap
from dryneedling_site.core.siteurl import parse_site_url
from tests.clinics.factories import make_clinic
from tests.factories import make_article
from tests.html import all_sitemaps, json_ld

SITE = "https://guide.example.org"


def absolute_urls(html: str) -> set[str]:
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)"', html)
    og_url = re.findall(r'<meta property="og:url" content="([^"]*)"', html)
    return set(canonical + og_url)


@pytest.fixture
def other_hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "evil.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["evil.example", "localhost:8443"])
def test_host_header_never_reaches_canonical_og_or_json_ld(client, other_hosts, host):
    article = make_article(slug="needles")
    clinic = make_clinic(name="Riverside PT")
    for path, expected in [
        ("/articles/needles/", f"{SITE}/articles/needles/"),
        (clinic.get_absolute_url(), f"{SITE}{clinic.get_absolute_url()}"),
    ]:
        poisoned = client.get(path, HTTP_HOST=host).content.decode()
        assert absolute_urls(poisoned) == {expected}
        assert json_ld(poisoned)["url"] == expected
        # The next visitor, from the cache, gets the same configured address.
        assert absolute_urls(Client().get(path).content.decode()) == {expected}
    assert article.get_absolute_url() == "/articles/needles/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/?utm_source=x&q=%3Cscript%3E", f"{SITE}/"),
        ("/articles/?page=2&junk=1", f"{SITE}/articles/"),
        ("/find-a-pt/?location=10001&radius=25", f"{SITE}/find-a-pt/"),
    ],
)
def test_canonical_links_carry_no_query_string(client, other_hosts, path, expected):
    html = client.get(path, HTTP_HOST="evil.example").content.decode()
    assert absolute_urls(html) == {expected}


@pytest.mark.django_db
def test_robots_and_sitemaps_ignore_the_host_header(client, other_hosts):
    make_article(slug="needles")
    robots = client.get("/robots.txt", HTTP_HOST="evil.example").content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in robots
    index = client.get("/sitemap.xml", HTTP_HOST="evil.example").content.decode()
    assert "evil.example" not in index
    assert f"<loc>{SITE}/sitemap-articles-1.xml</loc>" in index
    page = client.get("/sitemap-articles-1.xml", HTTP_HOST="evil.example").content.decode()
    assert f"<loc>{SITE}/articles/needles/</loc>" in page


@pytest.mark.parametrize(
    "value", ["guide.example.org", "ftp://guide.example.org", "https://guide.example.org/sub", "https://"]
)
def test_a_bad_site_url_is_refused_at_start(value):
    with pytest.raises(ImproperlyConfigured):
        parse_site_url(value)


def test_site_url_is_normalised():
    assert parse_site_url("https://Guide.Example.org/") == SITE


def test_error_pages_have_no_empty_canonical_or_share_tags(rf, client, db):
    """Django renders 500.html without a request: no canonical, no og: tags, not empty ones."""
    page = server_error(rf.get("/")).content.decode()
    assert "Sorry, something went wrong" in page
    assert 'rel="canonical"' not in page
    assert "og:" not in page
    missing = client.get("/no-such-page/").content.decode()
    assert 'rel="canonical"' not in missing
    assert 'content=""' not in missing


@pytest.mark.django_db
def test_sitemap_index_splits_sections_into_limited_cached_pages(client, monkeypatch):
    monkeypatch.setattr(ClinicSitemap, "limit", 2)
    clinics = [make_clinic(name=f"Clinic {n}") for n in range(5)]
    index = client.get("/sitemap.xml").content.decode()
    pages = re.findall(rf"<loc>{SITE}(/sitemap-clinics-\d+\.xml)</loc>", index)
    assert pages == ["/sitemap-clinics-1.xml", "/sitemap-clinics-2.xml", "/sitemap-clinics-3.xml"]
    listed = []
    for path in pages:
        response = client.get(path)
        found = re.findall(r"<loc>([^<]*)</loc>", response.content.decode())
        assert 1 <= len(found) <= 2
        listed += found
        assert client.get(path)["X-Page-Cache"] == "hit"
    assert sorted(listed) == sorted(f"{SITE}{c.get_absolute_url()}" for c in clinics)
    assert client.get("/sitemap-clinics-4.xml").status_code == 404
    assert client.get("/sitemap-nothing-1.xml").status_code == 404
    assert "/find-a-pt/</loc>" in all_sitemaps(client)
    spanish = re.findall(rf"<loc>{SITE}(/sitemap-clinics-es-\d+\.xml)</loc>", index)
    assert spanish == ["/sitemap-clinics-es-1.xml", "/sitemap-clinics-es-2.xml", "/sitemap-clinics-es-3.xml"]


@pytest.mark.django_db
def test_clinic_pages_are_listed_in_each_language_with_their_alternates(client):
    clinic = make_clinic(name="Harbor PT")
    english, spanish = f"{SITE}/find-a-pt/{clinic.slug}/", f"{SITE}/es/find-a-pt/{clinic.slug}/"
    assert client.get(spanish.removeprefix(SITE)).status_code == 200
    alternates = (
        f'<xhtml:link rel="alternate" hreflang="en" href="{english}"/>'
        f'<xhtml:link rel="alternate" hreflang="es" href="{spanish}"/>'
        f'<xhtml:link rel="alternate" hreflang="x-default" href="{english}"/>'
    )
    for path, location in [("/sitemap-clinics-1.xml", english), ("/sitemap-clinics-es-1.xml", spanish)]:
        page = client.get(path).content.decode()
        assert f"<url><loc>{location}</loc>{alternates}<lastmod>" in page
        assert page.count("<url>") == 1
