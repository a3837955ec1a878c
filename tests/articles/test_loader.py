"""load_content: creates, updates, leaves alone, protects staff edits, rolls back on bad files."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dryneedling_site.articles.models import Article, Reference
from tests.conftest import FIXTURE_ARTICLES, GUIDE_ORDER

ARTICLE = """---
slug: {slug}
title: {title}
summary: A short summary.
position: {position}
last_reviewed: 2026-01-10
reviewer_name: Test Reviewer
reviewer_credentials: PT
related: {related}
references:
  - authors: Kalichman L, Vulfsons S
    title: Dry needling in the management of musculoskeletal pain
    journal: J Am Board Fam Med
    year: 2010
    citation: "23(5):640-646"
    doi: 10.3122/jabfm.2010.05.090296
---

## Section

{body}
"""


def write(folder: Path, slug: str, *, title="Title", position=1, related="[]", body="Words.") -> Path:
    path = folder / f"{slug}.md"
    path.write_text(ARTICLE.format(slug=slug, title=title, position=position, related=related, body=body))
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("load_content", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "first", title="First", position=1, related="[second]")
    write(tmp_path, "second", title="Second", position=2)
    return tmp_path


def test_creates_articles_with_references_and_related(db, folder):
    assert "2 created, 0 updated, 0 unchanged, 0 skipped" in run(folder)
    first = Article.objects.get(slug="first")
    assert first.title == "First"
    assert first.published is True
    assert str(first.next_review_due) == "2027-01-10"  # 12 months after last review
    assert '<h2 id="section">Section</h2>' in first.body_html
    assert [a.slug for a in first.related.all()] == ["second"]
    assert first.references.get().url == "https://doi.org/10.3122/jabfm.2010.05.090296"
    assert first.source_hash == first.fingerprint()


def test_second_run_on_unchanged_files_writes_nothing(db, folder, django_assert_max_num_queries):
    run(folder)
    stamps = dict(Article.objects.values_list("slug", "updated_at"))
    with django_assert_max_num_queries(20) as queries:
        output = run(folder)
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in output
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert dict(Article.objects.values_list("slug", "updated_at")) == stamps


def test_changed_file_updates_article(db, folder):
    run(folder)
    write(folder, "second", title="Second, revised", position=2, body="New words.")
    assert "0 created, 1 updated, 1 unchanged, 0 skipped" in run(folder)
    second = Article.objects.get(slug="second")
    assert second.title == "Second, revised"
    assert "New words." in second.body_html
    assert second.references.count() == 1


def test_staff_edit_survives_reload_and_force_overwrites(db, folder):
    run(folder)
    article = Article.objects.get(slug="first")
    article.body = "## Section\n\nEdited by staff."
    article.save()
    write(folder, "first", title="First from file", position=1, related="[second]")

    output = run(folder)
    assert "Skipped first: edited in the admin" in output
    assert "0 created, 0 updated, 1 unchanged, 1 skipped" in output
    article.refresh_from_db()
    assert "Edited by staff." in article.body_html
    assert article.title == "First"

    assert "1 updated" in run(folder, "--force")
    article.refresh_from_db()
    assert article.title == "First from file"
    assert "Edited by staff." not in article.body_html
    assert "0 updated, 2 unchanged" in run(folder)


def test_staff_edit_to_references_counts_as_edit(db, folder):
    run(folder)
    Reference.objects.filter(article__slug="first").update(year=2011)
    assert "Skipped first" in run(folder)


def test_dry_run_reports_but_saves_nothing(db, folder):
    output = run(folder, "--dry-run")
    assert "Dry run, nothing saved: 2 created" in output
    assert "reading grade" in output
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ("---\nslug: bad\ntitle: [unclosed\n---\nBody\n", "front matter"),
        ("No front matter at all.\n", "front matter"),
        (
            "---\nslug: bad\nsummary: s\nposition: 3\nlast_reviewed: 2026-01-01\n"
            "reviewer_name: R\n---\nBody\n",
            "title",
        ),
        (
            "---\nslug: bad\ntitle: T\nsummary: s\nposition: 3\nlast_reviewed: 01/02/2026\n"
            "reviewer_name: R\n---\nB\n",
            "last_reviewed",
        ),
        (
            "---\nslug: Bad Slug\ntitle: T\nsummary: s\nposition: 3\nlast_reviewed: 2026-01-01\n"
            "reviewer_name: R\n---\nB\n",
            "slug",
        ),
        (
            "---\nslug: bad\ntitle: T\nsummary: " + "x" * 161 + "\nposition: 3\nlast_reviewed: 2026-01-01\n"
            "reviewer_name: R\n---\nB\n",
            "summary",
        ),
        (
            "---\nslug: bad\ntitle: T\nsummary: s\nposition: 3\nlast_reviewed: 2026-01-01\nreviewer_name: R\n"
            "related: [missing]\n---\nB\n",
            "related",
        ),
        (
            "---\nslug: bad\ntitle: T\nsummary: s\nposition: 3\nlast_reviewed: 2026-01-01\nreviewer_name: R\n"
            "references:\n  - title: X\n---\nB\n",
            "references[1].authors",
        ),
    ],
)
def test_bad_file_stops_run_and_leaves_database_as_it_was(db, folder, broken, field):
    run(folder)
    before = list(Article.objects.order_by("slug").values_list("slug", "title", "updated_at"))
    write(folder, "second", title="Would change", position=2)
    (folder / "zz-bad.md").write_text(broken)

    with pytest.raises(CommandError) as error:
        run(folder)
    message = str(error.value)
    assert "Nothing was loaded" in message
    assert "zz-bad.md" in message
    assert field in message
    assert list(Article.objects.order_by("slug").values_list("slug", "title", "updated_at")) == before


def test_missing_folder_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        run(tmp_path / "nope")


def test_fixture_guide_loads_in_order_with_key_points_and_care_cards(db, tmp_path):
    shutil.copytree(FIXTURE_ARTICLES, tmp_path / "articles")
    # The English guide and its two Spanish translations (articles/es/).
    assert f"{len(GUIDE_ORDER) + 2} created" in run(tmp_path / "articles")
    assert list(Article.objects.published().in_language("en").values_list("slug", flat=True)) == GUIDE_ORDER
    for article in Article.objects.all():
        assert len(article.sections) >= 2, article.slug
        assert article.key_points_html.count("<li>") == 3, article.slug
        assert not article.is_reviewed or article.slug == "needles"
    side_effects = Article.objects.get(slug="side-effects")
    assert side_effects.care_emergency
    assert "<li>A spot looks red and hot</li>" in side_effects.care_urgent_html
    assert "<ul>" in Article.objects.get(slug="aftercare").body_html
