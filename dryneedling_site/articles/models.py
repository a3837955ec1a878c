"""Articles of the patient guide, their references and review dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import fingerprints, markdown, readability_languages, schema
from .fingerprints import content_fingerprint, partial_fingerprint
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


# A section headed like this makes the page a printable checklist ("Print this checklist").
PRINTABLE_CHECKLIST_HEADING = re.compile(r"checklist|^before your first visit", re.IGNORECASE)
# Fields edited as "one item per line" and shown as a bulleted list (articles/schema.py).
LINE_LIST_FIELDS = schema.LINE_LIST_FIELDS


def normalise_lines(text: str | None) -> str:
    """One item per line, without blank lines or list markers staff may have typed."""
    items = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        item = line.strip()
        if item[:2] in ("- ", "* "):
            item = item[2:].strip()
        if item:
            items.append(item)
    return "\n".join(items)


def render_line_list(text: str) -> str:
    """A one-per-line field as a sanitized HTML list (inline Markdown allowed in each item)."""
    items = [line for line in (text or "").split("\n") if line.strip()]
    if not items:
        return ""
    return markdown.render("\n".join(f"- {item}" for item in items))


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """What the public may see, in guide order."""
        return self.filter(published=True).order_by("position", "title")

    def in_language(self, language: str | None = None) -> ArticleQuerySet:
        """The articles of one language (default: the language of the current request)."""
        return self.filter(language=language or translation.get_language())

    def review_overdue(self, today: date | None = None) -> ArticleQuerySet:
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_within(self, days: int, today: date | None = None) -> ArticleQuerySet:
        today = today or timezone.localdate()
        return self.filter(next_review_due__gte=today, next_review_due__lte=today + timedelta(days=days))


class Article(models.Model):
    slug = models.SlugField(
        help_text="The page's web address, e.g. what-to-expect. Lowercase, hyphens. "
        "Unique within its language."
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="English articles live at /articles/..., Spanish ones at /es/articles/...",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        limit_choices_to={"language": "en"},
        help_text="For a translation: the English article it translates.",
    )
    source_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="For a translation: the English article's fingerprint when it was translated. "
        "When the English article changes, the translation is out of date.",
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
    key_points = models.TextField(
        blank=True,
        help_text="3 to 5 short points a skimming reader should take away, one per line. "
        "Shown in a 'Key points' box at the top of the page.",
    )
    key_points_html = models.TextField(editable=False, default="")
    care_call_pt = models.TextField(
        "When to call your PT",
        blank=True,
        help_text="Signs for the 'Call your PT' level of the 'When to get help' box, one per line.",
    )
    care_call_pt_html = models.TextField(editable=False, default="")
    care_urgent = models.TextField(
        "When to get urgent care",
        blank=True,
        help_text="Signs for the 'Get urgent care today' level, one per line.",
    )
    care_urgent_html = models.TextField(editable=False, default="")
    care_emergency = models.BooleanField(
        "Show the 'Call 911' card",
        default=False,
        help_text="Adds the site's one shared list of emergency signs, so it never differs between pages.",
    )
    position = models.PositiveIntegerField(default=100, help_text="Order in the guide: 1 comes first.")
    published = models.BooleanField(
        default=False, help_text="Only published articles are shown to the public."
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When a clinician last checked the facts. Empty: not yet reviewed (the page says so).",
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        help_text="When the facts must be checked again. Left empty: 12 months after the last review.",
    )
    reviewer_name = models.CharField(max_length=120, blank=True, help_text="Who checked the facts.")
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
    # Which frozen scheme (articles/fingerprints.py) made source_hash; db_default so that the
    # previous release's workers can still insert rows while an upgrade migrates.
    source_hash_version = models.PositiveSmallIntegerField(
        default=fingerprints.ARTICLE_SCHEME, db_default=fingerprints.ARTICLE_SCHEME, editable=False
    )
    reviewed_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the body and references a clinician last signed off; "
        "a different fingerprint now means the article changed since its review.",
    )
    # The text a clinician signed off, rendered (revisions.py): what patients see while an edit
    # waits for review.
    reviewed_version = models.JSONField(default=dict, blank=True, editable=False)
    urgent_update_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="An urgent correction went live on this day without a new review.",
    )
    translation_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    translation_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    reading_grade = models.DecimalField(max_digits=4, decimal_places=1, default=0, editable=False)
    reading_ease = models.DecimalField(
        "INFLESZ score",
        max_digits=5,
        decimal_places=1,
        null=True,
        editable=False,
        help_text="Spanish articles: INFLESZ (Szigriszt-Pazos) readability; 55 or more reads as "
        "'normal' or easier.",
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    # A revision per save: who, when and the Markdown. Rendered HTML is derived, not kept.
    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "key_points_html",
            "care_call_pt_html",
            "care_urgent_html",
            "reading_grade",
            "reading_ease",
            "word_count",
            "reading_minutes",
            "reviewed_fingerprint",
            "reviewed_version",
        ],
        # Related articles are versioned too, so reverting an old version restores them.
        m2m_fields=["related"],
    )

    class Meta:
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["published", "position"])]
        permissions = [
            ("review_article", "Can sign off an article's clinical review"),
            ("publish_urgent_correction", "Can publish an urgent correction before its review"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="article_slug_unique_per_language")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Render and measure on every save, so a request never parses Markdown."""
        self.body = (self.body or "").replace("\r\n", "\n")
        for name in LINE_LIST_FIELDS:
            setattr(self, name, normalise_lines(getattr(self, name)))
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = default_next_review(self.last_reviewed)
        self.body_html = markdown.render(self.body, language=self.language)
        self.__dict__.pop("sections", None)
        for name in LINE_LIST_FIELDS:
            setattr(self, f"{name}_html", render_line_list(getattr(self, name)))
        figures = measure(self.body)
        self.reading_grade, self.word_count, self.reading_minutes = (
            figures.grade,
            figures.words,
            figures.reading_minutes,
        )
        # The English grade formula means nothing for Spanish text: its own score (a registry).
        self.reading_ease = readability_languages.reading_ease(self.language, self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body",
                "body_html",
                *LINE_LIST_FIELDS,
                *(f"{name}_html" for name in LINE_LIST_FIELDS),
                "next_review_due",
                "reading_grade",
                "reading_ease",
                "word_count",
                "reading_minutes",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_translation(self) -> bool:
        return self.language != settings.LANGUAGE_CODE

    def published_versions(self) -> dict[str, Article]:
        """This article's published versions by language: the English source and its
        translations (prefetch `translations`, and `translation_of__translations`, for lists)."""
        source = self.translation_of if self.is_translation else self
        group = [source, *source.translations.all()] if source else [self]
        return {version.language: version for version in group if version.published}

    @property
    def translation_status(self) -> str:
        """For staff: "up to date", "out of date" (the English changed since), or "no source"."""
        if not self.is_translation:
            return ""
        if self.translation_of is None:
            return "no source"
        if self.source_fingerprint != self.translation_of.translation_source_fingerprint():
            return "out of date"
        return "up to date"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.next_review_due and self.last_reviewed and self.next_review_due < self.last_reviewed:
            raise ValidationError({"next_review_due": "The next review must come after the last review."})
        errors = {}
        for field in ("body", *LINE_LIST_FIELDS):
            try:
                markdown.check_complexity(getattr(self, field) or "")
            except markdown.MarkdownTooComplex as refusal:
                errors[field] = str(refusal)
        if errors:
            raise ValidationError(errors)

    @cached_property
    def sections(self) -> list[dict[str, str]]:
        """The body's headings, parsed once per instance (a page shows them in several places)."""
        return markdown.headings(self.body_html)

    @property
    def has_printable_checklist(self) -> bool:
        """A section headed "... checklist" or "Before your first visit..." gets a print button."""
        return any(PRINTABLE_CHECKLIST_HEADING.search(section["title"]) for section in self.sections)

    @property
    def review_overdue(self) -> bool:
        due = self.next_review_due
        return due is not None and due < timezone.localdate()

    @property
    def is_reviewed(self) -> bool:
        """True once a clinician has signed the facts off; until then the page says so plainly."""
        return bool(self.last_reviewed and self.reviewer_name)

    @property
    def edited_since_load(self) -> bool:
        """Staff changed the row since the loader stamped it (a stamp of an older scheme that no
        migration re-stamped counts as edited: the migration re-stamps every untouched row)."""
        stamped_now = self.source_hash_version == fingerprints.ARTICLE_SCHEME
        return not stamped_now or self.fingerprint() != self.source_hash

    @property
    def has_care_card(self) -> bool:
        return bool(self.care_call_pt_html or self.care_urgent_html or self.care_emergency)

    @property
    def reviewer(self) -> str:
        return ", ".join(filter(None, [self.reviewer_name, self.reviewer_credentials]))

    def _fields_for_fingerprint(self, names: tuple[str, ...]) -> dict:
        fields = {name: getattr(self, name) for name in names if name != "references"}
        fields["references"] = [r.as_dict() for r in self.references.all()]
        return fields

    def review_fingerprint(self) -> str:
        """Hash of what a clinician vouches for: the schema's reviewed fields (body, key points,
        care card, references)."""
        fields = self._fields_for_fingerprint(schema.names(reviewed=True))
        return partial_fingerprint(fields, schema.partial_names(fields, reviewed=True))

    def translation_source_fingerprint(self) -> str:
        """Hash of what a translation translates (`source_fingerprint`): the schema's translated fields."""
        fields = self._fields_for_fingerprint(schema.names(translated=True))
        return partial_fingerprint(fields, schema.partial_names(fields, translated=True))

    @property
    def changed_since_review(self) -> bool:
        """The body, key points, care card or references differ from what the last sign-off covered."""
        return bool(self.reviewed_fingerprint) and self.reviewed_fingerprint != self.review_fingerprint()

    def fingerprint(self) -> str:
        """Hash of everything staff can edit, in the same form the loader hashes a file.

        This is scheme fingerprints.ARTICLE_SCHEME: covering other fields means a new frozen
        scheme there and a migration that re-stamps untouched rows (tests/articles/test_fingerprints.py).
        """
        return content_fingerprint(
            {
                "slug": self.slug,
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "key_points": self.key_points,
                "care_call_pt": self.care_call_pt,
                "care_urgent": self.care_urgent,
                "care_emergency": self.care_emergency,
                "position": self.position,
                "published": self.published,
                "last_reviewed": self.last_reviewed,
                "next_review_due": self.next_review_due,
                "reviewer_name": self.reviewer_name,
                "reviewer_credentials": self.reviewer_credentials,
                "related": [a.slug for a in self.related.all()],
                "references": [r.as_dict() for r in self.references.all()],
                # Only translations carry these, so English fingerprints stay as they were.
                **(self.translation_fields() if self.is_translation else {}),
            }
        )

    def translation_fields(self) -> dict:
        """The front-matter fields only a translation has, as the loader reads them."""
        return {
            "language": self.language,
            "translation_of": self.translation_of.slug if self.translation_of else "",
            "source_fingerprint": self.source_fingerprint,
        }


# What a translation translates: a change to any of these makes a translation out of date.
# Publishing, moving in the guide, related links or a review stamp do not.
TRANSLATED_FIELDS = schema.TRANSLATED_FIELDS
# What a clinician vouches for in a sign-off: every fact a patient reads on the page.
REVIEWED_FIELDS = schema.REVIEWED_FIELDS


class ArticleRedirect(models.Model):
    """An article's former address, kept so old links and bookmarks still reach it.

    Slugs are unique per language, so an old address is too: /articles/x/ and /es/articles/x/
    may lead to different articles.
    """

    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    old_slug = models.SlugField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["language", "old_slug"], name="article_redirect_unique_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"/articles/{self.old_slug}/ -> {self.article.slug}"


# Models of their own modules, imported here so Django and callers find them.
from .references import Reference  # noqa: E402
from .revisions import Review, ReviewerProfile  # noqa: E402
from .sitepages import SitePage  # noqa: E402

__all__ = ["Article", "ArticleRedirect", "Reference", "Review", "ReviewerProfile", "SitePage"]
