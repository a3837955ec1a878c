"""Markdown -> safe HTML. The one function the loader, the admin and the preview share."""

from __future__ import annotations

import html as html_text
import re

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from markdown.extensions.toc import slugify

from . import tables

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "code",
    "pre",
    *tables.ALLOWED_TAGS,
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"align"},
    "td": {"align"},
    "caption": tables.ALLOWED_ATTRIBUTES["caption"],
    "div": tables.ALLOWED_ATTRIBUTES["div"],
}
URL_SCHEMES = {"http", "https", "mailto"}
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)"')
# "//host/" and "/\host/" (browsers read "\" as "/") are links to another site that look
# like paths: spelled out as https:// so they get the external-link treatment.
_SCHEME_RELATIVE = re.compile(r'(<[a-z]+\s[^>]*?\b(?:href|src)=")[/\\]{2}')
_TAG = re.compile(r"<[^>]+>")
# Ids the page template uses itself; a heading must not take one of them.
RESERVED_IDS = {
    "main",
    "top",
    "feedback",
    "on-this-page",
    "references",
    "get-help",
    "related",
    "call-911-first",
}


# Python-Markdown's link parsing is quadratic in the "[" of one paragraph, and deep nesting
# recurses: these bounds keep any accepted text well under a second (measured: docs/performance.md).
MAX_SOURCE_CHARACTERS = 200_000
MAX_BRACKETS = 3_000
MAX_BRACKETS_PER_PARAGRAPH = 100
MAX_NESTING = 8
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_START = re.compile(r"[ \t>]*")


class MarkdownTooComplex(ValueError):
    """The text would take too long to render; the message tells the editor what to change."""


def check_complexity(source: str) -> None:
    """Refuse text that would take too long to render, with a message an editor can act on."""
    if len(source) > MAX_SOURCE_CHARACTERS:
        raise MarkdownTooComplex(_("The text is too long: at most %d characters.") % MAX_SOURCE_CHARACTERS)
    if source.count("[") > MAX_BRACKETS:
        raise MarkdownTooComplex(_("The text has too many “[” characters: at most %d.") % MAX_BRACKETS)
    for paragraph in _PARAGRAPH_BREAK.split(source):
        if paragraph.count("[") > MAX_BRACKETS_PER_PARAGRAPH:
            raise MarkdownTooComplex(
                _("A paragraph has too many “[” characters (at most %d): split it up.")
                % MAX_BRACKETS_PER_PARAGRAPH
            )
    for line in source.split("\n"):
        start = _LINE_START.match(line).group().expandtabs(4)
        if start.count(">") > MAX_NESTING or len(start.replace(">", "")) > 4 * MAX_NESTING:
            raise MarkdownTooComplex(
                _("Quotes or lists are nested too deeply: at most %d levels.") % MAX_NESTING
            )


def _heading_id(value: str, separator: str) -> str:
    anchor = slugify(value, separator) or "section"
    return f"{anchor}-section" if anchor in RESERVED_IDS else anchor


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "fenced_code", tables.TableExtension()],
        extension_configs={"toc": {"toc_depth": "2-4", "slugify": _heading_id}},
    )
    # Raw HTML in the source is shown as text, never passed through: staff write
    # Markdown, and nh3 below is a second wall, not the only one.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


# Figures an editor asks for with a paragraph of its own: "{body-map}", "{icon-array 77 of 1000}".
# Matched in the sanitized HTML, so only these exact paragraphs turn into a figure, and the figure
# comes from a fixed template (templates/articles/figures/), never from the editor's markup.
FIGURE_MARKER = re.compile(r"<p>\{(?:(body-map)|icon-array (\d{1,4}) of (100|1,?000))\}</p>")
ICON_ARRAY_COLUMNS = {1000: 40, 100: 10}  # 40 x 25 and 10 x 10 marks
ICON_SIZE = 10  # one mark's cell, in the drawing's units
# Any marker text left on a page after rendering (a typo, or not alone in its paragraph).
LEFTOVER_MARKER = re.compile(r"\{\s*(?:body[- _]?map|icon[- _]?array)[^}]*\}?", re.IGNORECASE)


def icon_array_rows(marked: int, total: int) -> tuple[list[dict], list[dict]]:
    """The filled and the empty marks of an icon array as at most 2 + 2 rectangles of dots.

    Marks fill row by row: whole filled rows, the filled part of the next row, its empty rest,
    then the empty rows. Four rectangles instead of 1,000 circles keep the page small.
    """
    columns, size = ICON_ARRAY_COLUMNS[total], ICON_SIZE
    rows = total // columns
    full, rest = divmod(marked, columns)
    filled, empty = [], []
    if full:
        filled.append({"x": 0, "y": 0, "width": columns * size, "height": full * size})
    if rest:
        filled.append({"x": 0, "y": full * size, "width": rest * size, "height": size})
        empty.append({"x": rest * size, "y": full * size, "width": (columns - rest) * size, "height": size})
    first_empty_row = full + (1 if rest else 0)
    if first_empty_row < rows:
        empty.append(
            {
                "x": 0,
                "y": first_empty_row * size,
                "width": columns * size,
                "height": (rows - first_empty_row) * size,
            }
        )
    return filled, empty


def _figures(html: str, language: str) -> str:
    """Put each figure marker's fixed template in place (in page order, each with its own ids),
    labelled in the article's language."""
    numbers = iter(range(1, 10_000))

    def figure(match: re.Match) -> str:
        if match.group(1):
            return render_to_string(
                "articles/figures/body_map.html", {"figure_id": f"figure-{next(numbers)}"}
            )
        marked, total = int(match.group(2)), int(match.group(3).replace(",", ""))
        if marked > total:
            return match.group(0)  # left as text: lint_content names it
        filled, empty = icon_array_rows(marked, total)
        columns = ICON_ARRAY_COLUMNS[total]
        context = {
            "figure_id": f"figure-{next(numbers)}",
            "marked": marked,
            "total": total,
            "filled": filled,
            "empty": empty,
            "width": columns * ICON_SIZE,
            "height": total // columns * ICON_SIZE,
        }
        return render_to_string("articles/figures/icon_array.html", context)

    if "<p>{" not in html:
        return html
    with translation.override(language):
        return FIGURE_MARKER.sub(figure, html)


def render(source: str, language: str | None = None) -> str:
    """Turn Markdown into sanitized HTML.

    Headings get ids (for "On this page"); only http, https and mailto links survive;
    scripts, event handlers, styles and raw HTML never reach a page; external links get
    rel="noopener". Figure markers become figures labelled in `language` (the article's;
    default: the active language), so the stored HTML is ready to serve. Pure: same input,
    same output, no database. Raises MarkdownTooComplex for text that would take too long
    to render.
    """
    check_complexity(source or "")
    html = _markdown().convert(source or "")
    html = html.replace('<h1 id="', '<h2 id="').replace("</h1>", "</h2>")  # title is the h1
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        tag_attribute_values=tables.ALLOWED_VALUES,
    )
    clean = _SCHEME_RELATIVE.sub(r"\1https://", clean)
    clean = _EXTERNAL_LINK.sub(r'<a href="\1" rel="noopener"', clean)
    return _figures(clean, language or translation.get_language() or "en")


def headings(html: str) -> list[dict[str, str]]:
    """The h2 sections of rendered HTML, for the page's "On this page" list.

    Titles are plain text (entities decoded: "Heat & ice", not "Heat &amp; ice"); the
    template escapes them once.
    """
    return [
        {"id": anchor, "title": html_text.unescape(_TAG.sub("", title)).strip()}
        for anchor, title in _H2.findall(html)
    ]
