"""Content checks for articles: the rules an editor's wording change must keep.

One set of rules for the article files (``lint_content``) and the database rows (the same
command, and the "Content checks" field on the article's edit screen), so a page never
passes in one place and fails in the other. Pure apart from reading the allowed-references
file and the list of published slugs the caller passes in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

from . import markdown, tables
from .lint_safety import safety_findings
from .readability_languages import readability_problem

# Summary limits: long enough to say something, short enough for a search result snippet
# (the model and the loader refuse more than 160 characters).
SUMMARY_MIN_CHARACTERS = 40
SUMMARY_MAX_CHARACTERS = 160
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 5
# Alt texts that describe nothing (compared in lower case, without a final full stop).
PLACEHOLDER_ALT_TEXTS = {
    "image",
    "img",
    "picture",
    "photo",
    "photograph",
    "figure",
    "graphic",
    "alt",
    "alt text",
    "describe the image",
    "describe the image here",
    "description",
    "todo",
}


def placeholder_alt(alt: str) -> bool:
    """Alt text that says nothing about the picture: empty, or a stand-in such as "Image."."""
    text = alt.strip().lower().rstrip(".")
    return not text or text in PLACEHOLDER_ALT_TEXTS


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)


class ReferenceListError(Exception):
    """The allowed-references file is missing or malformed."""


@dataclass(frozen=True)
class Finding:
    """One broken rule, printed as ``article: rule: message``."""

    article: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.article}: {self.rule}: {self.message}"


@dataclass
class ArticleText:
    """What the rules look at, whether it came from a file or a database row."""

    label: str
    slug: str
    summary: str
    body: str
    key_points: list[str]
    references: list[dict]
    care_emergency: bool
    language: str = "en"
    # The "Call your PT" and "Get care today" lines of the care card (risk areas appear there too).
    care_items: list[str] = field(default_factory=list)
    # For a translation: the English slug, and whether the English changed since.
    translation_of: str = ""
    out_of_date: bool = False

    @classmethod
    def from_fields(cls, label: str, fields: dict, *, out_of_date: bool = False) -> ArticleText:
        """From the loader's parsed fields (``loader.parse_file``)."""
        return cls(
            label=label,
            slug=fields["slug"],
            summary=fields["summary"],
            body=fields["body"],
            key_points=[line for line in fields["key_points"].split("\n") if line.strip()],
            references=fields["references"],
            care_emergency=fields["care_emergency"],
            language=fields.get("language", settings.LANGUAGE_CODE),
            care_items=_lines(fields.get("care_call_pt", ""), fields.get("care_urgent", "")),
            translation_of=fields.get("translation_of", ""),
            out_of_date=out_of_date,
        )

    @classmethod
    def from_article(cls, article, label: str | None = None) -> ArticleText:
        """From an Article row (with its references)."""
        return cls(
            label=label or article.slug,
            slug=article.slug,
            summary=article.summary,
            body=article.body,
            key_points=[line for line in article.key_points.split("\n") if line.strip()],
            references=[r.as_dict() for r in article.references.all()],
            care_emergency=article.care_emergency,
            language=article.language,
            care_items=_lines(article.care_call_pt, article.care_urgent),
            translation_of=article.translation_of.slug if article.translation_of else "",
            out_of_date=article.translation_status == "out of date",
        )

    @property
    def english_slug(self) -> str:
        """The slug safety rules are written for: the English article's."""
        return self.translation_of or self.slug


def _lines(*texts: str) -> list[str]:
    return [line for text in texts for line in (text or "").split("\n") if line.strip()]


@dataclass
class AllowedReferences:
    """The verified sources articles may cite (content/references.yaml)."""

    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)

    def problem_with(self, reference: dict) -> str | None:
        """Why a cited reference is not allowed, or None: DOI, then PubMed id, else exact title."""
        doi, pmid = normal_doi(reference.get("doi")), str(reference.get("pmid") or "").strip()
        title = reference.get("title") or ""
        if doi:
            return None if doi in self.dois else f"DOI {doi} is not in the allowed list"
        if pmid:
            return None if pmid in self.pmids else f"PubMed id {pmid} is not in the allowed list"
        if normal_title(title) in self.titles:
            return None
        return f"“{title}” is not in the allowed list (no DOI or PubMed id, and no exact title match)"


def normal_doi(value: object) -> str:
    """DOIs are case-insensitive and often written as a link."""
    return _DOI_PREFIX.sub("", str(value or "").strip()).lower()


