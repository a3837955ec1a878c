"""export_content writes what load_content reads: a round trip loses nothing."""

from io import StringIO

import frontmatter
from django.core.management import call_command

from dryneedling_site.articles.loader import load_articles, parse_file
from dryneedling_site.articles.models import Article
from tests.conftest import FIXTURE_ARTICLES


def snapshot() -> dict:
    return {
        a.slug: (a.fingerprint(), a.body_html, a.care_call_pt_html, a.key_points_html, a.care_emergency)
        for a in Article.objects.prefetch_related("related", "references")
    }


def test_export_then_load_into_fresh_database_reproduces_articles(guide, tmp_path, django_db_blocker):
    before = snapshot()
    call_command("export_content", str(tmp_path), stdout=StringIO())
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(
        p.name for p in FIXTURE_ARTICLES.glob("*.md")
    )

    Article.objects.all().delete()
    report = load_articles(tmp_path)
    assert len(report.created) == len(before)
    assert snapshot() == before


def test_export_of_loaded_files_differs_only_in_formatting(guide, tmp_path):
    call_command("export_content", str(tmp_path), stdout=StringIO())
    for shipped in FIXTURE_ARTICLES.glob("*.md"):
        exported = tmp_path / shipped.name
        original, again = parse_file(shipped), parse_file(exported)
        # Documented formatting differences: related slugs sorted, YAML re-quoted.
        original["related"] = sorted(original["related"])
        assert again == original, shipped.name
        assert frontmatter.load(exported).content.strip() == frontmatter.load(shipped).content.strip()


def test_export_includes_staff_edits_and_drafts(guide, tmp_path):
    article = guide["needles"]
    article.title = "Needles, edited"
    article.published = False
    article.save()
    call_command("export_content", str(tmp_path), stdout=StringIO())
    meta = frontmatter.load(tmp_path / "needles.md").metadata
    assert meta["title"] == "Needles, edited"
    assert meta["published"] is False


def test_translations_export_to_their_language_folder_and_load_back(guia, tmp_path):
    before = {(a.language, a.slug): a.fingerprint() for a in Article.objects.all()}
    call_command("export_content", str(tmp_path), stdout=StringIO())
    assert sorted(p.name for p in (tmp_path / "es").glob("*.md")) == ["efectos.md", "que-es.md"]
    assert "translation_of: side-effects" in (tmp_path / "es" / "efectos.md").read_text(encoding="utf-8")

    Article.objects.all().delete()
    call_command("load_content", str(tmp_path), stdout=StringIO())
    assert {(a.language, a.slug): a.fingerprint() for a in Article.objects.all()} == before
    assert Article.objects.get(slug="efectos").translation_status == "up to date"
