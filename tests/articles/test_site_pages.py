"""About and Privacy: loaded from files, edited by staff, served, cached, linked, exported."""

from io import StringIO

import frontmatter
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dryneedling_site.articles.models import SitePage
from tests.conftest import FIXTURE_ARTICLES, FIXTURE_PAGES
from tests.html import all_sitemaps

ADMIN = "/admin/articles/sitepage/"


def load(pages=FIXTURE_PAGES, *extra) -> str:
    out = StringIO()
    call_command("load_content", str(FIXTURE_ARTICLES), "--pages", str(pages), *extra, stdout=out)
    return out.getvalue()


def page_form(page: SitePage, **changes) -> dict:
    return {
        "slug": page.slug,
        "language": page.language,
        "title": page.title,
        "summary": page.summary,
        "body": page.body,
        **changes,
    }


def test_load_content_creates_the_pages_and_they_are_served(client, db):
    assert "Site pages: 6 created" in load()
    about = client.get("/about/")
    assert about.status_code == 200
    html = about.content.decode()
    assert '<h1 id="page-title">About this fixture guide</h1>' in html
    assert '<h2 id="who-writes-it">Who writes it</h2>' in html
    assert "Fixture text about what is kept." in client.get("/privacy/").content.decode()
    assert "Site pages: 0 created, 0 updated, 6 unchanged" in load()


def test_spanish_pages_serve_spanish_text_and_link_both_ways(client, guide):
    from tests.core.test_languages import alternates, language_switch

    spanish = client.get("/es/about/")
    html = spanish.content.decode()
    assert '<h1 id="page-title">Acerca de esta guía de prueba</h1>' in html
    assert "Escritores de prueba" in html and "solo en inglés" not in html
    assert 'lang="en"' not in html[html.index("<main") :]
    assert "Texto de prueba sobre lo que se guarda." in client.get("/es/privacy/").content.decode()
    english = client.get("/about/")
    assert language_switch(english) == [{"href": "/es/about/", "hreflang": "es", "lang": "es"}]
    assert language_switch(spanish) == [{"href": "/about/", "hreflang": "en", "lang": "en"}]
    assert (
        alternates(spanish)
        == alternates(english)
        == {
            "en": "https://guide.example.org/about/",
            "es": "https://guide.example.org/es/about/",
            "x-default": "https://guide.example.org/about/",
        }
    )


def test_a_language_without_its_page_shows_the_english_text_and_says_so(client, guide):
    from tests.core.test_languages import alternates

    SitePage.objects.filter(slug="privacy", language="es").delete()
    html = client.get("/es/privacy/").content.decode()
    assert "Por ahora, esta página está solo en inglés." in html
    assert '<article class="article site-page" aria-labelledby="page-title" lang="en">' in html
    assert "Fixture text about what is kept." in html
    # No hreflang claims a Spanish text that does not exist.
    assert "es" not in alternates(client.get("/privacy/"))


def test_every_page_links_to_about_and_privacy_in_its_footer(client, guide):
    for url in ("/", "/articles/", "/articles/needles/", "/find-a-pt/", "/about/"):
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert '<a href="/about/">About this guide</a>' in footer, url
        assert '<a href="/privacy/">Privacy</a>' in footer, url
        assert '<a href="/accessibility/">Accessibility</a>' in footer, url
        spanish = client.get(f"/es{url}").content.decode()
        footer = spanish[spanish.index('<footer class="site-footer">') :]
        assert '<a href="/es/about/">Acerca de esta guía</a>' in footer, url
        assert '<a href="/es/privacy/">Privacidad</a>' in footer, url
        assert '<a href="/es/accessibility/">Accesibilidad</a>' in footer, url


def test_missing_page_is_a_404_not_an_error(client, db):
    assert client.get("/about/").status_code == 404


def test_pages_are_in_the_sitemap(client, guide):
    body = all_sitemaps(client)
    assert "<loc>https://guide.example.org/about/</loc>" in body
    assert "<loc>https://guide.example.org/privacy/</loc>" in body
    assert "<loc>https://guide.example.org/es/privacy/</loc>" in body
    assert 'hreflang="es" href="https://guide.example.org/es/about/"' in body
    assert 'hreflang="en" href="https://guide.example.org/about/"' in body


