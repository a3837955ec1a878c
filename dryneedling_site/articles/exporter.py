"""Write articles back to Markdown files with the loader's front matter schema."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import yaml
from django.conf import settings

from . import schema
from .models import Article, SitePage

CARE_SECTION = "when_to_get_help"


def article_front_matter(article: Article) -> dict:
    """The article's fields in content/README.md's schema (the loader's input)."""
    meta: dict = {
        "slug": article.slug,
        # A translation names its language and the English article it was made from.
        **(article.translation_fields() if article.is_translation else {}),
        "title": article.title,
        "summary": article.summary,
        "position": article.position,
        "published": article.published,
    }
    if article.last_reviewed:
        meta["last_reviewed"] = article.last_reviewed
        meta["next_review_due"] = article.next_review_due
        meta["reviewer_name"] = article.reviewer_name
    if article.reviewer_credentials:
        meta["reviewer_credentials"] = article.reviewer_credentials
    related = sorted(a.slug for a in article.related.all())
    if related:
        meta["related"] = related
    for field in schema.fields(kind="lines", section=""):  # key_points and any later list
        if getattr(article, field.name):
            meta[field.key] = getattr(article, field.name).split("\n")
    if article.has_care_card:
        card: dict = {}
        for field in schema.fields(kind="lines", section=CARE_SECTION):
            if getattr(article, field.name):
                card[field.key] = getattr(article, field.name).split("\n")
        card["emergency"] = article.care_emergency
        meta[CARE_SECTION] = card
    references = [
        {k: v for k, v in r.as_dict().items() if v not in ("", None)} for r in article.references.all()
    ]
    if references:
        meta["references"] = references
    return meta


class _BlockStyleDumper(yaml.SafeDumper):
    """Multi-line text as YAML block scalars (|), so exported files stay readable."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockStyleDumper.add_representer(str, _str_representer)


def export_articles(folder: Path) -> list[Path]:
    """Write every article to `folder`/<slug>.md, translations to `folder`/<language>/<slug>.md
    (where the loader reads them); return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    articles = Article.objects.select_related("translation_of").prefetch_related("related", "references")
    for article in articles.order_by("language", "position", "slug"):
        target = folder / article.language if article.is_translation else folder
        target.mkdir(exist_ok=True)
        written.append(
            _write_markdown(target / f"{article.slug}.md", article.body, article_front_matter(article))
        )
    return written


def export_pages(folder: Path) -> list[Path]:
    """Write every site page (About, Privacy) to `folder`/<slug>.md, translations to
    `folder`/<language>/<slug>.md (where the loader reads them); return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in SitePage.objects.order_by("language", "slug"):
        target = folder if page.language == settings.LANGUAGE_CODE else folder / page.language
        target.mkdir(exist_ok=True)
        written.append(
            _write_markdown(
                target / f"{page.slug}.md",
                page.body,
                {"slug": page.slug, "title": page.title, "summary": page.summary},
            )
        )
    return written


def _write_markdown(path: Path, body: str, meta: dict) -> Path:
    post = frontmatter.Post(body.strip() + "\n", **meta)
    text = frontmatter.dumps(post, Dumper=_BlockStyleDumper, sort_keys=False, allow_unicode=True, width=4096)
    path.write_text(text + "\n", encoding="utf-8")
    return path
