"""For staff: each article's translations and their state, in the same words everywhere
(the article list's column and filter, and the "Translations" panel on the edit screen).

Staff read this in English (the admin is not translated), so it is left out of the catalogue.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import Article

MISSING = "missing"
OUT_OF_DATE = "out of date"
NOT_YET_REVIEWED = "not yet reviewed"
CURRENT = "current"
NO_SOURCE = "no English source"
# What each state means, shown beside it in the panel.
EXPLANATIONS = {
    MISSING: "no translation yet",
    OUT_OF_DATE: "the English article changed since it was translated",
    NOT_YET_REVIEWED: "no clinician has signed off its current text",
    CURRENT: "made from the current English and signed off by a clinician",
    NO_SOURCE: "it names no English article",
}


def other_languages() -> list[tuple[str, str]]:
    """Every language in LANGUAGES except the one articles are written in first (English)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_state(translation: Article | None) -> str:
    """One of MISSING, OUT_OF_DATE, NOT_YET_REVIEWED, CURRENT (or NO_SOURCE): out of date
    first, because a sign-off of a stale translation does not make it current."""
    if translation is None:
        return MISSING
    if translation.translation_of is None:
        return NO_SOURCE
    if translation.translation_status == "out of date":
        return OUT_OF_DATE
    if not translation.is_reviewed or translation.changed_since_review:
        return NOT_YET_REVIEWED
    return CURRENT


def translations_by_language(article: Article) -> dict[str, Article | None]:
    """An English article's translation in each other language (None where there is none)."""
    found = {t.language: t for t in article.translations.all()}
    return {code: found.get(code) for code, _name in other_languages()}


def states_in_words(article: Article) -> str:
    """The article list's column: "es: current" for an English row, the state for a translation."""
    if article.is_translation:
        return translation_state(article)
    return ", ".join(
        f"{code}: {translation_state(t)}" for code, t in translations_by_language(article).items()
    )


def translations_panel(article: Article) -> str:
    """The edit screen's read-only "Translations" panel: each other language, its state in
    words, and a link to edit the translation (or to add one, already filled in)."""
    if not article.pk:
        return "Shown after the first save."
    if article.is_translation:
        source = article.translation_of
        if source is None:
            return f"This translation is {NO_SOURCE}: {EXPLANATIONS[NO_SOURCE]}."
        return format_html(
            'Translation of <a href="{}">{}</a>: <strong>{}</strong> ({}).',
            reverse("admin:articles_article_change", args=[source.pk]),
            source.title,
            translation_state(article),
            EXPLANATIONS[translation_state(article)],
        )
    rows = []
    for (code, name), translation in zip(
        other_languages(), translations_by_language(article).values(), strict=True
    ):
        state = translation_state(translation)
        if translation is None:
            add = (
                reverse("admin:articles_article_add")
                + "?"
                + urlencode({"language": code, "translation_of": article.pk, "position": article.position})
            )
            action = format_html(
                '<a href="{}">Add the {} translation</a> (or load a file from content/articles/{}/ '
                "naming translation_of: {})",
                add,
                name,
                code,
                article.slug,
            )
        else:
            action = format_html(
                '<a href="{}">Edit “{}”</a>',
                reverse("admin:articles_article_change", args=[translation.pk]),
                translation.title,
            )
        rows.append((name, code, state, EXPLANATIONS[state], action, state.replace(" ", "-")))
    return format_html(
        '<table class="translations-panel"><thead><tr><th scope="col">Language</th>'
        '<th scope="col">Status</th><th scope="col">Translation</th></tr></thead><tbody>{}</tbody></table>',
        format_html_join(
            "",
            '<tr><th scope="row" lang="{1}">{0}</th>'
            '<td><strong class="translation-{5}">{2}</strong> ({3})</td><td>{4}</td></tr>',
            rows,
        ),
    )