def test_markdown_is_sanitized_on_save(db):
    page = SitePage.objects.create(
        slug="about",
        title="About",
        summary="s",
        body="## Hi\n\n<script>alert(1)</script> [x](javascript:alert(1))",
    )
    assert "<script>" not in page.body_html
    assert "javascript:" not in page.body_html
    assert '<h2 id="hi">Hi</h2>' in page.body_html


def test_editor_edits_a_page_and_the_edit_wins_over_load_content(
    editor_client, guide, django_capture_on_commit_callbacks
):
    page = SitePage.objects.get(slug="about", language="en")
    visitor = Client()
    assert visitor.get("/about/")["X-Page-Cache"] == "miss"
    assert visitor.get("/about/")["X-Page-Cache"] == "hit"
    form = editor_client.get(f"{ADMIN}{page.pk}/change/")
    assert form.status_code == 200 and "markdownx-editor" in form.content.decode()
    body = page.body + "\nWritten by staff today.\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"{ADMIN}{page.pk}/change/", page_form(page, body=body))
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = visitor.get("/about/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Written by staff today." in fresh.content.decode()
    assert page.history.count() == 2

    assert "Skipped page about" in load()
    page.refresh_from_db()
    assert "Written by staff today." in page.body
    load(FIXTURE_PAGES, "--force")
    page.refresh_from_db()
    assert "Written by staff today." not in page.body


def test_editors_cannot_create_or_delete_pages(editor_client, guide):
    page = SitePage.objects.get(slug="privacy", language="en")
    assert editor_client.get(f"{ADMIN}add/").status_code == 403
    assert editor_client.post(f"{ADMIN}{page.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SitePage.objects.filter(slug="privacy").exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("---\nslug: contact\ntitle: T\nsummary: S\n---\nBody\n", "slug"),
        ("---\nslug: about\nsummary: S\n---\nBody\n", "title"),
        ("---\nslug: about\ntitle: T\nsummary: S\nextra: 1\n---\nBody\n", "extra"),
        ("---\nslug: about\ntitle: T\nsummary: S\n---\n\n", "body"),
    ],
)
def test_bad_page_file_loads_nothing(db, tmp_path, text, field):
    (tmp_path / "about.md").write_text(text)
    with pytest.raises(CommandError) as error:
        load(tmp_path)
    assert "Nothing was loaded" in str(error.value) and field in str(error.value)
    assert not SitePage.objects.exists()
    from dryneedling_site.articles.models import Article

    assert not Article.objects.exists()


def test_export_writes_pages_that_load_back(guide, tmp_path):
    call_command(
        "export_content", str(tmp_path / "articles"), "--pages", str(tmp_path / "pages"), stdout=StringIO()
    )
    for name in ("about.md", "es/about.md", "es/privacy.md"):
        exported = frontmatter.load(tmp_path / "pages" / name)
        shipped = frontmatter.load(FIXTURE_PAGES / name)
        assert exported.metadata == shipped.metadata, name
        assert exported.content.strip() == shipped.content.strip(), name
    SitePage.objects.all().delete()
    assert "Site pages: 6 created" in load(tmp_path / "pages")
    spanish = SitePage.objects.get(slug="about", language="es")
    assert spanish.title == "Acerca de esta guía de prueba"
    assert spanish.get_absolute_url() == "/es/about/"


def test_a_page_costs_one_query_then_none_from_the_cache(client, guide, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/privacy/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get("/privacy/")["X-Page-Cache"] == "hit"


def test_the_accessibility_statement_is_served_in_both_languages_and_in_the_sitemap(client, guide):
    english = client.get("/accessibility/").content.decode()
    assert '<h1 id="page-title">Accessibility of this fixture guide</h1>' in english
    spanish = client.get("/es/accessibility/").content.decode()
    assert '<h1 id="page-title">Accesibilidad de esta guía de prueba</h1>' in spanish
    body = all_sitemaps(client)
    assert "<loc>https://guide.example.org/accessibility/</loc>" in body
    assert "<loc>https://guide.example.org/es/accessibility/</loc>" in body
