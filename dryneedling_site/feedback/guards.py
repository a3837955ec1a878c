"""Checks a vote must pass before it is stored: same site, sensible size, rate limits.

The vote endpoint cannot use Django's CSRF token (article pages carry no per-visitor data,
so they can be cached whole), so it checks where the request comes from instead. Rate-limit
counters live only in the "limits" cache, keyed by keyed hashes: no address is ever written down.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from dryneedling_site.core import cachesafe
from dryneedling_site.core.clientip import client_network as core_client_network

from .services import visitor_hash

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
    """The answer form is tiny; a big body is refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FEEDBACK_MAX_REQUEST_BYTES


def client_network(request: HttpRequest) -> str:
    """The address a limit applies to: IPv4 as is, IPv6 by its /64 (one household or phone).

    Who the client is comes from the site's one rule (core.clientip, DJANGO_TRUSTED_PROXIES).
    """
    return core_client_network(request) or "unknown"


def _hits(key: str, window: int) -> int:
    """Count one more request in a fixed window, in the "limits" cache (apart from pages).

    While that cache is down the count goes on in this process's memory (cachesafe), so the
    limit still holds per app server instead of switching off.
    """
    return cachesafe.guarded("limits").count(key, window)


def rate_limit_exceeded(request: HttpRequest, visitor: str) -> int | None:
    """Count this request per visitor cookie and per network; the seconds to wait when over."""
    network = client_network(request)
    buckets = {
        "address": salted_hmac("dryneedling_site.feedback.address", network).hexdigest(),
        "visitor": visitor_hash(visitor),
    }
    wait = None
    for name, key in buckets.items():
        limit, window = settings.FEEDBACK_RATE_LIMITS[name]
        if _hits(f"feedback:rate:{name}:{key}", window) > limit:
            wait = max(wait or 0, window)
    return wait
