"""The article schema is declared once (articles/schema.py): a new field there reaches the
loader, the exporter and the fingerprint, and never changes a hash stored under an older scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from dryneedling_site.articles import exporter, fingerprints, loader, models, schema
from dryneedling_site.articles.models import Article, content_fingerprint

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
    assert models.TRANSLATED_FIELDS == schema.TRANSLATED_FIELDS
    assert models.REVIEWED_FIELDS == schema.REVIEWED_FIELDS
    assert models.LINE_LIST_FIELDS == schema.LINE_LIST_FIELDS


def test_every_editable_article_field_is_in_the_schema():
    declared = {f.name for f in schema.FIELDS}
    bookkeeping = {"id", "source_hash", "source_hash_version", "source_path", "reviewed_fingerprint"}
    editable = {
        f.name
        for f in Article._meta.get_fields()
        if getattr(f, "editable", False) and not f.auto_created and not f.name.endswith("_html")
    }
    assert editable - declared - bookkeeping == set()
