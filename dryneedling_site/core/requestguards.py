"""Checks any public POST must pass before it is read: same site, sensible size, who sent it.

Forms on cached pages (the feedback vote, a clinic's listing update) cannot use Django's CSRF
token, since their pages carry no per-visitor data, so they check where the request comes from
instead. These checks know nothing about what is posted; each app adds its own rate limits.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from dryneedling_site.core import clientip

SAME_SITE_FETCH = {"same-origin", "none"}


def is_cross_site(request: HttpRequest) -> bool:
    """True when the browser tells us the POST was sent from another site.

    `Sec-Fetch-Site` (set by the browser, not by page scripts) decides when present: only
    same-origin (our own page) and none (typed or bookmarked) pass; a sibling subdomain
    ("same-site") does not. Otherwise `Origin`, when present, must be this site (or one in
    CSRF_TRUSTED_ORIGINS). A request with neither header comes from an old browser or a
    non-browser client; it carries no visitor's cookie by force of a hostile page, so it is
    accepted and left to the rate limits.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in SAME_SITE_FETCH
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    return origin.strip().lower() not in {value.lower() for value in own}


def is_too_large(request: HttpRequest) -> bool:
    """Public forms are tiny (FEEDBACK_MAX_REQUEST_BYTES); a big body is refused unread."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FEEDBACK_MAX_REQUEST_BYTES


def client_network(request: HttpRequest) -> str:
    """The address a limit applies to: IPv4 as is, IPv6 by its /64 (one household or phone).

    Who the client is comes from the site's one rule (core.clientip, DJANGO_TRUSTED_PROXIES);
    the staff lockout uses the same network, so both limits count one household alike.
    """
    return clientip.client_network(request) or "unknown"
