"""An article's fields, declared once: what each is, where it sits in a file, what covers it.

The loader (front matter -> fields), the exporter (fields -> front matter), the fingerprints
(what tells a staff edit from an untouched row), the translation check (what a translation
translates) and the sign-off (what a clinician vouches for) read this list instead of keeping
their own, and so do the admin's edit screen (an entry's `group` is its section there), the
sign-off's diff against the live text and the translation check (`translated` fields). Adding a
section type ("lines": a list of one-line texts) is an entry here plus its model field and
migration (articles/models.py, articles/migrations/), and its place on the public page
(articles/templates/articles/article_detail.html): docs/articles.md, "Adding a section type".
Every model field is an entry here or in DERIVED or BOOKKEEPING (`undeclared_fields`, tested).

Fingerprints are versioned (articles/fingerprints.py): an entry says from which scheme on it is
fingerprinted, so a new field joins scheme CURRENT+1 and the hashes stored under older schemes
stay what they were (the data migration that re-stamps untouched rows is described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .fingerprints import ARTICLE_SCHEME

# Bump when an entry is added, removed or changes meaning (docs: adding a section type).
SCHEMA_VERSION = 1

Kind = Literal["text", "markdown", "lines", "flag", "number", "date", "slugs", "references", "meta"]
# Kinds staff read as text: the history and the sign-off show them as a line diff.
TEXT_KINDS = ("text", "markdown", "lines")
# The admin edits these in an inline below the form, not as a field of it.
INLINE = "inline"


@dataclass(frozen=True)
class ArticleField:
    """One field of an article as files, fingerprints, translations and reviews see it."""

    name: str  # the model field (and the loader's key)
    kind: Kind
    front_matter: str = ""  # its key in a file ("" = the body; "a.b" = key b of section a)
    translated: bool = False  # a change makes translations out of date
    reviewed: bool = False  # a clinician's sign-off covers it
    since: int | None = 1  # first fingerprint scheme covering it; None: never
    translation_only: bool = False  # present (and fingerprinted) only on a translation's row
    group: str = ""  # its section on the admin's edit screen ("" = the first; INLINE = an inline)
    label: str = ""  # what staff call it in diffs (default: the name); the admin is in English

    @property
    def heading(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def in_scheme(self, scheme: int) -> bool:
        return self.since is not None and self.since <= scheme

    @property
    def section(self) -> str:
        """The front-matter section holding it ("when_to_get_help"), or "" at the top level."""
        return self.front_matter.partition(".")[0] if "." in self.front_matter else ""

    @property
    def key(self) -> str:
        """Its key inside its section (or at the top level)."""
        return self.front_matter.rpartition(".")[2]


FIELDS: list[ArticleField] = [
    # In the order the admin's edit screen shows them, section by section.
    ArticleField("language", "meta", "language", translation_only=True, since=2, group="Language"),
    ArticleField(
        "translation_of", "meta", "translation_of", translation_only=True, since=2, group="Language"
    ),
    ArticleField(
        "source_fingerprint", "meta", "source_fingerprint", translation_only=True, since=2, group="Language"
    ),
    ArticleField("title", "text", "title", translated=True, label="Title"),
    ArticleField("slug", "text", "slug"),
    ArticleField("summary", "text", "summary", translated=True, label="Summary"),
    ArticleField(
        "key_points", "lines", "key_points", translated=True, reviewed=True, since=2, label="Key points"
    ),
    ArticleField("body", "markdown", "", translated=True, reviewed=True, label="Text"),
    ArticleField(
        "care_call_pt",
        "lines",
        "when_to_get_help.call_your_pt",
        translated=True,
        reviewed=True,
        since=2,
        group="When to get help",
        label="Call your PT",
    ),
    ArticleField(
        "care_urgent",
        "lines",
        "when_to_get_help.urgent_care",
        translated=True,
        reviewed=True,
        since=2,
        group="When to get help",
        label="Get urgent care today",
    ),
    ArticleField(
        "care_emergency",
        "flag",
        "when_to_get_help.emergency",
        translated=True,
        reviewed=True,
        since=2,
        group="When to get help",
        label="The “Call 911” card",
    ),
    ArticleField("published", "flag", "published", group="In the guide"),
    ArticleField("position", "number", "position", group="In the guide"),
    ArticleField("related", "slugs", "related", group="In the guide"),
    ArticleField("last_reviewed", "date", "last_reviewed", group="Clinical review"),
    ArticleField("next_review_due", "date", "next_review_due", group="Clinical review"),
    ArticleField("reviewer_name", "text", "reviewer_name", group="Clinical review"),
    ArticleField("reviewer_credentials", "text", "reviewer_credentials", group="Clinical review"),
    ArticleField(
        "references",
        "references",
        "references",
        translated=True,
        reviewed=True,
        group=INLINE,
        label="References",
    ),
]

# Model fields computed on save from the declared ones (never edited, never in a file); each
# "lines" field also has its rendered `<name>_html`.
DERIVED = frozenset({"body_html", "reading_grade", "reading_ease", "word_count", "reading_minutes"})
# Model fields the site keeps about a row: where it came from, its stamps, its review state.
BOOKKEEPING = frozenset(
    {"id", "source_path", "source_hash", "source_hash_version", "updated_at"}
    | {"reviewed_fingerprint", "reviewed_version", "urgent_update_on"}
    | {"translation_checked_by", "translation_checked_at"}
)


def undeclared_fields(model: Any) -> list[str]:
    """A model's own fields in none of the groups (FIELDS, DERIVED, BOOKKEEPING): each must be
    declared, or the loader, exporter, fingerprints and admin would silently leave it out."""
    rendered = {f"{f.name}_html" for f in FIELDS if f.kind == "lines"}
    declared = {f.name for f in FIELDS} | rendered | DERIVED | BOOKKEEPING
    own = [f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete]
    return sorted(name for name in own if name not in declared)


# Site pages (About, Privacy, Accessibility): a file's front matter plus its Markdown body,
# edited on one admin screen. Their fingerprint is the frozen fingerprints.site_page_v1.
SITE_PAGE_FRONT_MATTER = ("slug", "title", "summary")
SITE_PAGE_EDITABLE = ("slug", "language", *SITE_PAGE_FRONT_MATTER[1:], "body")
SITE_PAGE_DERIVED = frozenset({"body_html"})
SITE_PAGE_BOOKKEEPING = frozenset({"id", "source_path", "source_hash", "source_hash_version", "updated_at"})


def undeclared_site_page_fields(model: Any) -> list[str]:
    """A site page model's own fields in none of its groups (as undeclared_fields for articles)."""
    declared = set(SITE_PAGE_EDITABLE) | SITE_PAGE_DERIVED | SITE_PAGE_BOOKKEEPING
    own = [f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete]
    return sorted(name for name in own if name not in declared)


