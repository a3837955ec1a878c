"""Articles of the patient guide, their references and review dates."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import markdown
from .readability import measure


def add_months(start: date, months: int) -> date:
    """The same day `months` later (clamped to the month's end), for review intervals."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(start)


def default_next_review(last_reviewed: date) -> date:
    """When an article reviewed on `last_reviewed` is due again (ARTICLE_REVIEW_INTERVAL_MONTHS)."""
    return add_months(last_reviewed, settings.ARTICLE_REVIEW_INTERVAL_MONTHS)


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """What the public may see, in guide order."""
        return self.filter(published=True).order_by("position", "title")

    def review_overdue(self, today: date | None = None) -> ArticleQuerySet:
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_within(self, days: int, today: date | None = None) -> ArticleQuerySet:
        today = today or timezone.localdate()
        return self.filter(next_review_due__gte=today, next_review_due__lte=today + timedelta(days=days))


class Article(models.Model):
    slug = models.SlugField(
        unique=True, help_text="The page's web address, e.g. what-to-expect. Lowercase, hyphens."
    )
    title = models.CharField(max_length=120, help_text="The page heading. A patient's question works well.")
    summary = models.CharField(
        max_length=160,
        validators=[MaxLengthValidator(160)],
        help_text="One plain sentence, at most 160 characters. Shown under the title and in search results.",
    )
    body = MarkdownxField(
        help_text="The article in Markdown. Start sections with '## '. "
        "Short sentences; speak to the reader as 'you'."
    )
    body_html = models.TextField(editable=False, default="")
    when_to_get_help = models.TextField(
        blank=True,
        help_text="Optional Markdown for a highlighted 'When to get help' box (urgent and emergency signs).",
    )
    when_to_get_help_html = models.TextField(editable=False, default="")
    position = models.PositiveIntegerField(default=100, help_text="Order in the guide: 1 comes first.")
    published = models.BooleanField(
        default=False, help_text="Only published articles are shown to the public."
    )
    last_reviewed = models.DateField(
        default=timezone.localdate, help_text="When a clinician last checked the facts."
    )
    next_review_due = models.DateField(
        blank=True,
        help_text="When the facts must be checked again. Left empty: 12 months after the last review.",
    )
    reviewer_name = models.CharField(max_length=120, help_text="Who checked the facts.")
    reviewer_credentials = models.CharField(max_length=80, blank=True, help_text="For example: PT, DPT.")
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, help_text="Shown as 'You might also like'."
    )
    source_path = models.CharField(max_length=255, blank=True, editable=False)
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the content as last loaded from its file; a different fingerprint "
        "now means staff edited it since.",
    )
    reading_grade = models.DecimalField(max_digits=4, decimal_places=1, default=0, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    # A revision per save: who, when and the Markdown. Rendered HTML is derived, not kept.
    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "when_to_get_help_html",
            "reading_grade",
            "word_count",
            "reading_minutes",
        ]
    )

    class Meta:
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["published", "position"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Render and measure on every save, so a request never parses Markdown."""
        self.body = (self.body or "").replace("\r\n", "\n")
        self.when_to_get_help = (self.when_to_get_help or "").replace("\r\n", "\n")
        if not self.next_review_due:
            self.next_review_due = default_next_review(self.last_reviewed)
        self.body_html = markdown.render(self.body)
        self.when_to_get_help_html = markdown.render(self.when_to_get_help)
        figures = measure(self.body)
        self.reading_grade, self.word_count, self.reading_minutes = (
            figures.grade,
            figures.words,
            figures.reading_minutes,
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body",
                "when_to_get_help",
                "body_html",
                "when_to_get_help_html",
                "next_review_due",
                "reading_grade",
                "word_count",
                "reading_minutes",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.next_review_due and self.last_reviewed and self.next_review_due < self.last_reviewed:
            raise ValidationError({"next_review_due": "The next review must come after the last review."})
        errors = {}
        for field in ("body", "when_to_get_help"):
            try:
                markdown.check_complexity(getattr(self, field) or "")
            except markdown.MarkdownTooComplex as refusal:
                errors[field] = str(refusal)
        if errors:
            raise ValidationError(errors)

    @property
    def sections(self) -> list[dict[str, str]]:
        return markdown.headings(self.body_html)

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due < timezone.localdate()

    @property
    def reviewer(self) -> str:
        return ", ".join(filter(None, [self.reviewer_name, self.reviewer_credentials]))

    def fingerprint(self) -> str:
        """Hash of everything staff can edit, in the same form the loader hashes a file."""
        return content_fingerprint(
            {
                "slug": self.slug,
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "when_to_get_help": self.when_to_get_help,
                "position": self.position,
                "published": self.published,
                "last_reviewed": self.last_reviewed,
                "next_review_due": self.next_review_due,
                "reviewer_name": self.reviewer_name,
                "reviewer_credentials": self.reviewer_credentials,
                "related": [a.slug for a in self.related.all()],
                "references": [r.as_dict() for r in self.references.all()],
            }
        )


def content_fingerprint(fields: dict) -> str:
    """Stable SHA-256 of an article's editable fields (text normalised, related unordered)."""
    normal = dict(fields)
    for key in ("body", "when_to_get_help"):
        normal[key] = (normal.get(key) or "").replace("\r\n", "\n").strip()
    normal["related"] = sorted(normal.get("related") or [])
    encoded = json.dumps(normal, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class Reference(models.Model):
    """A published source an article rests on, shown as a numbered, linked citation."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(default=0, help_text="Citation order: 0 or 1 comes first.")
    authors = models.CharField(max_length=300, help_text="For example: Kalichman L, Vulfsons S")
    title = models.CharField(max_length=400, help_text="The paper's exact title, as the journal prints it.")
    journal = models.CharField(max_length=200, help_text="Abbreviated journal name.")
    year = models.PositiveSmallIntegerField(help_text="Year of publication.")
    citation = models.CharField(
        max_length=60, blank=True, help_text="Volume(issue):pages, e.g. 23(5):640-646"
    )
    doi = models.CharField(
        max_length=120,
        blank=True,
        verbose_name="DOI",
        help_text="Only a DOI you have checked, e.g. 10.3122/jabfm.2010.05.090296.",
    )
    pmid = models.CharField(
        max_length=12,
        blank=True,
        verbose_name="PubMed id",
        help_text="Only an id you have checked. Left empty, the link searches PubMed for the title.",
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.authors}. {self.title}."

    @property
    def url(self) -> str:
        """DOI first, then PubMed, else a PubMed search for the exact title (never a guessed id)."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://pubmed.ncbi.nlm.nih.gov/?term={quote(self.title, safe='')}"

    @property
    def link_label(self) -> str:
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmid:
            return f"PubMed {self.pmid}"
        return "Find in PubMed"

    def as_dict(self) -> dict:
        return {
            "authors": self.authors,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "citation": self.citation,
            "doi": self.doi,
            "pmid": self.pmid,
        }
