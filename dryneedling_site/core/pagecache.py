"""Whole-page caching for anonymous visitors.

Public pages carry nothing specific to one visitor (no cookies, no CSRF token, no
feedback state), so one rendered copy serves everyone. Each cached copy is keyed by the
content versions of the scopes it shows ("articles", "clinics", ...): a change to a model
registered for a scope bumps that scope's version after the transaction commits, so the
next request renders afresh on every app server sharing the cache (Redis via REDIS_URL),
and pages of other scopes stay cached. A page is keyed only by the GET parameters its view
declares: junk parameters and their order never make a new entry.

The cache is bounded by what real requests ask for: a view marks an answer it should not keep
(a search for a made-up place, an out-of-range parameter) with `do_not_store()`, a parameter
given twice is never stored, and each view may store at most `max_entries` new pages per
PAGE_CACHE_SECONDS (PAGE_CACHE_MAX_PER_VIEW by default), so 5,000 distinct searches cannot
add 5,000 keys. A version bump that the cache refuses (Redis full under `noeviction`, or
read-only) deletes the version instead, so every process must write it again, fails, and
renders afresh until a write succeeds: no process serves a page older than the last edit.

The cache may fail at any time (core/cachesafe.py): pages then render uncached.
Staff, whose requests carry the signed staff marker (core/staffmarker.py), always get fresh,
private pages; any other cookie, a made-up `sessionid` included, gets the cached page.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from . import cachesafe
from .staffmarker import has_staff_marker

VERSION_KEY = "pages:version:{scope}"
_scopes: set[str] = set()


def _cache() -> cachesafe.GuardedCache:
    return cachesafe.guarded("default")


def registered_scopes() -> list[str]:
    """Every scope some model was registered for, sorted."""
    return sorted(_scopes)


def content_versions(scopes: Iterable[str]) -> dict[str, float]:
    """The time of each scope's last content change (set on first use)."""
    keys = {scope: VERSION_KEY.format(scope=scope) for scope in scopes}
    stored = _cache().get_many(list(keys.values()))
    versions = {}
    for scope, key in keys.items():
        if key not in stored:
            _cache().add(key, time.time(), timeout=None)
            stored[key] = _cache().get(key, time.time())
        versions[scope] = stored[key]
    return versions


def bump_content_version(scope: str) -> None:
    """Invalidate every cached page that shows this scope.

    When the cache refuses the write but still answers reads, the old version would go on
    naming the old pages in every other process: delete it (a full Redis still accepts DEL),
    so each process finds it missing, fails to add it, and opens its own breaker.
    """
    key = VERSION_KEY.format(scope=scope)
    if not _cache().set(key, time.time(), timeout=None):
        _cache().delete_now(key)


def _bump_every_scope() -> None:
    # After an outage a bump may have missed the shared cache: start every scope afresh.
    for scope in registered_scopes():
        bump_content_version(scope)


cachesafe.on_recovery("default", _bump_every_scope)


def bump_after_commit(scope: str, using: str = "default") -> None:
    """Bump the scope once the current transaction commits (at once outside a transaction).

    Bumping before the commit would let a reader arriving mid-save cache the old page again.
    A bulk write (no signals) calls this once itself.
    """
    transaction.on_commit(partial(bump_content_version, scope), using=using, robust=True)