def normal_title(value: str) -> str:
    """Exact title, ignoring surrounding spaces, runs of spaces and a final full stop."""
    return " ".join(value.split()).rstrip(".")


def load_allowed_references(path: Path) -> AllowedReferences:
    """Read the allowed list; raises ReferenceListError with the entry and the problem."""
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceListError(f"{path}: the allowed-references file does not exist") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ReferenceListError(f"{path}: cannot be read: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise ReferenceListError(f"{path}: must be a YAML list of references")
    allowed = AllowedReferences()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("title"):
            raise ReferenceListError(f"{path}: entry {number} must be a mapping with at least a title")
        allowed.titles.add(normal_title(str(entry["title"])))
        if entry.get("doi"):
            allowed.dois.add(normal_doi(entry["doi"]))
        if entry.get("pmid"):
            allowed.pmids.add(str(entry["pmid"]).strip())
    return allowed


class _LinksAndImages(HTMLParser):
    """Collects link targets and image alt texts from rendered (sanitized) HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "img":
            self.images.append((values.get("src") or "", (values.get("alt") or "").strip()))


def internal_link_problem(
    href: str, published_articles: set[tuple[str, str]], site_pages: set[str]
) -> str | None:
    """Why a link to this site would not reach a published page, or None.

    `published_articles` holds (language, slug) pairs; /es/... links are Spanish pages.
    """
    path = urlsplit(href).path
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return f"{href} is not a page of this site"
    slug = match.kwargs.get("slug")
    if match.view_name == "articles:detail" and (language, slug) not in published_articles:
        return f"{href}: no published article has the slug {slug!r}"
    if match.view_name in ("about", "privacy", "accessibility") and match.view_name not in site_pages:
        return f"{href}: that page has not been created yet"
    return None


def lint_article(
    text: ArticleText,
    *,
    allowed: AllowedReferences | None,
    published_articles: set[tuple[str, str]],
    site_pages: set[str],
) -> list[Finding]:
    """Every rule broken by one article. `allowed` None: references are not checked against a list."""
    found: list[Finding] = []

    def report(rule: str, message: str) -> None:
        found.append(Finding(text.label, rule, message))

    # Each language's own formula and target (readability_languages.py, docs/languages.md).
    readability = readability_problem(text.language, text.body)
    if readability:
        report(*readability)
    if text.out_of_date:
        report(
            "translation",
            f"out of date: the English article {text.translation_of!r} changed since it was "
            "translated; update the translation and its source_fingerprint",
        )

    if not text.references:
        report("references", "cites no reference; add at least one from the allowed list")
    elif allowed is not None:
        for number, reference in enumerate(text.references, start=1):
            problem = allowed.problem_with(reference)
            if problem:
                report("references", f"reference {number}: {problem}")

    rendered = markdown.render(text.body, text.language)
    for problem in tables.table_problems(rendered):
        report("table-caption", problem)
    for rule, message in safety_findings(text, rendered):
        report(rule, message)
    parsed = _LinksAndImages()
    parsed.feed(rendered)
    for href in parsed.links:
        if href.startswith("/") and not href.startswith("//"):
            problem = internal_link_problem(href, published_articles, site_pages)
            if problem:
                report("internal-links", problem)
        elif not href.startswith(("http://", "https://", "mailto:", "#")):
            # A relative link means something different on each page that shows the text.
            report(
                "internal-links",
                f"{href} is a relative link; write it from the site root, e.g. /articles/aftercare/",
            )
    for src, alt in parsed.images:
        if not alt:
            report("image-alt", f"image {src} has no alt text; say what it shows")
        elif placeholder_alt(alt) or alt == Path(urlsplit(src).path).name:
            report("image-alt", f"image {src} has the placeholder alt text “{alt}”; say what it shows")

    length = len(text.summary)
    if not SUMMARY_MIN_CHARACTERS <= length <= SUMMARY_MAX_CHARACTERS:
        report(
            "summary-length",
            f"the summary is {length} characters; keep it between "
            f"{SUMMARY_MIN_CHARACTERS} and {SUMMARY_MAX_CHARACTERS}",
        )

    count = len(text.key_points)
    if not KEY_POINTS_MIN <= count <= KEY_POINTS_MAX:
        report("key-points", f"has {count} key point(s); give {KEY_POINTS_MIN} to {KEY_POINTS_MAX}")

    if text.english_slug in settings.ARTICLE_SAFETY_PAGES and not text.care_emergency:
        report(
            "care-card",
            "a safety page must carry its 'When to get help' box with the 'Call 911' level "
            "(when_to_get_help.emergency: true)",
        )
    return found


def missing_safety_pages(slugs: set[str]) -> list[Finding]:
    """Safety pages (settings.ARTICLE_SAFETY_PAGES) that no article provides."""
    return [
        Finding(slug, "care-card", "this safety page does not exist; it must be written and published")
        for slug in settings.ARTICLE_SAFETY_PAGES
        if slug not in slugs
    ]


@dataclass
class LintReport:
    """Findings of a whole run, how many articles were checked, and anything left unchecked."""

    findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    notes: list[str] = field(default_factory=list)


def default_references_path() -> Path:
    return Path(settings.BASE_DIR) / "content" / "references.yaml"


def lint_content(
    articles_folder: Path, references_path: Path, pages_folder: Path | None = None
) -> LintReport:
    """Check every article file in `articles_folder` and every article row in the database.

    A row identical to its file (not edited in the admin since) is checked once, as the file.
    Raises ReferenceListError if the allowed list cannot be read.
    """
    from django.db import DatabaseError

    from . import schema
    from .loader import ContentError, display_path, parse_file, translation_folders
    from .models import Article, SitePage, content_fingerprint, partial_fingerprint

    allowed = load_allowed_references(references_path)
    report = LintReport()
    files: dict[tuple[str, str], tuple[str, dict]] = {}
    folders = [Path(articles_folder), *translation_folders(Path(articles_folder))]
    for path in sorted(path for folder in folders for path in folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        label = display_path(path)
        try:
            fields = parse_file(path)
        except ContentError as error:
            report.findings.append(Finding(label, "front-matter", f"{error.field_name}: {error.problem}"))
            report.checked += 1
            continue
        files[(fields.get("language", settings.LANGUAGE_CODE), fields["slug"])] = (label, fields)

    rows: list = []
    site_pages = {p.stem for p in Path(pages_folder).glob("*.md")} if pages_folder else set()
    try:
        rows = list(
            Article.objects.select_related("translation_of").prefetch_related(
                "related", "references", "translation_of__related", "translation_of__references"
            )
        )
        site_pages |= set(SitePage.objects.values_list("slug", flat=True))
    except DatabaseError as error:
        report.notes.append(f"Database rows not checked (files only): {error}".strip())

    published = {key for key, (_, fields) in files.items() if fields["published"]}
    published |= {(row.language, row.slug) for row in rows if row.published}
    # The English fingerprints a translation must name: the rows' (staff edits count), else the files'.
    english = {
        key[1]: partial_fingerprint(fields, schema.partial_names(fields, translated=True))
        for key, (_, fields) in files.items()
        if not fields.get("translation_of")
    }
    english.update({row.slug: row.translation_source_fingerprint() for row in rows if not row.is_translation})
    texts = [
        ArticleText.from_fields(
            label,
            fields,
            out_of_date="translation_of" in fields
            and english.get(fields["translation_of"], fields["source_fingerprint"])
            != fields["source_fingerprint"],
        )
        for label, fields in files.values()
    ]
    for row in rows:
        in_file = files.get((row.language, row.slug))
        if in_file and content_fingerprint(in_file[1]) == row.fingerprint():
            continue
        texts.append(ArticleText.from_article(row, label=f"{row.slug} (database)"))
    for text in texts:
        report.findings.extend(
            lint_article(text, allowed=allowed, published_articles=published, site_pages=site_pages)
        )
    report.checked += len(texts)
    report.findings.extend(
        missing_safety_pages({slug for language, slug in published if language == settings.LANGUAGE_CODE})
    )
    return report


def lint_saved_article(article) -> tuple[list[Finding], list[str]]:
    """The same checks for one saved row, for its edit screen: findings, and what was not checked."""
    from .models import Article, SitePage

    notes = []
    try:
        allowed = load_allowed_references(default_references_path())
    except ReferenceListError as error:
        allowed = None
        notes.append(f"References not compared with the allowed list: {error}")
    findings = lint_article(
        ArticleText.from_article(article),
        allowed=allowed,
        published_articles=set(Article.objects.published().values_list("language", "slug")),
        site_pages=set(SitePage.objects.values_list("slug", flat=True)),
    )
    return findings, notes
