"""Issue 19's content rules: an editor's later edit must not undo the collapsed-lung action plan.

The 911 line and a breathing sign early on each safety page, risk-zone lists that name the ribs
and the sides, one number scale per page, and the body map where it is required. Kept apart
from lint.py (the general rules) so each module holds one idea.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings

from . import markdown

if TYPE_CHECKING:
    from .lint import ArticleText


# Words a reader meets before the 911 line, counted over the summary, the key points and the
# body in that order (what the page shows first; the template's own 911 box is not counted).
SAFETY_LINE_WORDS = 150
_CALL_911 = {
    "en": re.compile(r"\bcall(?:ing)?\s+911\b", re.IGNORECASE),
    "es": re.compile(r"\bllam(?:e|a|ar|en)\s+al\s+911\b", re.IGNORECASE),
}
# One of the signs must be as early: trouble breathing is in every version of the list.
_SIGN = {
    "en": re.compile(r"\bbreath|\bbreathe", re.IGNORECASE),
    "es": re.compile(r"\baire\b|\brespirar", re.IGNORECASE),
}
_ANY_WORD = re.compile(r"\S+")
_TAG = re.compile(r"<[^>]+>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_MARKUP = re.compile(r"[*_`#>|]|\[|\]\([^)]*\)")

# Risk-zone lists: a block (paragraph, a whole list, a key point, a care-card line) naming the
# base of the neck, or two areas of the upper body, lists the risk areas. It must then cover the
# whole rib cage: the ribs, and the sides whenever it names parts (chest, back, shoulder blades).
# Signs ("chest pain"), complaints ("back pain") and "side effects" are taken out first: they
# name no area.
_NOT_AN_AREA = {
    "en": re.compile(r"chest pain|back pain|side[ -]effects?", re.IGNORECASE),
    "es": re.compile(r"dolor (?:en el pecho|de espalda)|efectos? secundarios?", re.IGNORECASE),
}
_ZONE_TERMS = {
    "en": {
        "neck": re.compile(r"\bbase of (?:the |your )?neck", re.IGNORECASE),
        "chest": re.compile(r"\bchest\b|\bbreastbone\b", re.IGNORECASE),
        "shoulder blades": re.compile(r"\bshoulder ?blades?\b", re.IGNORECASE),
        "back": re.compile(
            r"\b(?:upper|middle|mid|your|the) (?:or middle |and middle )?back\b|\bback\)", re.IGNORECASE
        ),
    },
    "es": {
        "neck": re.compile(r"\bbase del cuello", re.IGNORECASE),
        "chest": re.compile(r"\bpecho\b|\besternón\b", re.IGNORECASE),
        "shoulder blades": re.compile(r"\bomóplatos?\b|\bpaletas\b", re.IGNORECASE),
        "back": re.compile(r"\bespalda\b", re.IGNORECASE),
    },
}
_RIBS = {
    "en": re.compile(r"\bribs?\b|\brib cage\b", re.IGNORECASE),
    "es": re.compile(r"\bcostillas?\b|\bcaja torácica\b", re.IGNORECASE),
}
_SIDES = {
    "en": re.compile(r"\bsides?\b|\bunder (?:your|the) arms?\b", re.IGNORECASE),
    "es": re.compile(r"\bcostados?\b|\bdebajo del brazo\b", re.IGNORECASE),
}

# Frequencies: "76 out of 1,000", "1 in 5", "3 in every 100", "76 de cada 1,000", "5%".
# Answers to a survey ("2 in 3 PTs said") count people asked, not treatments: not a scale.
_FREQUENCY = re.compile(
    r"\b(\d[\d,.]*)\s+(?:out\s+of|in|de\s+cada)\s+(?:every\s+)?(\d[\d,.]*)\b((?:\s+\S+){0,3})",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent\b|per cent\b|por ciento\b)", re.IGNORECASE)
_SURVEY_WORDS = re.compile(
    r"\b(?:PTs?|physical therapists?|therapists?|physiotherapists?|said"
    r"|fisioterapeutas?|terapeutas?|dijeron)\b",
    re.IGNORECASE,
)
_BODY_MAP = re.compile(
    r'<figure class="body-map">.*?aria-label="([^"]+)".*?<figcaption>(.+?)</figcaption>', re.DOTALL
)


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(" ", text).split())


def _body_blocks(body: str) -> list[str]:
    """Paragraphs and whole lists (a list's items read as one list of areas), as plain text."""
    blocks: list[str] = []
    for chunk in re.split(r"\n[ \t]*\n", body):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        is_list = bool(re.match(r"\s*(?:[-*+]|\d+\.)\s", lines[0]))
        previous_was_list = bool(blocks) and blocks[-1].startswith("\x00")
        text = _plain(" ".join(_LIST_MARK.sub("", line) for line in lines))
        if is_list and previous_was_list:
            blocks[-1] += " " + text  # a loose list (blank lines between items) is one list
        else:
            blocks.append(("\x00" if is_list else "") + text)
    return [block.lstrip("\x00") for block in blocks]


def first_words_have_911(text: ArticleText) -> bool:
    """Whether "call 911" and a sign (trouble breathing) come within the first
    SAFETY_LINE_WORDS words the page shows."""
    language = text.language if text.language in _CALL_911 else "en"
    shown = " ".join(_plain(part) for part in [text.summary, *text.key_points, markdown_plain(text.body)])
    first = " ".join(_ANY_WORD.findall(shown)[:SAFETY_LINE_WORDS])
    return bool(_CALL_911[language].search(first) and _SIGN[language].search(first))


def markdown_plain(body: str) -> str:
    """The body without headings' and lists' marks, one line a block."""
    return "\n".join(_body_blocks(body))


def risk_zone_problems(blocks: list[str], language: str) -> list[str]:
    """Risk-zone lists among `blocks` that leave out the ribs or the sides."""
    if language not in _ZONE_TERMS:
        language = "en"
    problems = []
    for block in blocks:
        words = _NOT_AN_AREA[language].sub(" ", block)
        named = {name for name, term in _ZONE_TERMS[language].items() if term.search(words)}
        if "neck" not in named and len(named) < 2:
            continue
        parts = named - {"neck"}
        ribs, sides = bool(_RIBS[language].search(words)), bool(_SIDES[language].search(words))
        missing = []
        if not ribs and not (sides and {"chest", "back"} <= named):
            missing.append("the ribs")
        if parts and not sides:
            missing.append("the sides (under the arm)")
        if missing:
            terms = list(_ZONE_TERMS[language].values())
            sentences = re.split(r"(?<=[.!?:])\s+", block)
            quoted = next((s for s in sentences if any(t.search(s) for t in terms)), block)
            quoted = quoted if len(quoted) <= 100 else quoted[:97] + "..."
            problems.append(
                f"the risk areas “{quoted}” leave out {' and '.join(missing)}; the lungs sit under "
                "the whole rib cage: chest, sides (under the arm) and back down to the lowest ribs, "
                "and the base of the neck"
            )
    return problems


def number_scales(texts: list[str]) -> dict[str, list[str]]:
    """Each scale a frequency is written on ("1,000", "100", "5", "percent"), with its examples."""
    scales: dict[str, list[str]] = {}
    for text in texts:
        for match in _FREQUENCY.finditer(text):
            if _SURVEY_WORDS.search(match.group(3)):
                continue
            total = match.group(2).rstrip(".,")
            digits = total.replace(",", "").replace(".", "")
            scale = f"{int(digits):,}"
            scales.setdefault(scale, []).append(f"{match.group(1)} in {total}")
        for match in _PERCENT.finditer(text):
            scales.setdefault("percent", []).append(match.group(0))
    return scales


def safety_findings(text: ArticleText, rendered: str) -> list[tuple[str, str]]:
    """(rule, message) for issue 19's rules: the 911 line first, the risk zone, one number
    scale, the body map."""
    found: list[tuple[str, str]] = []
    slug = text.english_slug
    if slug in settings.ARTICLE_SAFETY_PAGES and not first_words_have_911(text):
        found.append(
            (
                "safety-911-first",
                f"“call 911” (Spanish: “llame al 911”) and its signs must come within the first "
                f"{SAFETY_LINE_WORDS} words (summary, key points, body); put them in the first key point",
            )
        )
    blocks = [text.summary, *text.key_points, *text.care_items, *_body_blocks(text.body)]
    found.extend(("risk-zone", problem) for problem in risk_zone_problems(blocks, text.language))
    scales = number_scales(blocks)
    if len(scales) > 1:
        written = "; ".join(f"{', '.join(dict.fromkeys(examples))}" for examples in scales.values())
        found.append(
            (
                "number-scale",
                f"frequencies are written on {len(scales)} scales ({written}); write every one "
                "“out of 1,000 treatments” (Spanish: “de cada 1,000 tratamientos”)",
            )
        )
    if slug in settings.ARTICLE_BODY_MAP_PAGES:
        body_map = _BODY_MAP.search(rendered)
        if not body_map:
            found.append(
                (
                    "body-map",
                    "this safety page must show the body map: a paragraph of its own saying "
                    "{body-map} where the risk areas are listed",
                )
            )
        elif not (body_map.group(1).strip() and _TAG.sub("", body_map.group(2)).strip()):
            found.append(("body-map", "the body map has no text alternative (its label and caption)"))
    for leftover in markdown.LEFTOVER_MARKER.findall(_TAG.sub(" ", rendered)):
        found.append(
            (
                "figure-marker",
                f"“{leftover.strip()}” did not become a figure; write {{body-map}} or "
                "{icon-array N of 1000} (N at most the total) as a paragraph of its own",
            )
        )
    return found
