"""Template helpers that read the site's languages from settings.LANGUAGES and Django's data.

No language is named in a template: "Se habla español" on a Spanish page comes from the page's
language and Django's own name for it, so a third language needs no template change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def spoken_page_language(languages: Iterable, code: str) -> str:
    """The page language's own name ("español") when one of `languages` (items with a `slug`,
    made from the English name: "spanish") is it; "" otherwise, and always on the default
    language's pages (an English page does not single out English)."""
    if code == settings.LANGUAGE_CODE or code not in dict(settings.LANGUAGES):
        return ""
    info = get_language_info(code)
    wanted = slugify(info["name"])
    return str(info["name_local"]) if any(language.slug == wanted for language in languages) else ""
