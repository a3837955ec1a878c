"""Middleware of the site: security headers, the health probe, database outages, form charsets,
the language of a URL."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Add Cross-Origin-Resource-Policy and Permissions-Policy to every response.

    CORP stops other sites embedding our pages' resources; Permissions-Policy switches off
    browser features the site never uses (geolocation stays on for "Use my location").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.headers = {
            "Cross-Origin-Resource-Policy": "same-origin",
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response


class HealthCheckMiddleware:
    """Answer /healthz first, before the HTTPS redirect and the Host check.

    A load balancer probes over plain HTTP with its own Host header; it must get the health
    report, not a redirect or a 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 with Retry-After, never a 500.

    Pages already in the page cache never reach the database, so they are still served.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from .views import is_database_outage, service_unavailable

        if is_database_outage(exception):
            return service_unavailable(request)
        return None


class PrivateWhenSettingCookiesMiddleware:
    """A response that sets a cookie belongs to one visitor: never `Cache-Control: public`.

    The page cache already refuses to store or mark public such a response from a view; this
    also covers cookies a later middleware adds (session, messages, CSRF).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.cookies and "public" in response.get("Cache-Control", ""):
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response


class FormCharsetMiddleware:
    """Answer a form body declared in a charset other than UTF-8 with the site's own 400.

    Django refuses such a body (a form is UTF-8 by definition) by raising BadRequest when a
    view first reads request.POST, which gives an unstyled page and a traceback in the log.
    Checked here first, it is one warning line and the site's 400 page (JSON when the client
    asked for JSON, like the feedback widget).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if (
            request.content_type == "application/x-www-form-urlencoded"
            and charset is not None
            and charset.strip().lower() != "utf-8"
        ):
            logger.warning("Refused a form body in charset %r: %s", charset[:40], request.path[:200])
            message = gettext("Your browser sent the form in a text encoding we cannot read.")
            from .views import wants_json

            response: HttpResponse
            if wants_json(request):
                response = JsonResponse({"ok": False, "error": message}, status=400)
            else:
                response = render(request, "400.html", status=400)
            response["Cache-Control"] = "private, no-store"
            return response
        return self.get_response(request)


class UrlLanguageMiddleware:
    """Activate the language named by the URL ("/es/..." is Spanish, anything else English).

    Unlike Django's LocaleMiddleware it never reads a cookie, the session or Accept-Language:
    one URL always shows one language, so a cached page can never be served in the wrong one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to the default language: work done outside a request (a
            # command, the next test) never inherits the last visitor's language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class HtmlGZipMiddleware(GZipMiddleware):
    """Compress pages (text/html) in the app, so the first paint on a slow network waits for
    about 8 KB instead of 30 KB even when no proxy compresses (bench/slow_network.py).

    Only HTML: sitemaps and JSON are left to nginx (deploy/nginx.conf), and static files come
    precompressed from whitenoise. Django's GZipMiddleware pads each response with random
    bytes against BREACH; public pages carry no secret anyway.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
