"""Articles of the patient guide, their references and review dates."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import fingerprints, markdown
from .readability import measure
from .readability_es import measure_es


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
# Fields edited as "one item per line" and shown as a bulleted list.
LINE_LIST_FIELDS = ("key_points", "care_call_pt", "care_urgent")


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
        ],
        # Related articles are versioned too, so reverting an old version restores them.
        m2m_fields=["related"],
    )

    class Meta:
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["published", "position"])]
        permissions = [("review_article", "Can sign off an article's clinical review")]
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
        # The English grade formula means nothing for Spanish text: INFLESZ instead.
        self.reading_ease = round(measure_es(self.body).inflesz, 1) if self.language == "es" else None
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
        return bool(self.next_review_due) and self.next_review_due < timezone.localdate()

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

    def _fields_for_fingerprint(self) -> dict:
        fields = {
            name: getattr(self, name)
            for name in (*TRANSLATED_FIELDS, *REVIEWED_FIELDS)
            if name != "references"
        }
        fields["references"] = [r.as_dict() for r in self.references.all()]
        return fields

    def review_fingerprint(self) -> str:
        """Hash of what a clinician vouches for: the body, key points, care card and references."""
        return partial_fingerprint(self._fields_for_fingerprint(), REVIEWED_FIELDS)

    def translation_source_fingerprint(self) -> str:
        """Hash of what a translation of this article translates (its `source_fingerprint`)."""
        return partial_fingerprint(self._fields_for_fingerprint(), TRANSLATED_FIELDS)

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
TRANSLATED_FIELDS = ("title", "summary", "body", *LINE_LIST_FIELDS, "care_emergency", "references")
# What a clinician vouches for in a sign-off: every fact a patient reads on the page.
REVIEWED_FIELDS = ("body", *LINE_LIST_FIELDS, "care_emergency", "references")


def partial_fingerprint(fields: dict, names: tuple[str, ...]) -> str:
    """SHA-256 of some of an article's fields (a file's parsed fields or a row's), text normalised."""
    return content_fingerprint({name: fields.get(name) for name in names})


def content_fingerprint(fields: dict) -> str:
    """Stable SHA-256 of an article's editable fields (text normalised, related unordered)."""
    normal = dict(fields)
    for key in ("body", *LINE_LIST_FIELDS):
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
    journal = models.CharField(
        max_length=200, blank=True, help_text="Abbreviated journal name (empty for a web page)."
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of publication (empty if the source gives none)."
    )
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
    web_address = models.URLField(
        blank=True,
        verbose_name="Web address",
        help_text="For a web page (not a journal paper): its address, e.g. a hospital's patient page.",
    )

    # Versioned so that reverting an article restores the references it had then.
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.authors}. {self.title}."

    @property
    def url(self) -> str:
        """A web page's own address, else DOI, then PubMed, else a PubMed search for the exact title."""
        if self.web_address:
            return self.web_address
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://pubmed.ncbi.nlm.nih.gov/?term={quote(self.title, safe='')}"

    @property
    def link_label(self) -> str:
        if self.web_address:
            return gettext("Read the page")
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmid:
            return f"PubMed {self.pmid}"
        return gettext("Find in PubMed")

    def as_dict(self) -> dict:
        return {
            "authors": self.authors,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "citation": self.citation,
            "doi": self.doi,
            "pmid": self.pmid,
            "url": self.web_address,
        }


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


class Review(models.Model):
    """A clinician's sign-off: who checked which version of the facts, when, and what they noted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="article_reviews"
    )
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=80)
    note = models.TextField(max_length=1000)
    reviewed_on = models.DateField()
    next_review_due = models.DateField()
    signed_at = models.DateTimeField(auto_now_add=True)
    content_fingerprint = models.CharField(
        max_length=64, help_text="Fingerprint of the body and references this sign-off covered."
    )

    class Meta:
        ordering = ["-signed_at", "-pk"]
        get_latest_by = "signed_at"

    def __str__(self) -> str:
        return f"{self.article} reviewed by {self.reviewer_name} on {self.reviewed_on}"


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
