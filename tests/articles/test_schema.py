"""The article schema is declared once (articles/schema.py): a new field there reaches the
loader, the exporter and the fingerprint, and never changes a hash stored under an older scheme."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from dryneedling_site.articles import exporter, fingerprints, loader, schema
from dryneedling_site.articles import models as article_models
from dryneedling_site.articles.admin.history import diff_against_live
from dryneedling_site.articles.lint import lint_content
from dryneedling_site.articles.models import Article, content_fingerprint
from dryneedling_site.articles.revisions import snapshot
from tests.conftest import FIXTURE_ARTICLES, FIXTURE_PAGES, FIXTURE_REFERENCES
from tests.factories import make_article

FILE = """---
slug: schema-sample
title: Sample title
summary: A short summary.
position: 1
key_points:
  - A first point.
warning_signs:
  - A new kind of list.
  - Its second line.
---

Words of the sample article.
"""

NEXT_SCHEME = fingerprints.ARTICLE_SCHEME + 1


@pytest.fixture
def with_fake_field(monkeypatch):
    """A throwaway section type, "warning_signs" (a list of lines), fingerprinted from the next scheme."""
    fake = schema.ArticleField("warning_signs", "lines", "warning_signs", translated=True, since=NEXT_SCHEME)
    monkeypatch.setattr(schema, "FIELDS", [*schema.FIELDS, fake])
    monkeypatch.setattr(loader, "KNOWN", loader.KNOWN | {"warning_signs"})  # computed at import
    return fake


def test_the_loader_reads_a_field_added_only_to_the_schema(tmp_path: Path, with_fake_field):
    path = tmp_path / "schema-sample.md"
    path.write_text(FILE, encoding="utf-8")
    fields = loader.parse_file(path)
    assert fields["warning_signs"] == "A new kind of list.\nIts second line."
    assert fields["key_points"] == "A first point."


def test_a_file_with_an_undeclared_field_is_refused(tmp_path: Path):
    path = tmp_path / "schema-sample.md"
    path.write_text(FILE, encoding="utf-8")
    with pytest.raises(loader.ContentError, match="warning_signs"):
        loader.parse_file(path)


def test_a_new_field_joins_the_next_fingerprint_scheme_and_leaves_stored_hashes_alone(
    tmp_path: Path, with_fake_field
):
    path = tmp_path / "schema-sample.md"
    path.write_text(FILE, encoding="utf-8")
    fields = loader.parse_file(path)
    without = {name: value for name, value in fields.items() if name != "warning_signs"}

    current = content_fingerprint(schema.fingerprinted(fields))
    assert current == content_fingerprint(schema.fingerprinted(without))  # stored hashes still match
    assert "warning_signs" not in schema.fingerprinted(fields)
    assert schema.fingerprinted(fields, NEXT_SCHEME)["warning_signs"] == fields["warning_signs"]
    edited = {**fields, "warning_signs": "Changed."}
    assert content_fingerprint(schema.fingerprinted(edited, NEXT_SCHEME)) != content_fingerprint(
        schema.fingerprinted(fields, NEXT_SCHEME)
    )


def test_the_exporter_writes_a_field_added_only_to_the_schema(with_fake_field, db):
    article = Article.objects.create(slug="schema-sample", title="T", summary="S", body="Words.", position=1)
    article.warning_signs = "One.\nTwo."  # the model field the new section type would add
    assert exporter.article_front_matter(article)["warning_signs"] == ["One.", "Two."]


def test_the_loaders_fingerprint_is_unchanged_by_the_schema(tmp_path: Path):
    """Scheme 2 over the schema's fields is the hash the loader stored before the schema existed."""
    path = tmp_path / "schema-sample.md"
    path.write_text(FILE.replace("warning_signs:\n  - A new kind of list.\n  - Its second line.\n", ""))
    fields = loader.parse_file(path)
    assert content_fingerprint(schema.fingerprinted(fields)) == content_fingerprint(fields)


def test_the_models_field_groups_are_the_schemas():
    """Until articles/models.py imports them from the schema, they must say the same."""
    assert article_models.TRANSLATED_FIELDS == schema.TRANSLATED_FIELDS
    assert article_models.REVIEWED_FIELDS == schema.REVIEWED_FIELDS
    assert article_models.LINE_LIST_FIELDS == schema.LINE_LIST_FIELDS


