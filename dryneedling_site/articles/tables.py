"""Markdown tables that a screen reader can name and a phone can show.

A `Table: ...` line right before a table becomes its `<caption>`; the first cell of each body
row becomes a row header (`<th scope="row">`), header cells get `scope="col"`, and the table
sits in a focusable region named by its caption, so at 320 px it scrolls inside that region
(reachable with the keyboard) instead of widening the page. Without the caption line the
table renders as before, and `lint_content` reports it (rule `table-caption`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

CAPTION_PREFIX = "Table:"
_CAPTION_LINE = re.compile(r"^[ ]{0,3}Table:[ \t]+\S")
_TABLE_LINE = re.compile(r"^[ ]{0,3}\|")
# What nh3 lets through for these tables (markdown.py): free-valued attributes, then the
# attributes allowed with these values only.
ALLOWED_TAGS = {"caption", "div"}
ALLOWED_ATTRIBUTES = {"caption": {"id"}, "div": {"aria-labelledby"}}
ALLOWED_VALUES = {
    "div": {"class": {"table-region"}, "role": {"region"}, "tabindex": {"0"}},
    "th": {"scope": {"row", "col"}},
}


class _SeparateCaptionLine(Preprocessor):
    """`Table: ...` directly above a table (no blank line) would join the table's paragraph."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for index, line in enumerate(lines):
            out.append(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _CAPTION_LINE.match(line) and _TABLE_LINE.match(following):
                out.append("")
        return out


class _CaptionAndHeaders(Treeprocessor):
    """Runs after inline parsing, so a caption keeps its emphasis and links."""

    def run(self, root: etree.Element) -> None:
        count = 0
        for parent in list(root.iter()):
            children = list(parent)
            for position, table in enumerate(children):
                if table.tag != "table":
                    continue
                count += 1
                _header_scopes(table)
                before = children[position - 1] if position else None
                if before is None or not _is_caption(before):
                    continue
                caption_id = f"table-caption-{count}"
                caption = etree.Element("caption", {"id": caption_id})
                caption.text = (before.text or "").lstrip()[len(CAPTION_PREFIX) :].lstrip()
                caption.extend(list(before))
                table.insert(0, caption)
                parent.remove(before)
                region = etree.Element(
                    "div",
                    {
                        "class": "table-region",
                        "role": "region",
                        "tabindex": "0",
                        "aria-labelledby": caption_id,
                    },
                )
                index = list(parent).index(table)
                parent.remove(table)
                region.append(table)
                region.tail, table.tail = table.tail, None
                parent.insert(index, region)


def _is_caption(element: etree.Element) -> bool:
    return element.tag == "p" and (element.text or "").lstrip().startswith(CAPTION_PREFIX)


def _header_scopes(table: etree.Element) -> None:
    for head in table.iter("thead"):
        for cell in head.iter("th"):
            cell.set("scope", "col")
    for body in table.iter("tbody"):
        for row in body.iter("tr"):
            first = row[0] if len(row) else None
            if first is not None and first.tag == "td":
                first.tag = "th"
                first.set("scope", "row")


class TableExtension(Extension):
    """Captions from `Table:` lines, row and column header scopes, a scrolling region."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_SeparateCaptionLine(md), "table_caption_line", 5)
        # Below "inline" (20): the caption paragraph's emphasis and links are parsed already.
        md.treeprocessors.register(_CaptionAndHeaders(md), "table_captions", 5)


def table_problems(html: str) -> list[str]:
    """What a reader of each rendered table would miss: a caption, a header cell's text."""
    problems = []
    for number, table in enumerate(re.findall(r"<table>.*?</table>", html, re.DOTALL), start=1):
        if "<caption" not in table:
            problems.append(
                f"table {number} has no caption; write a line “{CAPTION_PREFIX} what the table compares” "
                "right before it"
            )
        head = re.search(r"<thead>(.*?)</thead>", table, re.DOTALL)
        cells = re.findall(r"<th[^>]*>(.*?)</th>", head.group(1) if head else "", re.DOTALL)
        if any(not re.sub(r"<[^>]+>", "", cell).strip() for cell in cells):
            problems.append(f"table {number} has an empty header cell; say what its column holds")
    return problems
