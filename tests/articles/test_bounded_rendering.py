"""Pathological Markdown renders quickly or is refused with a clear message (issue 11.5)."""

from __future__ import annotations

import pytest

from dryneedling_site.articles.markdown import MarkdownTooComplex, render
from dryneedling_site.articles.models import Article
from tests.articles.test_admin import change_form_data
from tests.factories import make_article

PREVIEW = "/editor/markdownify/"

REFUSED = {
    "thousands of [": "[" * 5000,
    "many [ in one paragraph": "see [x " * 150,
    "deeply nested quotes": ">" * 500 + " deep",
    "deeply nested lists": "".join("    " * level + "- item\n" for level in range(40)),
    "too long": "a" * 200_001,
}


@pytest.mark.parametrize("source", REFUSED.values(), ids=REFUSED.keys())
def test_pathological_markdown_is_refused_with_a_message(source):
    with pytest.raises(MarkdownTooComplex) as refusal:
        render(source)
    assert "at most" in str(refusal.value)


def test_ordinary_long_text_with_many_links_still_renders():
    source = "\n\n".join(f"See [source {n}](https://example.com/{n}) and **note** {n}." for n in range(300))
    html = render(source + "\n\n" + "a very long line " * 10_000)
    assert html.count('rel="noopener"') == 300


def test_saving_pathological_markdown_in_the_admin_is_a_form_error(editor_client, db):
    article = make_article(slug="bounded-article", body="## Fine\n\nFine text.\n")
    response = editor_client.post(
        f"/admin/articles/article/{article.pk}/change/", change_form_data(article, body="[" * 5000)
    )
    assert response.status_code == 200  # the form again, with the error
    assert "too many “[” characters" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "## Fine\n\nFine text.\n"


def test_the_preview_refuses_pathological_markdown_with_a_400(editor_client):
    response = editor_client.post(PREVIEW, {"content": ">" * 500 + " deep"})
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()


def test_the_preview_refuses_an_oversized_body_before_reading_it(editor_client):
    response = editor_client.post(PREVIEW, {"content": "a" * 2_000_000})
    assert response.status_code == 413
    assert "too long" in response.content.decode()


def test_the_preview_is_rate_limited_per_editor(editor_client, django_user_model, client):
    statuses = [editor_client.post(PREVIEW, {"content": "Hello"}).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    limited = editor_client.post(PREVIEW, {"content": "Hello"})
    assert limited["Retry-After"] == "60"
    # Another editor is not affected.
    other = django_user_model.objects.create_superuser("other-editor", "o@example.com", "pw")
    client.force_login(other)
    assert client.post(PREVIEW, {"content": "Hello"}).status_code == 200


def test_the_loader_refuses_a_pathological_file(tmp_path, db):
    from dryneedling_site.articles.loader import ContentError, load_articles

    (tmp_path / "bad.md").write_text(
        "---\ntitle: Bad\nslug: bad\nsummary: s\nposition: 1\npublished: true\n"
        "last_reviewed: 2026-01-01\nreviewer_name: R\n---\n" + "[" * 5000 + "\n"
    )
    with pytest.raises(ContentError, match="too many"):
        load_articles(tmp_path)
    assert not Article.objects.filter(slug="bad").exists()


def test_a_site_page_with_pathological_markdown_is_a_form_error(admin_client, db):
    response = admin_client.post(
        "/admin/articles/sitepage/add/",
        {
            "slug": "about",
            "language": "en",
            "title": "About",
            "summary": "A summary of the page.",
            "body": "[" * 150,
        },
    )
    assert response.status_code == 200
    assert "too many “[” characters" in response.content.decode()
    from dryneedling_site.articles.models import SitePage

    assert not SitePage.objects.exists()


def test_load_content_names_the_page_or_key_point_that_is_too_complex(tmp_path):
    from dryneedling_site.articles.loader import ContentError, _lines, parse_page_file

    page = tmp_path / "about.md"
    page.write_text("---\nslug: about\ntitle: About\nsummary: A summary.\n---\n" + "[" * 150 + "\n")
    with pytest.raises(ContentError, match="body"):
        parse_page_file(page)
    with pytest.raises(ContentError, match="key_points"):
        _lines(page, "key_points", ["[" * 150])
