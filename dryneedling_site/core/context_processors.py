"""Template context every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from .siteurl import absolute_url, page_url

# The default SITE_NAME, so the Spanish pages can name the site in Spanish.
gettext_noop("Dry Needling Patient Guide")


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name (translated when it is the default), and the page's canonical address
    from DJANGO_SITE_URL (not Host)."""
    return {"site_name": gettext(settings.SITE_NAME), "page_url": page_url(request)}


def language_paths(request: HttpRequest) -> dict[str, str | None]:
    """The path of this page in each language; None where it has no translation.

    A view whose pages differ by language (an article's translation has its own slug) sets
    `request.language_paths`; otherwise the same view at the other language's prefix is it.
    """
    explicit = getattr(request, "language_paths", None)
    if explicit is not None:
        return explicit
    if request.resolver_match is None:  # an error page: no known equivalent
        return {code: None for code, _ in settings.LANGUAGES}
    return {code: translate_url(request.path, code) for code, _ in settings.LANGUAGES}


def languages(request: HttpRequest) -> dict[str, object]:
    """The "Español" / "English" switch and the head's hreflang alternates.

    The switch leads to the same page in the other language, or to that language's guide
    when the page has no translation; hreflang names only real translations. On a page whose
    view declares its GET parameters (a search, its page number, a clinic reached from the
    results), the switch keeps them, so a reader changing language keeps their place.
    """
    current = translation.get_language()
    paths = language_paths(request)
    query = request.GET.urlencode() if getattr(request, "page_params", ()) else ""
    switch = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        path = paths.get(code)
        if path is None:
            with translation.override(code):
                path = reverse("articles:list")
        elif query:
            path = f"{path}?{query}"
        switch.append({"code": code, "name": name, "url": path})
    alternates = []
    if all(paths.get(code) for code, _ in settings.LANGUAGES):
        alternates = [{"code": code, "url": absolute_url(paths[code])} for code, _ in settings.LANGUAGES]
        alternates.append({"code": "x-default", "url": absolute_url(paths[settings.LANGUAGE_CODE])})
    return {"language_switch": switch, "hreflang_alternates": alternates}
