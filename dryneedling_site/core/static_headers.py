"""Security headers for static files, which whitenoise answers before any other middleware.

Without this a stylesheet or the SVG icon, opened on its own or embedded by another site,
would have no CSP, no CORP and no frame protection (whitenoise sets only what it is told).
"""

from __future__ import annotations

from collections.abc import MutableMapping

# A static file never runs script or loads anything but our own styles and images.
STATIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": STATIC_CSP,
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_static_headers(headers: MutableMapping[str, str], path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: the same protections as pages, strict CSP."""
    for name, value in STATIC_HEADERS.items():
        headers[name] = value
