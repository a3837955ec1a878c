"""Versioned content fingerprints: an upgrade that changes the covered fields re-stamps the rows
nobody edited, so load_content brings them new content (care cards), and still skips staff edits."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dryneedling_site.articles import fingerprints
from dryneedling_site.articles.loader import load_articles
from dryneedling_site.articles.models import Article, Reference, SitePage
from tests.factories import make_article

BEFORE_CARE_CARDS = ("articles", "0004_reference_help_text")


@pytest.mark.django_db
def test_the_models_fingerprints_are_the_current_frozen_schemes():
    """Fails when the covered fields change without a new scheme (and its re-stamping migration)."""
    article = make_article(slug="knee", key_points="One\nTwo", care_call_pt="Swelling", care_emergency=True)
    other = make_article(slug="hip")
    article.related.set([other])
    Reference.objects.create(article=article, authors="A B", title="A paper", year=2020, web_address="")
    translation = make_article(
        slug="rodilla", language="es", translation_of=article, source_fingerprint="a" * 64
    )
    page = SitePage.objects.create(slug="about", title="About", summary="Who we are.", body="Text\n")

    assert article.fingerprint() == fingerprints.row_article_v2(article)
    assert translation.fingerprint() == fingerprints.row_article_v2(translation)
    assert page.fingerprint() == fingerprints.site_page_v1(page)


def write_article(folder: Path, slug: str, title: str) -> None:
    (folder / f"{slug}.md").write_text(
        textwrap.dedent(
            f"""\
            ---
            slug: {slug}
            title: {title}
            summary: A page of the upgrade test.
            position: 1
            key_points:
              - Rest after a visit.
            when_to_get_help:
              call_your_pt:
                - Soreness lasts more than two days
              emergency: true
            ---

            ## After your visit

            Rest and drink water.
            """
        )
    )


@pytest.mark.django_db(transaction=True)
def test_upgrade_from_the_first_release_updates_untouched_articles_and_keeps_edited_ones(tmp_path):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_CARE_CARDS])
    old_apps = executor.loader.project_state([BEFORE_CARE_CARDS]).apps
    OldArticle = old_apps.get_model("articles", "Article")
    OldReference = old_apps.get_model("articles", "Reference")
    common = {
        "summary": "A page of the first release.",
        "position": 1,
        "published": True,
        "last_reviewed": dt.date(2026, 1, 15),
        "next_review_due": dt.date(2027, 1, 15),
        "reviewer_name": "Test Reviewer",
        "reviewer_credentials": "PT",
        "when_to_get_help": "- **Call your PT** if it hurts more.",
    }
    untouched = OldArticle.objects.create(slug="untouched", title="As the first release loaded it", **common)
    OldReference.objects.create(article=untouched, authors="A B", title="A paper", journal="J", year=2020)
    # Stamped as the first release's loader stamped it: the fingerprint of the row as loaded.
    OldArticle.objects.filter(pk=untouched.pk).update(source_hash=fingerprints.row_article_v1(untouched))
    edited = OldArticle.objects.create(slug="edited", title="As loaded", **common)
    OldArticle.objects.filter(pk=edited.pk).update(source_hash=fingerprints.row_article_v1(edited))
    OldArticle.objects.filter(pk=edited.pk).update(title="Retitled by the clinic's staff")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "untouched", "The new release's title")
    write_article(folder, "edited", "The new release's other title")
    report = load_articles(folder)

    assert report.updated == ["untouched"]
    assert report.skipped == ["edited"]
    fresh = Article.objects.get(slug="untouched")
    assert fresh.title == "The new release's title"
    assert fresh.care_emergency and fresh.care_call_pt == "Soreness lasts more than two days"
    assert fresh.has_care_card
    kept = Article.objects.get(slug="edited")
    assert kept.title == "Retitled by the clinic's staff"
    # The first release's help box survives on the kept row, its bold intact.
    assert kept.care_call_pt == "**Call your PT** if it hurts more."


@pytest.mark.django_db
def test_a_row_stamped_by_an_older_scheme_counts_as_edited(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "knee", "First title")
    load_articles(folder)
    # What a release that forgot its re-stamping migration would leave behind.
    Article.objects.filter(slug="knee").update(source_hash_version=fingerprints.ARTICLE_SCHEME - 1)
    write_article(folder, "knee", "Second title")

    assert load_articles(folder).skipped == ["knee"]
    assert Article.objects.get(slug="knee").title == "First title"
