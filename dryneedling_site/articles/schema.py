"""An article's fields, declared once: what each is, where it sits in a file, what covers it.

The loader (front matter -> fields), the exporter (fields -> front matter), the fingerprints
(what tells a staff edit from an untouched row), the translation check (what a translation
translates) and the sign-off (what a clinician vouches for) read this list instead of keeping
their own. Adding a section type ("lines": a list of one-line texts) is an entry here plus its
model field and migration (articles/models.py): the loader, exporter and fingerprint follow.

Fingerprints are versioned (articles/fingerprints.py): an entry says from which scheme on it is
fingerprinted, so a new field joins scheme CURRENT+1 and the hashes stored under older schemes
stay what they were (the data migration that re-stamps untouched rows is described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .fingerprints import ARTICLE_SCHEME

# Bump when an entry is added, removed or changes meaning (docs: adding a section type).
SCHEMA_VERSION = 1

Kind = Literal["text", "markdown", "lines", "flag", "number", "date", "slugs", "references", "meta"]


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
    ArticleField("language", "meta", "language", translation_only=True, since=2),
    ArticleField("translation_of", "meta", "translation_of", translation_only=True, since=2),
    ArticleField("source_fingerprint", "meta", "source_fingerprint", translation_only=True, since=2),
    ArticleField("slug", "text", "slug"),
    ArticleField("title", "text", "title", translated=True),
    ArticleField("summary", "text", "summary", translated=True),
    ArticleField("body", "markdown", "", translated=True, reviewed=True),
    ArticleField("key_points", "lines", "key_points", translated=True, reviewed=True, since=2),
    ArticleField(
        "care_call_pt", "lines", "when_to_get_help.call_your_pt", translated=True, reviewed=True, since=2
    ),
    ArticleField(
        "care_urgent", "lines", "when_to_get_help.urgent_care", translated=True, reviewed=True, since=2
    ),
    ArticleField(
        "care_emergency", "flag", "when_to_get_help.emergency", translated=True, reviewed=True, since=2
    ),
    ArticleField("position", "number", "position"),
    ArticleField("published", "flag", "published"),
    ArticleField("last_reviewed", "date", "last_reviewed"),
    ArticleField("next_review_due", "date", "next_review_due"),
    ArticleField("reviewer_name", "text", "reviewer_name"),
    ArticleField("reviewer_credentials", "text", "reviewer_credentials"),
    ArticleField("related", "slugs", "related"),
    ArticleField("references", "references", "references", translated=True, reviewed=True),
]


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


def front_matter_keys() -> set[str]:
    """Top-level keys an article file may have (a section counts once)."""
    return {f.front_matter.partition(".")[0] for f in FIELDS if f.front_matter}


def fingerprinted(values: dict, scheme: int = ARTICLE_SCHEME) -> dict:
    """The part of an article's fields (the loader's dict) a fingerprint scheme covers.

    A field added for a later scheme is left out, so the hash stays the one stored before."""
    return {f.name: values[f.name] for f in FIELDS if f.in_scheme(scheme) and f.name in values}


# For the modules that want plain tuples (models, lint, the admin).
LINE_LIST_FIELDS = names(kind="lines")
TRANSLATED_FIELDS = names(translated=True)
REVIEWED_FIELDS = names(reviewed=True)
