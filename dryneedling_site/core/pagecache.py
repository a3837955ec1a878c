"""Whole-page caching for anonymous visitors.

Public pages carry nothing specific to one visitor (no cookies, no CSRF token, no
feedback state), so one rendered copy serves everyone. Each cached copy is keyed by a
site-wide content version that any staff edit bumps, so the next request after an edit
renders afresh, on every app server that shares the cache (Redis via REDIS_URL).
Staff, whose requests carry a session cookie, always get fresh, private pages.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

VERSION_KEY = "pages:content-version"


def content_version() -> float:
    """The time of the last content change (set on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_content_version(**signal_kwargs) -> None:
    """Invalidate every cached page: called when staff change anything a page shows."""
    cache.set(VERSION_KEY, time.time(), timeout=None)


def invalidate_pages_on_change(*models: type[Model]) -> None:
    """Bump the content version whenever a row of these models (or their many-to-many links)
    is saved or deleted: everything a cached page shows comes from such rows."""
    for model in models:
        label = model._meta.label
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"pages-save-{label}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"pages-delete-{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                bump_content_version, sender=through, dispatch_uid=f"pages-m2m-{through._meta.label}"
            )


def _is_anonymous_get(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve anonymous GETs from the shared cache; let browsers and CDNs reuse them briefly."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_anonymous_get(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response

        version = content_version()
        path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"pages:{version}:{path_hash}"
        stored = cache.get(key)
        if stored is not None:
            content_type, body = stored
            response = HttpResponse(body, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if response.status_code == 200 and not response.cookies:
                cache.set(key, (response["Content-Type"], response.content), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_BROWSER_SECONDS)
            response["Last-Modified"] = http_date(version)
        patch_vary_headers(response, ["Cookie"])
        return response

    return cached_view
