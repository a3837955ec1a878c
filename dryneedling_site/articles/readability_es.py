"""Reading ease of Spanish article text, computed offline.

The English Flesch-Kincaid grade means little for Spanish, whose words run longer. Spanish
health writers use the Szigriszt-Pazos perspicuity score with the INFLESZ scale (the guide
aims for 55 or more, "normal" or easier) and the Fernández-Huerta score. Both need only
word, sentence and syllable counts, and Spanish spelling shows its syllables plainly, so a
few spelling rules count them without a dictionary or a download.

Markdown syntax is stripped and sentences are found exactly as for English (``readability``):
headings, list items and table rows count as sentences of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .readability import _SENTENCE_END, plain_text

# Letters of any alphabet, so "é", "ñ" and "ü" stay inside their words; digits are not words.
_WORD = re.compile(r"[^\W\d_]+")
# Strong vowels, plus accented i/u: an accent on i or u breaks a diphthong (hiatus: "dí-a").
_STRONG = frozenset("aeoáéóíúàèòìù")
_WEAK = frozenset("iuüï")
_VOWELS = _STRONG | _WEAK
# The u of "que", "qui", "gue", "gui" is not pronounced (written "ü" when it is: "pingüino").
_SILENT_U = re.compile(r"([qg])u([eiéí])")

INFLESZ_TARGET = 55.0


def syllables_es(word: str) -> int:
    """Count a Spanish word's syllables from its spelling.

    Each group of vowels is one syllable, except that two strong vowels (a, e, o, or an
    accented í/ú) side by side fall in different syllables (hiatus: "le-ó", "dí-a").
    A final "y" after a vowel sounds as a vowel ("muy", "hoy"); "y" alone is a word.
    """
    text = _SILENT_U.sub(r"\1\2", word.lower())
    if text == "y":
        return 1
    if len(text) > 1 and text.endswith("y") and text[-2] in _VOWELS:
        text = text[:-1] + "i"
    count = 0
    previous = ""
    for letter in text:
        if letter not in _VOWELS:
            previous = ""
            continue
        if not previous or (previous in _STRONG and letter in _STRONG):
            count += 1
        previous = letter
    return max(count, 1)


def inflesz_band(score: float) -> str:
    """The INFLESZ band name for a Szigriszt-Pazos score (55 or more is "normal" or easier)."""
    if score > 80:
        return "muy fácil"
    if score >= 65:
        return "bastante fácil"
    if score >= INFLESZ_TARGET:
        return "normal"
    if score >= 40:
        return "algo difícil"
    return "muy difícil"


@dataclass(frozen=True)
class SpanishReadability:
    """Figures staff see next to a Spanish article; higher scores read more easily."""

    inflesz: float
    fernandez_huerta: float
    words: int
    sentences: int

    @property
    def band(self) -> str:
        """The INFLESZ band name, e.g. "normal"."""
        return inflesz_band(self.inflesz)

    @property
    def meets_target(self) -> bool:
        """True when the text is "normal" or easier on the INFLESZ scale."""
        return self.inflesz >= INFLESZ_TARGET


def measure_es(markdown_source: str) -> SpanishReadability:
    """Szigriszt-Pazos (INFLESZ) and Fernández-Huerta scores of Spanish Markdown text.

    Szigriszt-Pazos: 206.835 - 62.3 * syllables/words - words/sentences.
    Fernández-Huerta, in its usual corrected form: 206.84 - 60 * syllables/words
    - 1.02 * words/sentences.
    """
    text = plain_text(markdown_source)
    words = _WORD.findall(text)
    if not words:
        return SpanishReadability(inflesz=0.0, fernandez_huerta=0.0, words=0, sentences=0)
    sentence_count = max(sum(1 for s in _SENTENCE_END.split(text) if _WORD.search(s)), 1)
    syllables_per_word = sum(syllables_es(w) for w in words) / len(words)
    words_per_sentence = len(words) / sentence_count
    return SpanishReadability(
        inflesz=round(206.835 - 62.3 * syllables_per_word - words_per_sentence, 1),
        fernandez_huerta=round(206.84 - 60 * syllables_per_word - 1.02 * words_per_sentence, 1),
        words=len(words),
        sentences=sentence_count,
    )
