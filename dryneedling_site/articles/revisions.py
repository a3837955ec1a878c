"""The reviewed ("live") version of an article and who may vouch for it.

Like Wagtail's moderation, an edit to a signed-off article does not reach patients: the row
holds the newest text (the revision waiting for review) and `reviewed_version` holds the text a
clinician signed off, which the public page shows until a reviewer signs off the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from . import schema
from .references import Reference

# An Article (typed loosely: models.py imports this module, never the other way round).
Article = Any


def live_fields() -> tuple[str, ...]:
    """What the public sees of a version (a snapshot keeps these, rendered, as signed off): the
    schema's reviewed and translated text and flags, and each one's rendered `_html`."""
    names: list[str] = []
    for field in schema.diffed_fields():
        names.append(field.name)
        if field.kind in ("markdown", "lines"):
            names.append(f"{field.name}_html")
    return tuple(names)


LIVE_FIELDS = live_fields()
REFERENCE_FIELDS = ("order", "authors", "title", "journal", "year", "citation", "doi", "pmid", "web_address")


class ReviewerProfile(models.Model):
    """Who a clinical reviewer is to patients, set by an administrator (never typed at sign-off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    name_as_licensed = models.CharField(max_length=120, help_text="The name on the reviewer's licence.")
    credentials = models.CharField(max_length=80, help_text="For example: PT, DPT.")
    licence_state = models.CharField(max_length=40, blank=True, help_text="Optional, e.g. Oregon.")
    licence_number = models.CharField(max_length=40, blank=True, help_text="Optional.")

    class Meta:
        app_label = "articles"
        verbose_name = "reviewer profile"

    def __str__(self) -> str:
        return f"{self.name_as_licensed}, {self.credentials}"


class Review(models.Model):
    """A clinician's sign-off: who wrote and who checked which version of the facts, and when."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="article_reviews"
    )
    # The reviewer's profile as it was at sign-off (a later profile change does not rewrite it).
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=80)
    reviewer_licence = models.CharField(max_length=90, blank=True)
    written_by = models.CharField(
        max_length=300, blank=True, help_text="The accounts whose edits this sign-off covered."
    )
    note = models.TextField(max_length=1000)
    reviewed_on = models.DateField()
    next_review_due = models.DateField()
    signed_at = models.DateTimeField(auto_now_add=True)
    content_fingerprint = models.CharField(
        max_length=64, help_text="Fingerprint of the body and references this sign-off covered."
    )

    class Meta:
        app_label = "articles"
        ordering = ["-signed_at", "-pk"]
        get_latest_by = "signed_at"

    def __str__(self) -> str:
        return f"{self.article} reviewed by {self.reviewer_name} on {self.reviewed_on}"


def snapshot(article: Article) -> dict[str, Any]:
    """The article's public text as stored now (rendered), to keep as its reviewed version."""
    fields = {name: getattr(article, name) for name in live_fields()}
    fields["references"] = [
        {name: getattr(ref, name) for name in REFERENCE_FIELDS} for ref in article.references.all()
    ]
    return fields


def keep_live_version(article_pk: int) -> None:
    """Before an edit is saved: a signed-off text not yet kept is kept now, so the edit waits."""
    stored = (
        apps.get_model("articles", "Article")
        .objects.filter(pk=article_pk)
        .prefetch_related("references")
        .first()
    )
    if stored and stored.reviewed_fingerprint and not stored.changed_since_review:
        type(stored).objects.filter(pk=article_pk).update(reviewed_version=snapshot(stored))


# What a guide listing (home, contents) needs to show an article's signed-off title and summary.
LISTING_FIELDS = ("reviewed_version", "urgent_update_on", "last_reviewed", "reviewer_name")


def show_listed_version(article: Article) -> Article:
    """Title and summary as a clinician signed them off, for the home page and the contents.

    `reviewed_version` always holds the last signed-off text (sign-off and the loader write it),
    so a listing needs no fingerprint: an editor's waiting change to a title or summary stays off
    the public lists until its review, as it stays off the article page. An urgent correction,
    or a row reviewed before versions were kept, shows the newest text (its page says so).
    """
    kept = article.reviewed_version or {}
    if article.is_reviewed and kept and not article.urgent_update_on:
        article.title = kept.get("title", article.title)
        article.summary = kept.get("summary", article.summary)
    return article


@dataclass(frozen=True)
class LiveVersion:
    """What a visitor sees: the reviewed text, or the newest one and whether a review covers it."""

    reviewed: bool  # a clinician signed off exactly the text shown
    updated_after_review: date | None  # shown text is newer than the last review (urgent correction)


def show_live_version(article: Article) -> LiveVersion:
    """Put the reviewed text on `article` (an unsaved, in-memory change) when an edit waits.

    Returns whether the text shown is reviewed, or the date it was updated after its last review
    (an urgent correction, or a row reviewed before reviewed versions were kept).
    """
    if not article.is_reviewed:
        return LiveVersion(reviewed=False, updated_after_review=None)
    if not article.changed_since_review:
        return LiveVersion(reviewed=True, updated_after_review=None)
    kept = article.reviewed_version or {}
    if article.urgent_update_on or not kept:
        return LiveVersion(
            reviewed=False, updated_after_review=article.urgent_update_on or article.updated_at.date()
        )
    for name in live_fields():
        if name in kept:
            setattr(article, name, kept[name])
    article.__dict__.pop("sections", None)
    references = [Reference(article=article, **ref) for ref in kept.get("references", [])]
    article.live_references = references
    return LiveVersion(reviewed=True, updated_after_review=None)
