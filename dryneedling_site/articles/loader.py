"""Read Markdown files with front matter into Article rows, safely and repeatably.

Staff edits win: an article whose fields no longer match the fingerprint taken when it
was last loaded was changed in the admin, and is skipped unless forced. Everything is
checked before anything is written, and all writes share one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.conf import settings
from django.db import transaction

from . import fingerprints, schema
from .markdown import MarkdownTooComplex, check_complexity
from .models import Article, Reference, SitePage, content_fingerprint, default_next_review
from .revisions import snapshot

REQUIRED = ("slug", "title", "summary", "position")
# Every key an article file may have comes from the declared schema (articles/schema.py).
KNOWN = set(REQUIRED) | schema.front_matter_keys()
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
# "When to get help" levels in the front matter -> the article's fields.
CARE_SECTION = "when_to_get_help"
CARE_LEVELS = {f.key: f.name for f in schema.fields(kind="lines", section=CARE_SECTION)}
REFERENCE_REQUIRED = ("authors", "title")
REFERENCE_FIELDS = ("authors", "title", "journal", "citation", "doi", "pmid", "url")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(Exception):
    """A content file that cannot be loaded; names the file and the field."""

    def __init__(self, path: Path, field_name: str, problem: str) -> None:
        super().__init__(f"{path}: {field_name}: {problem}")
        self.path, self.field_name, self.problem = path, field_name, problem


@dataclass
class LoadReport:
    """What a load did (or, in a dry run, would do), by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    grades: dict[str, float] = field(default_factory=dict)