def test_every_article_model_field_is_declared():
    assert schema.undeclared_fields(Article) == []


def test_every_site_page_model_field_is_declared_and_the_admin_form_shows_the_editable_ones(admin_client):
    from dryneedling_site.articles.models import SitePage

    assert schema.undeclared_site_page_fields(SitePage) == []
    html = admin_client.get("/admin/articles/sitepage/add/").content.decode()
    for name in schema.SITE_PAGE_EDITABLE:
        assert f'name="{name}"' in html


@isolate_apps("dryneedling_site.articles")
def test_a_model_field_in_none_of_the_schemas_groups_is_reported():
    class WithANewSection(models.Model):
        title = models.CharField(max_length=120)
        warning_signs = models.TextField(blank=True)
        warning_signs_html = models.TextField(editable=False, default="")

        class Meta:
            app_label = "articles"

        def __str__(self) -> str:
            return self.title

    assert schema.undeclared_fields(WithANewSection) == ["warning_signs", "warning_signs_html"]


# A throwaway section type with a model field of its own: the schema entry and two columns
# (the text and its rendering), as a migration would add them; nothing else is edited.


@pytest.fixture
def warning_signs_column(with_fake_field, db):
    """The "warning_signs" model field (and its rendered _html) for the length of one test, on
    the article and its history, as a migration would add them."""
    added = []
    with connection.cursor() as cursor:
        for model in (Article, Article.history.model):
            for name in ("warning_signs", "warning_signs_html"):
                table = model._meta.db_table
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN {name} text NOT NULL DEFAULT ''")
                field = models.TextField(name.replace("_", " ").capitalize(), blank=True, default="")
                field.contribute_to_class(model, name)
                added.append((model, field))
    try:
        yield
    finally:
        for model, field in added:
            model._meta.local_fields.remove(field)
            delattr(model, field.name)
            model._meta._expire_cache()


def test_a_new_field_passes_the_content_checks_and_a_translation_follows_it(
    tmp_path: Path, with_fake_field, db
):
    folder = Path(shutil.copytree(FIXTURE_ARTICLES, tmp_path / "articles"))
    english = folder / "needles.md"  # no translation: the new section is a plain change
    english.write_text(english.read_text().replace("key_points:", "warning_signs:\n  - New.\nkey_points:", 1))
    assert lint_content(folder, FIXTURE_REFERENCES, FIXTURE_PAGES).findings == []

    # The translation check reads the schema: the new section in a translated English article
    # makes its translation out of date; without it, every translation stays current.
    translated = folder / "side-effects.md"
    translated.write_text(translated.read_text().replace("---\n\n", "warning_signs:\n  - New.\n---\n\n", 1))
    findings = lint_content(folder, FIXTURE_REFERENCES, FIXTURE_PAGES).findings
    assert [(Path(f.article).name, f.rule) for f in findings] == [("efectos.md", "translation")]


def test_the_admin_form_shows_a_field_added_to_the_schema(editor_client, warning_signs_column):
    fake = schema.ArticleField(
        "warning_signs", "lines", "warning_signs", translated=True, reviewed=True, since=NEXT_SCHEME,
        group="When to get help",
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "FIELDS", [*schema.FIELDS[:-1], fake, schema.FIELDS[-1]])
        article = make_article(warning_signs="Sudden weakness.")
        html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    section = html.split("When to get help", 1)[1].split("</fieldset>", 1)[0]
    assert 'name="warning_signs"' in section
    assert "Sudden weakness." in section


def test_the_sign_off_diff_shows_a_field_added_to_the_schema(warning_signs_column, with_fake_field):
    fake = schema.ArticleField(
        "warning_signs", "lines", "warning_signs", translated=True, reviewed=True, since=NEXT_SCHEME
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "FIELDS", [*schema.FIELDS, fake])
        article = make_article()
        article.reviewed_fingerprint = article.review_fingerprint()
        article.reviewed_version = snapshot(article)
        article.save()
        assert not article.changed_since_review  # an empty new section leaves the sign-off valid

        article.warning_signs = "Sudden weakness."
        article.save()
        assert article.changed_since_review
        diff = str(diff_against_live(article))
    assert "<h3>Warning signs</h3>" in diff
    assert "Sudden weakness." in diff
