"""Frozen fingerprint schemes: how each release hashed an article to tell staff edits apart.

The loader stamps a row with the fingerprint of what it loaded (`source_hash`) and the scheme it
used (`source_hash_version`); a row whose fingerprint no longer matches was edited in the admin
and is never overwritten. When the fields a fingerprint covers change, every stored stamp
stops matching, and without help an upgraded site would treat every untouched article as a
staff edit and never receive new content (safety cards included). So:

- a scheme here is never edited; a change of covered fields adds a scheme and bumps CURRENT;
- the same release ships a data migration that, for each row still stamped with the old scheme,
  computes the old fingerprint from the row (before any column it needs is dropped), and if it
  still equals the stamp (nobody edited the row), re-stamps the row with the new scheme.

Each function takes plain values (a row from the migration state works as well as a model).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

ARTICLE_SCHEME = 2
SITE_PAGE_SCHEME = 1


def _sha256(normal: dict) -> str:
    encoded = json.dumps(normal, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _common(row: Any, related: list[str]) -> dict:
    return {
        "slug": row.slug,
        "title": row.title,
        "summary": row.summary,
        "body": _text(row.body),
        "position": row.position,
        "published": row.published,
        "last_reviewed": row.last_reviewed,
        "next_review_due": row.next_review_due,
        "reviewer_name": row.reviewer_name,
        "reviewer_credentials": row.reviewer_credentials,
        "related": sorted(related),
    }


def _reference_v1(reference: Any) -> dict:
    return {
        name: getattr(reference, name)
        for name in ("authors", "title", "journal", "year", "citation", "doi", "pmid")
    }


def article_v1(row: Any, related: list[str], references: list[Any]) -> str:
    """Releases up to b0027ce: one free-text "When to get help" box; references without a web
    address."""
    fields = _common(row, related)
    fields["when_to_get_help"] = _text(row.when_to_get_help)
    fields["references"] = [_reference_v1(reference) for reference in references]
    return _sha256(fields)


def article_v2(row: Any, related: list[str], references: list[Any]) -> str:
    """Key points and a three-level care card (migration 0005 on); references with a web
    address. Translations add their language fields (English rows: exactly as before)."""
    fields = _common(row, related)
    for name in ("key_points", "care_call_pt", "care_urgent"):
        fields[name] = _text(getattr(row, name))
    fields["care_emergency"] = row.care_emergency
    fields["references"] = [{**_reference_v1(r), "url": r.web_address} for r in references]
    if getattr(row, "language", "en") != "en":
        fields["language"] = row.language
        fields["translation_of"] = row.translation_of.slug if row.translation_of_id else ""
        fields["source_fingerprint"] = row.source_fingerprint
    return _sha256(fields)


def site_page_v1(row: Any) -> str:
    """Site pages (About, Privacy) since they exist: slug, title, summary, body."""
    # Hashed by the articles' function of the time, which filled in their list fields.
    return _sha256(
        {
            "slug": row.slug,
            "title": row.title,
            "summary": row.summary,
            "body": _text(row.body),
            "key_points": "",
            "care_call_pt": "",
            "care_urgent": "",
            "related": [],
        }
    )


def row_article_v1(row: Any) -> str:
    """article_v1 of a row from the database (a model or the migration state's model)."""
    return article_v1(row, [a.slug for a in row.related.all()], list(row.references.all()))


def row_article_v2(row: Any) -> str:
    """article_v2 of a row from the database."""
    return article_v2(row, [a.slug for a in row.related.all()], list(row.references.all()))


def partial_fingerprint(fields: dict, names: tuple[str, ...]) -> str:
    """SHA-256 of some of an article's fields (a file's parsed fields or a row's), text normalised."""
    return content_fingerprint({name: fields.get(name) for name in names})


def content_fingerprint(fields: dict) -> str:
    """Stable SHA-256 of an article's editable fields (text normalised, related unordered)."""
    normal = dict(fields)
    for key in ("body", "key_points", "care_call_pt", "care_urgent"):  # models.LINE_LIST_FIELDS
        normal[key] = (normal.get(key) or "").replace("\r\n", "\n").strip()
    normal["related"] = sorted(normal.get("related") or [])
    encoded = json.dumps(normal, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
