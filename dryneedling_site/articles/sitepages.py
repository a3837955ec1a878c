"""About, Privacy and Accessibility: pages about the site itself, edited like articles."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import fingerprints, markdown
from .fingerprints import content_fingerprint


class SitePage(models.Model):
    """A page about the site itself (About, Privacy), edited by staff like an article; one row
    per language, so /es/about/ shows the Spanish text when there is one."""

    class Slug(models.TextChoices):
        ABOUT = "about", "About this guide (/about/)"
        PRIVACY = "privacy", "Privacy (/privacy/)"
        ACCESSIBILITY = "accessibility", "Accessibility statement (/accessibility/)"

    slug = models.SlugField(
        choices=Slug.choices, help_text="Which page this is; each has its own web address."
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="English pages live at /about/ and /privacy/, Spanish ones at /es/about/ and /es/privacy/.",
    )
    title = models.CharField(max_length=120, help_text="The page heading.")
    summary = models.CharField(
        max_length=160,
        validators=[MaxLengthValidator(160)],
        help_text="One plain sentence, at most 160 characters. Shown under the title and in search results.",
    )
    body = MarkdownxField(help_text="The page in Markdown. Start sections with '## '. Plain words.")
    body_html = models.TextField(editable=False, default="")
    source_path = models.CharField(max_length=255, blank=True, editable=False)
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the page as last loaded; a different one now means staff edited it.",
    )
    source_hash_version = models.PositiveSmallIntegerField(
        default=fingerprints.SITE_PAGE_SCHEME, db_default=fingerprints.SITE_PAGE_SCHEME, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["body_html"])

    class Meta:
        ordering = ["slug", "language"]
        verbose_name = "site page"
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="sitepage_slug_unique_per_language")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Render on every save, through the same sanitizing function as the articles."""
        self.body = (self.body or "").replace("\r\n", "\n")
        self.body_html = markdown.render(self.body, language=self.language)
        self.__dict__.pop("sections", None)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body", "body_html", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        with translation.override(self.language):
            return reverse(self.slug)

    def clean(self) -> None:
        """Refuse Markdown that would render too slowly: a form error, not a 500 on save."""
        from django.core.exceptions import ValidationError

        try:
            markdown.check_complexity(self.body or "")
        except markdown.MarkdownTooComplex as refusal:
            raise ValidationError({"body": str(refusal)}) from None

    @cached_property
    def sections(self) -> list[dict[str, str]]:
        """The body's headings, parsed once per instance (a page shows them in several places)."""
        return markdown.headings(self.body_html)

    def fingerprint(self) -> str:
        """Hash of what staff can edit, in the same form the loader hashes a file (the language
        comes from the file's folder, so it is not part of the hash)."""
        return content_fingerprint(
            {"slug": self.slug, "title": self.title, "summary": self.summary, "body": self.body}
        )
