"""Checks a vote must pass before it is stored: same site, sensible size, rate limits.

The generic request checks (where a POST comes from, its size, the client's network) live in
core.requestguards, shared with the clinics' listing-update form; they are re-exported here so
`guards.is_cross_site` and friends keep working. Rate-limit counters live only in the "limits"
cache, keyed by keyed hashes: no address is ever written down.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from dryneedling_site.core import cachesafe
from dryneedling_site.core.requestguards import (
    SAME_SITE_FETCH,
    client_network,
    is_cross_site,
    is_too_large,
)

from .services import visitor_hash

__all__ = ["SAME_SITE_FETCH", "client_network", "is_cross_site", "is_too_large", "rate_limit_exceeded"]


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
