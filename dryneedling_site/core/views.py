"""Site-wide endpoints: health check, robots.txt, and the answers when a part is down."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import cachesafe
from .siteurl import absolute_url
from .static_headers import STATIC_HEADERS

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


# Rewrites one row with its own value, inside a transaction that is always rolled back: a
# database that answers reads but refuses writes (a read-only file, a full disk, a standby)
# fails here, as votes and logins would.
_PROBE_WRITE = "UPDATE django_migrations SET app = app WHERE id = (SELECT MIN(id) FROM django_migrations)"


class _ReadOnly(Exception):
    pass


def _database_state() -> str:
    """ "ok", "read-only" (answers reads, refuses writes) or "unavailable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery()")
                if cursor.fetchone()[0]:
                    raise _ReadOnly
            cursor.execute(_PROBE_WRITE)
            transaction.set_rollback(True)
    except (DatabaseError, _ReadOnly) as error:
        logger.warning("Health check: the database refuses writes (%s)", error or "in recovery")
        return "read-only"
    return "ok"


def _cache_answers() -> bool:
    # Through the breaker: while it is open, the answer is "no" without waiting on Redis.
    return bool(
        cachesafe.guarded("default").call(lambda: caches["default"].get("healthz") or True, fallback=None)
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Each part's state as JSON: 200 while the database reads and writes (a cache outage only
    degrades the site), 503 when it does not, so a load balancer drops a broken node.

    Answered before the other middleware, so it carries the static files' strict headers itself.
    """
    database, cache = _database_state(), _cache_answers()
    healthy = database == "ok"
    status = "ok" if healthy and cache else "degraded" if healthy else database
    response = JsonResponse(
        {"status": status, "database": database, "cache": "ok" if cache else "unavailable"},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    for name, value in STATIC_HEADERS.items():
        response[name] = value
    if settings.SECURE_HSTS_SECONDS and request.is_secure():
        # SecurityMiddleware, which would add it, runs after this answer.
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        response["Strict-Transport-Security"] = hsts
    return response


def is_database_outage(error: BaseException | None) -> bool:
    """A lost or refused database connection, as opposed to a bug in a query."""
    return isinstance(error, OperationalError | InterfaceError)


def wants_json(request: HttpRequest) -> bool:
    """The client asked for JSON (the feedback widget's fetch). Browsers' form posts accept */*
    too, so only an explicit preference counts."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for scripts (the feedback widget), else a page in the site's
    style. Renders without context processors, so nothing here touches the database."""
    if request.method == "POST":
        message = _("We could not save that just now, and nothing was saved. Please try again in a minute.")
    else:
        message = _("This page is not available for a moment. Please try again in a minute.")
    if wants_json(request):
        response: HttpResponse = JsonResponse({"ok": False, "error": message}, status=503)
    else:
        try:
            body = loader.render_to_string(
                "503.html", {"message": message, "site_name": settings.SITE_NAME, "request": request}
            )
        except Exception:  # noqa: BLE001 (the outage page itself must never fail)
            logger.exception("503 page could not be rendered")
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        else:
            response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage anywhere (middleware included) is a 503, not a 500."""
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    try:
        return HttpResponseServerError(loader.render_to_string("500.html"))
    except Exception:  # noqa: BLE001 (the error page itself must never fail)
        return HttpResponseServerError("Server error. Please try again later.", content_type="text/plain")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Let search engines in and point them at the sitemap.

    The admin is not named here: its address may be a secret (DJANGO_ADMIN_URL), and its
    pages already tell robots not to index them.
    """
    lines = [
        "User-agent: *",
        "Disallow: /editor/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