def _date(path: Path, name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(path, name, f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _text(path: Path, name: str, value: object, *, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ContentError(path, name, f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    if max_length and len(text) > max_length:
        raise ContentError(path, name, f"is {len(text)} characters; at most {max_length} allowed")
    return text


def _read(path: Path, required: tuple[str, ...], known: set[str]) -> frontmatter.Post:
    """A content file's front matter and text, with every required field and no unknown one."""
    try:
        post = frontmatter.load(path)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        raise ContentError(path, "front matter", f"cannot be read: {error}") from None
    if not post.metadata:
        raise ContentError(path, "front matter", "missing (start the file with a --- block)")
    for name in required:
        if post.metadata.get(name) in (None, ""):
            raise ContentError(path, name, "is required")
    unknown = set(post.metadata) - known
    if unknown:
        raise ContentError(path, sorted(unknown)[0], "is not a known field (see content/README.md)")
    return post


def _body(path: Path, post: frontmatter.Post, what: str) -> str:
    """The Markdown after the front matter: not empty, and not too slow to render."""
    if not post.content.strip():
        raise ContentError(path, "body", f"the {what} has no text after the front matter")
    try:
        check_complexity(post.content)
    except MarkdownTooComplex as refusal:
        raise ContentError(path, "body", str(refusal)) from None
    return post.content.strip() + "\n"


def parse_file(path: Path) -> dict:
    """Read and validate one article file into the fields the loader writes."""
    post = _read(path, REQUIRED, KNOWN)
    meta = post.metadata

    slug = _text(path, "slug", meta["slug"])
    if not _SLUG.match(slug):
        raise ContentError(path, "slug", "use lowercase letters, digits and single hyphens")
    position = meta["position"]
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise ContentError(path, "position", "must be a whole number, 0 or more")
    published = meta.get("published", True)
    if not isinstance(published, bool):
        raise ContentError(path, "published", "must be true or false")
    last_reviewed = _date(path, "last_reviewed", meta["last_reviewed"]) if meta.get("last_reviewed") else None
    if bool(last_reviewed) != bool(meta.get("reviewer_name")):
        raise ContentError(path, "reviewer_name", "a review needs both last_reviewed and reviewer_name")
    next_due = meta.get("next_review_due")
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(isinstance(s, str) for s in related):
        raise ContentError(path, "related", "must be a list of article slugs")
    body = _body(path, post, "article")

    return {
        **_translation(path, meta),
        "slug": slug,
        "title": _text(path, "title", meta["title"], max_length=120),
        "summary": _text(path, "summary", meta["summary"], max_length=160),
        "body": body,
        **{f.name: _lines(path, f.key, meta.get(f.key)) for f in schema.fields(kind="lines", section="")},
        **_care_card(path, meta.get(CARE_SECTION)),
        "position": position,
        "published": published,
        "last_reviewed": last_reviewed,
        "next_review_due": _date(path, "next_review_due", next_due)
        if next_due
        else (default_next_review(last_reviewed) if last_reviewed else None),
        "reviewer_name": _text(path, "reviewer_name", meta.get("reviewer_name"), max_length=120),
        "reviewer_credentials": _text(
            path, "reviewer_credentials", meta.get("reviewer_credentials"), max_length=80
        ),
        "related": [s.strip() for s in related],
        "references": _references(path, meta.get("references") or []),
    }


def _translation(path: Path, meta: dict) -> dict:
    """A translation's language, the English slug it translates and that article's fingerprint
    when it was translated. English files have none of these (their fingerprints stay as they were).
    """
    language = _text(path, "language", meta.get("language")) or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        choices = ", ".join(code for code, _ in settings.LANGUAGES)
        raise ContentError(path, "language", f"must be one of: {choices}")
    if language == settings.LANGUAGE_CODE:
        if meta.get("translation_of") or meta.get("source_fingerprint"):
            raise ContentError(path, "translation_of", "only a translation names the article it translates")
        return {}
    source = _text(path, "translation_of", meta.get("translation_of"))
    if not _SLUG.match(source):
        raise ContentError(path, "translation_of", "is required: the slug of the English article translated")
    fingerprint = _text(path, "source_fingerprint", meta.get("source_fingerprint"))
    if not _FINGERPRINT.match(fingerprint):
        raise ContentError(
            path, "source_fingerprint", "is required: the English article's 64-character fingerprint"
        )
    return {"language": language, "translation_of": source, "source_fingerprint": fingerprint}


def _lines(path: Path, name: str, items: object) -> str:
    """A list of short texts in the front matter, stored one per line."""
    if items is None:
        return ""
    if not isinstance(items, list):
        raise ContentError(path, name, "must be a list of short texts")
    texts = [_text(path, f"{name}[{number}]", item) for number, item in enumerate(items, start=1)]
    if any("\n" in text for text in texts):
        raise ContentError(path, name, "each item must be one line")
    joined = "\n".join(text for text in texts if text)
    try:
        check_complexity(joined)
    except MarkdownTooComplex as refusal:
        raise ContentError(path, name, str(refusal)) from None
    return joined


def _care_card(path: Path, card: object) -> dict:
    """The "When to get help" mapping: call_your_pt and urgent_care lists, emergency: true/false."""
    if card is None:
        return {**dict.fromkeys(CARE_LEVELS.values(), ""), "care_emergency": False}
    if not isinstance(card, dict):
        raise ContentError(
            path, "when_to_get_help", "must be a mapping with call_your_pt, urgent_care and emergency"
        )
    unknown = set(card) - {*CARE_LEVELS, "emergency"}
    if unknown:
        raise ContentError(path, f"when_to_get_help.{sorted(unknown)[0]}", "is not a known level")
    emergency = card.get("emergency", False)
    if not isinstance(emergency, bool):
        raise ContentError(path, "when_to_get_help.emergency", "must be true or false")
    fields = {
        field: _lines(path, f"when_to_get_help.{level}", card.get(level))
        for level, field in CARE_LEVELS.items()
    }
    return {**fields, "care_emergency": emergency}


def _references(path: Path, items: object) -> list[dict]:
    if not isinstance(items, list):
        raise ContentError(path, "references", "must be a list")
    references = []
    for number, item in enumerate(items, start=1):
        where = f"references[{number}]"
        if not isinstance(item, dict):
            raise ContentError(path, where, "must have authors, title, journal and year")
        for name in REFERENCE_REQUIRED:
            if item.get(name) in (None, ""):
                raise ContentError(path, f"{where}.{name}", "is required")
        year = item.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ContentError(path, f"{where}.year", "must be a year such as 2010")
        unknown = set(item) - {*REFERENCE_FIELDS, "year"}
        if unknown:
            raise ContentError(path, f"{where}.{sorted(unknown)[0]}", "is not a known reference field")
        reference: dict = {name: _text(path, f"{where}.{name}", item.get(name)) for name in REFERENCE_FIELDS}
        if not (reference["journal"] or reference["url"]):
            raise ContentError(path, f"{where}.journal", "is required (or url, for a web page)")
        if reference["url"] and not reference["url"].startswith("https://"):
            raise ContentError(path, f"{where}.url", "must be an https:// address")
        reference["year"] = year
        references.append(reference)
    return references


def _write(article: Article, fields: dict) -> Article:
    for name, value in fields.items():
        if name not in ("related", "references", "translation_of"):
            setattr(article, name, value)
    if fields.get("translation_of"):
        article.translation_of = Article.objects.get(
            language=settings.LANGUAGE_CODE, slug=fields["translation_of"]
        )
    article.save()
    article.references.all().delete()
    Reference.objects.bulk_create(
        Reference(
            article=article, order=order, web_address=reference.get("url", ""), **_without_url(reference)
        )
        for order, reference in enumerate(fields["references"])
    )
    return article


def _without_url(reference: dict) -> dict:
    """The front matter says `url`; the model field is `web_address` (`url` is the link property)."""
    return {name: value for name, value in reference.items() if name != "url"}


@transaction.atomic
def load_articles(directory: Path, *, force: bool = False) -> LoadReport:
    """Create and update articles from every ``*.md`` file in `directory`.

    Raises ContentError (and writes nothing) if any file is invalid.
    """
    files = sorted(p for p in Path(directory).glob("*.md") if p.name.lower() != "readme.md")
    parsed = {}
    languages = set()
    for path in files:
        fields = parse_file(path)
        if fields["slug"] in parsed:
            raise ContentError(path, "slug", f"{fields['slug']!r} is used by another file too")
        parsed[fields["slug"]] = (path, fields)
        languages.add(fields.get("language", settings.LANGUAGE_CODE))
    if len(languages) > 1:
        raise ContentError(Path(directory), "language", "one folder holds the articles of one language")
    language = languages.pop() if languages else settings.LANGUAGE_CODE
    articles = Article.objects.filter(language=language)
    existing = {a.slug: a for a in articles.filter(slug__in=parsed)}
    known_slugs = set(parsed) | set(articles.values_list("slug", flat=True))
    english = set(Article.objects.filter(language=settings.LANGUAGE_CODE).values_list("slug", flat=True))
    for path, fields in parsed.values():
        for slug in fields["related"]:
            if slug not in known_slugs:
                raise ContentError(path, "related", f"no article has the slug {slug!r}")
        if fields.get("translation_of") and fields["translation_of"] not in english:
            raise ContentError(
                path, "translation_of", f"no English article has the slug {fields['translation_of']!r}"
            )

    report = LoadReport()
    written: list[tuple[Article, Path, dict, str]] = []
    for slug, (path, fields) in parsed.items():
        fingerprint = content_fingerprint(schema.fingerprinted(fields))
        article = existing.get(slug)
        if article is None:
            article = _write(Article(), fields)
            report.created.append(slug)
        else:
            edited_in_admin = article.edited_since_load
            if edited_in_admin and not force:
                report.skipped.append(slug)
                continue
            if fingerprint == article.source_hash and not edited_in_admin:
                report.unchanged.append(slug)
                continue
            _write(article, fields)
            report.updated.append(slug)
        written.append((article, path, fields, fingerprint))

    by_slug = {a.slug: a for a in articles.filter(slug__in=known_slugs)}
    for article, path, fields, fingerprint in written:
        article.related.set([by_slug[s] for s in fields["related"]])
        # A review recorded in the file covers the text as loaded, so later edits show as changed.
        # It is also the live version (revisions.py); a file without a review keeps none.
        reviewed = article.review_fingerprint() if article.is_reviewed else ""
        Article.objects.filter(pk=article.pk).update(
            source_hash=fingerprint,
            source_hash_version=fingerprints.ARTICLE_SCHEME,
            source_path=display_path(path),
            reviewed_fingerprint=reviewed,
            reviewed_version=snapshot(article) if reviewed else {},
            urgent_update_on=None,
        )
    for slug in parsed:
        report.grades[slug] = float(by_slug[slug].reading_grade) if slug in by_slug else 0.0

    return report


def translation_folders(folder: Path) -> list[Path]:
    """The translations beside the English articles: `folder`/<language>/ for each other language."""
    return [
        folder / code
        for code, _ in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE and (folder / code).is_dir()
    ]


def display_path(path: Path) -> str:
    """The file's path relative to the project when it lies inside it."""
    try:
        return str(path.resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


PAGE_FIELDS = schema.SITE_PAGE_FRONT_MATTER


def parse_page_file(path: Path) -> dict:
    """Read and validate one site page file (content/pages/about.md, privacy.md)."""
    post = _read(path, PAGE_FIELDS, set(PAGE_FIELDS))
    meta = post.metadata
    slug = _text(path, "slug", meta["slug"])
    if slug not in SitePage.Slug.values:
        raise ContentError(path, "slug", f"must be one of: {', '.join(SitePage.Slug.values)}")
    return {
        "slug": slug,
        "title": _text(path, "title", meta["title"], max_length=120),
        "summary": _text(path, "summary", meta["summary"], max_length=160),
        "body": _body(path, post, "page"),
    }


def page_files(directory: Path) -> list[tuple[str, Path]]:
    """(language, path) for each page file: English in `directory`, others in `directory`/<code>/."""
    folders = [(settings.LANGUAGE_CODE, Path(directory))]
    folders += [(folder.name, folder) for folder in translation_folders(Path(directory))]
    return [
        (language, path)
        for language, folder in folders
        for path in sorted(folder.glob("*.md"))
        if path.name.lower() != "readme.md"
    ]


@transaction.atomic
def load_pages(directory: Path, *, force: bool = False) -> LoadReport:
    """Create and update site pages from `directory`/*.md (English) and `directory`/<language>/*.md;
    staff edits win unless forced. Report entries name translations "es/about".

    Raises ContentError (and writes nothing) if any file is invalid.
    """
    parsed = {}
    for language, path in page_files(directory):
        fields = parse_page_file(path)
        key = (language, fields["slug"])
        if key in parsed:
            raise ContentError(path, "slug", f"{fields['slug']!r} is used by another file too")
        parsed[key] = (path, fields)
    existing = {(p.language, p.slug): p for p in SitePage.objects.filter(slug__in={s for _, s in parsed})}
    report = LoadReport()
    for (language, slug), (path, fields) in parsed.items():
        name = slug if language == settings.LANGUAGE_CODE else f"{language}/{slug}"
        fingerprint = content_fingerprint(fields)
        page = existing.get((language, slug))
        edited_in_admin = page is not None and (
            page.source_hash_version != fingerprints.SITE_PAGE_SCHEME
            or page.fingerprint() != page.source_hash
        )
        if page is None:
            page = SitePage(language=language)
            report.created.append(name)
        elif edited_in_admin and not force:
            report.skipped.append(name)
            continue
        elif fingerprint == page.source_hash and not edited_in_admin:
            report.unchanged.append(name)
            continue
        else:
            report.updated.append(name)
        for attribute, value in fields.items():
            setattr(page, attribute, value)
        page.source_hash, page.source_path = fingerprint, display_path(path)
        page.source_hash_version = fingerprints.SITE_PAGE_SCHEME
        page.save()
    return report
