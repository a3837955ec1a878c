"""Absolute addresses of the site's own pages, from configuration only.

Canonical links, og:url, JSON-LD, robots.txt and sitemaps are cached and shared by every
visitor, so they must never echo the request's Host header (any name in ALLOWED_HOSTS, any
port): DJANGO_SITE_URL is the one source.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path


def parse_site_url(value: str) -> str:
    """Check DJANGO_SITE_URL ("https://guide.example.org") and return it without a final slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ImproperlyConfigured(
            f"DJANGO_SITE_URL must look like https://guide.example.org (scheme and host only), not {value!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ImproperlyConfigured("DJANGO_SITE_URL must not have a query, fragment or user name")
    return f"{parts.scheme}://{parts.netloc}".lower()


def absolute_url(path: str) -> str:
    """The public address of a path on this site, e.g. "/articles/needles/"."""
    return f"{settings.SITE_URL}{path}"


def page_url(request: HttpRequest) -> str:
    """The canonical address of the current page: its path, never its query string."""
    return absolute_url(escape_uri_path(request.path))