def fields(*, kind: Kind | None = None, section: str | None = None) -> list[ArticleField]:
    """The declared fields, optionally of one kind and/or in one front-matter section."""
    return [
        f for f in FIELDS if (kind is None or f.kind == kind) and (section is None or f.section == section)
    ]


def names(*, translated: bool = False, reviewed: bool = False, kind: Kind | None = None) -> tuple[str, ...]:
    """Field names with the given properties, in declaration order."""
    return tuple(
        f.name for f in fields(kind=kind) if (not translated or f.translated) and (not reviewed or f.reviewed)
    )


# The review and translation fingerprints (what a sign-off covered, which English a translation
# was made from) are not versioned: a field declared after this scheme joins them only when it
# has a value, so adding a section type leaves every stored one valid, and an article that
# uses the new section needs a new sign-off and its translations an update, as they should.
PARTIAL_SCHEME = 2


def partial_names(values: dict, *, translated: bool = False, reviewed: bool = False) -> tuple[str, ...]:
    """The translated (or reviewed) fields a review or translation fingerprint covers for these values."""
    return tuple(
        f.name
        for f in FIELDS
        if ((translated and f.translated) or (reviewed and f.reviewed))
        and (f.in_scheme(PARTIAL_SCHEME) or values.get(f.name) not in (None, "", [], False))
    )


def front_matter_keys() -> set[str]:
    """Top-level keys an article file may have (a section counts once)."""
    return {f.front_matter.partition(".")[0] for f in FIELDS if f.front_matter}


def fingerprinted(values: dict, scheme: int = ARTICLE_SCHEME) -> dict:
    """The part of an article's fields (the loader's dict) a fingerprint scheme covers.

    A field added for a later scheme is left out, so the hash stays the one stored before."""
    return {f.name: values[f.name] for f in FIELDS if f.in_scheme(scheme) and f.name in values}


def admin_groups() -> dict[str, list[str]]:
    """The fields each section of the admin's edit screen shows, in declaration order (inlines
    left out)."""
    groups: dict[str, list[str]] = {}
    for f in FIELDS:
        if f.group != INLINE:
            groups.setdefault(f.group, []).append(f.name)
    return groups


def diffed_fields() -> list[ArticleField]:
    """What the sign-off's diff against the live text compares: every reviewed or translated
    field a reader sees (not the references, which have their own diff)."""
    return [f for f in FIELDS if (f.reviewed or f.translated) and f.kind in (*TEXT_KINDS, "flag")]


# For the modules that want plain tuples, read once at import (lint); the models, the admin
# and the sign-off call names() and the functions above, so a new entry reaches them at once.
LINE_LIST_FIELDS = names(kind="lines")
TRANSLATED_FIELDS = names(translated=True)
REVIEWED_FIELDS = names(reviewed=True)