def invalidate_pages_on_change(*models: type[Model], scope: str) -> None:
    """Bump `scope` after any row of these models (or their many-to-many links) is saved or
    deleted. One line per model that a cached page shows, e.g.
    `invalidate_pages_on_change(SitePage, scope="pages")`."""
    _scopes.add(scope)

    def changed(sender: Any, using: str = "default", action: str = "post_", **kwargs: Any) -> None:
        if action.startswith("post_"):
            bump_after_commit(scope, using)

    for model in models:
        label = model._meta.label
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"pages-save-{label}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"pages-delete-{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is None:  # only before the app registry is ready
                continue
            m2m_changed.connect(
                changed, sender=through, weak=False, dispatch_uid=f"pages-m2m-{through._meta.label}"
            )


def do_not_store(response: HttpResponse) -> HttpResponse:
    """Serve this answer but keep no copy (e.g. a search for a place that does not exist)."""
    response.page_cache_store = False  # type: ignore[attr-defined]
    return response


def _within_budget(name: str, max_entries: int) -> bool:
    """Count one more stored page for this view in the current window; False past the cap.

    Pages live PAGE_CACHE_SECONDS, so at most twice `max_entries` of a view's pages exist.
    """
    window = max(int(settings.PAGE_CACHE_SECONDS), 1)
    key = f"pages:budget:{name}:{int(time.time() // window)}"
    return _cache().count(key, 2 * window) <= max_entries


def _is_anonymous_get(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not has_staff_marker(request)


def _declared_query(request: HttpRequest, params: Iterable[str]) -> QueryDict:
    """Only the parameters the view reads, in the order it declares them."""
    query = QueryDict(mutable=True)
    for name in params:
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    query._mutable = False
    return query


def _sets_cookie(request: HttpRequest, response: HttpResponse) -> bool:
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


# Headers this wrapper or the middleware writes on every answer; the rest (X-Robots-Tag,
# Content-Language, Link...) are the view's own and come back with a cached copy.
_NOT_STORED = frozenset(
    {"content-type", "content-length", "vary", "cache-control", "etag", "last-modified", "expires"}
    | {"set-cookie", "x-page-cache"}
)


def _to_stored(response: HttpResponse) -> tuple[str, bytes, dict[str, str]]:
    """What the cache keeps of a 200: its type, body and the headers the view set."""
    headers = {name: value for name, value in response.items() if name.lower() not in _NOT_STORED}
    return response["Content-Type"], response.content, headers


def _from_stored(stored: tuple) -> HttpResponse:
    """A cached 200 as it was sent (entries from before headers were kept have two parts)."""
    content_type, body, *rest = stored
    response = HttpResponse(body, content_type=content_type)
    for name, value in (rest[0] if rest else {}).items():
        response[name] = value
    return response


def cache_public_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    scopes: Iterable[str] | None = None,
    params: Iterable[str] = (),
    max_entries: int | None = None,
) -> Any:
    """Serve anonymous GETs from the shared cache; let browsers and CDNs reuse them briefly.

    `scopes`: the content the page shows (default: every registered scope). `params`: the
    GET parameters the view reads; the view sees only those, and the cache key only those.
    `max_entries`: new pages this view may store per PAGE_CACHE_SECONDS (default
    PAGE_CACHE_MAX_PER_VIEW). Use bare (`@cache_public_page`) or with arguments
    (`@cache_public_page(scopes=[...])`).
    """
    if view is None:
        return lambda function: cache_public_page(
            function, scopes=scopes, params=params, max_entries=max_entries
        )
    declared_scopes = tuple(scopes) if scopes is not None else None
    declared_params = tuple(params)
    budget_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        repeated = any(len(request.GET.getlist(name)) > 1 for name in declared_params)
        # An immutable QueryDict, as Django's own (the stubs name that type privately).
        request.GET = _declared_query(request, declared_params)  # type: ignore[assignment]
        # The language switch carries these same parameters (core/context_processors.py).
        request.page_params = declared_params  # type: ignore[attr-defined]
        if not _is_anonymous_get(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response

        versions = content_versions(declared_scopes if declared_scopes is not None else registered_scopes())
        version_part = ":".join(f"{scope}={versions[scope]}" for scope in sorted(versions))
        address = f"{get_language()}|{request.path}?{request.GET.urlencode()}"
        key = f"pages:{hashlib.sha256(f'{version_part}|{address}'.encode()).hexdigest()}"
        stored = _cache().get(key, memory=False)
        if stored is not None:
            response = _from_stored(stored)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            storable = (
                response.status_code == 200
                and not repeated
                and getattr(response, "page_cache_store", True)
                and not _sets_cookie(request, response)
            )
            limit = settings.PAGE_CACHE_MAX_PER_VIEW if max_entries is None else max_entries
            if storable and _within_budget(budget_name, limit):
                _cache().set(key, _to_stored(response), settings.PAGE_CACHE_SECONDS, memory=False)
            response["X-Page-Cache"] = "miss"
        if _sets_cookie(request, response):
            # A response that sets a cookie belongs to one visitor: never public, never stored.
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_BROWSER_SECONDS)
            if versions:
                response["Last-Modified"] = http_date(max(versions.values()))
        patch_vary_headers(response, ["Cookie"])
        return response

    return cached_view
