"""Visitors' answers to "Is this content helpful?", one row per visitor and article."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from dryneedling_site.articles.models import Article


class FeedbackQuerySet(models.QuerySet):
    def with_comment(self) -> FeedbackQuerySet:
        return self.exclude(comment="")

    def answered_since(self, when: dt.datetime) -> FeedbackQuerySet:
        return self.filter(answered_at__gte=when)


class Feedback(models.Model):
    """One visitor's answer for one article, with an optional comment.

    Privacy by design: the visitor is known only by a keyed hash of a random cookie (for
    de-duplication), and no IP address or user agent is ever stored.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField("answer", help_text="Yes: the visitor found the article helpful.")
    comment = models.TextField(
        blank=True, help_text="What the visitor wrote, if anything. Removed after the retention period."
    )
    visitor_hash = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="Keyed hash of the visitor's feedback cookie, only to count one answer per visitor. "
        "Forgotten after the retention period.",
    )
    article_version = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the version of the article the visitor read was last saved.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answered_at = models.DateTimeField(
        default=timezone.now, help_text="When the visitor last gave their answer."
    )
    commented_at = models.DateTimeField(null=True, blank=True)
    reviewed = models.BooleanField(default=False, help_text="Staff have read this comment.")

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = "feedback"
        verbose_name_plural = "feedback"
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor_hash"], name="feedback_one_answer_per_visitor_and_article"
            )
        ]
        indexes = [
            models.Index(fields=["article", "answered_at"]),
            models.Index(fields=["commented_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.answer} on “{self.article}”"

    @property
    def answer(self) -> str:
        return "Yes" if self.helpful else "No"

    @property
    def seen_older_version(self) -> bool:
        """The visitor read a version of the article that staff have changed since."""
        return bool(self.article_version and self.article_version < self.article.updated_at)
