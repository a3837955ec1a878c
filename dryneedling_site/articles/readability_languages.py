"""Which readability formula and target each article language has: a registry, not `if`s.

English is graded by Flesch-Kincaid (readability.py, target ARTICLE_MAX_READING_GRADE); Spanish
by INFLESZ (readability_es.py, target INFLESZ_TARGET). A third language adds an entry here with
its own measure; a language without one is not scored (docs/languages.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .readability import measure
from .readability_es import INFLESZ_TARGET, measure_es


@dataclass(frozen=True)
class ReadabilityRule:
    """A language's check: the content linter's rule name, and what it finds in a body."""

    rule: str
    problem: Callable[[str], str | None]  # the linter's message when the body misses the target
    reading_ease: Callable[[str], float] | None = None  # the score an article row stores, if any


def _english_problem(body: str) -> str | None:
    grade = measure(body).grade
    if grade <= settings.ARTICLE_MAX_READING_GRADE:
        return None
    return (
        f"reads at grade {grade:.1f}, above {settings.ARTICLE_MAX_READING_GRADE:g} "
        "(shorter sentences and everyday words help)"
    )


def _spanish_problem(body: str) -> str | None:
    ease = measure_es(body)
    if ease.meets_target:
        return None
    return (
        f"INFLESZ {ease.inflesz:.1f} ({ease.band}), below {INFLESZ_TARGET:g} "
        "(frases más cortas y palabras de todos los días ayudan)"
    )


def _spanish_ease(body: str) -> float:
    return round(measure_es(body).inflesz, 1)


RULES: dict[str, ReadabilityRule] = {
    "en": ReadabilityRule("reading-grade", _english_problem),
    "es": ReadabilityRule("reading-ease", _spanish_problem, _spanish_ease),
}


def readability_problem(language: str, body: str) -> tuple[str, str] | None:
    """(rule, message) when an article in `language` misses its readability target, else None."""
    rule = RULES.get(language)
    if rule is None:
        return None
    message = rule.problem(body)
    return (rule.rule, message) if message else None


def reading_ease(language: str, body: str) -> float | None:
    """The score stored on an article row (Spanish: INFLESZ), or None for a language without one."""
    rule = RULES.get(language)
    return rule.reading_ease(body) if rule and rule.reading_ease else None
