"""Response headers Django's SecurityMiddleware does not set itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
