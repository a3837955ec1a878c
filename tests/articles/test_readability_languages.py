"""Readability is chosen per language from a registry: English by grade, Spanish by INFLESZ,
and a new language is an entry, not an `if`."""

from __future__ import annotations

from dryneedling_site.articles import readability_languages
from dryneedling_site.articles.readability_languages import ReadabilityRule, readability_problem, reading_ease

HARD_EN = (
    "Intramuscular stimulation methodologies necessitate comprehensive neuromusculoskeletal "
    "evaluation, incorporating multidimensional considerations regarding contraindications."
)
HARD_ES = (
    "La electroestimulación intramuscular multidimensional necesita consideraciones "
    "neuromusculoesqueléticas extraordinariamente especializadas e individualizadas."
)


def test_each_language_gets_its_own_rule_and_message():
    rule, message = readability_problem("en", HARD_EN)
    assert rule == "reading-grade" and "above" in message
    rule, message = readability_problem("es", HARD_ES)
    assert rule == "reading-ease" and message.startswith("INFLESZ")
    assert readability_problem("en", "We can help. Call us.") is None


def test_only_spanish_rows_store_a_reading_ease():
    assert reading_ease("es", HARD_ES) is not None
    assert reading_ease("en", HARD_EN) is None
    assert reading_ease("xx", HARD_EN) is None


def test_a_third_language_is_an_entry_in_the_registry(monkeypatch):
    assert readability_problem("fr", "Texte.") is None  # no entry: not scored
    rules = {**readability_languages.RULES, "fr": ReadabilityRule("reading-fr", lambda body: "trop long")}
    monkeypatch.setattr(readability_languages, "RULES", rules)
    assert readability_problem("fr", "Texte.") == ("reading-fr", "trop long")
