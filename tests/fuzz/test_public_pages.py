"""Hostile and random input to public pages never causes a server error (hypothesis)."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling_site.articles.models import Article

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HOSTILE_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),  # encodable text
    st.sampled_from(
        [
            "../../etc/passwd",
            "%00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00\x01\x02",
            "a" * 5000,
            "%ff%fe",
            "😀" * 50,
            "{{7*7}}",
            "${jndi:ldap://x}",
        ]
    ),
)


@pytest.fixture
def guide_snapshot(guide):
    return list(Article.objects.order_by("pk").values_list("pk", "updated_at"))


@FUZZ
@given(slug=HOSTILE_TEXT)
def test_article_urls_with_odd_slugs(client, guide_snapshot, slug):
    response = client.get("/articles/" + quote(slug, safe="").replace("%2F", "/") + "/")
    assert response.status_code in (200, 301, 302, 404), response.status_code
    assert list(Article.objects.order_by("pk").values_list("pk", "updated_at")) == guide_snapshot


@FUZZ
@given(key=HOSTILE_TEXT, value=HOSTILE_TEXT)
def test_query_strings_on_public_pages(client, guide, key, value):
    for path in ("/", "/articles/", "/articles/needles/", "/sitemap.xml", "/robots.txt"):
        response = client.get(path, {key[:100]: value})
        assert response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/articles/%ff%fe/",
        b"/articles/%c0%ae%c0%ae/",
        b"/%00/",
        b"/articles/needles/?q=%ff",
        b"/articles/" + b"a" * 4000 + b"/",
    ],
)
def test_non_utf8_and_overlong_paths(client, guide, raw_path):
    path, _, query = raw_path.partition(b"?")
    response = client.generic("GET", path.decode("latin-1"), QUERY_STRING=query.decode("latin-1"))
    assert response.status_code < 500
