"""What django-axes records about a failed staff login, kept to what its columns can hold."""

from __future__ import annotations

from django.http import HttpRequest

# Longer than any real username (Django's own limit is 150); axes stores up to 255.
USERNAME_KEPT = 150


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username tried, cut to a storable length.

    The login form is public: an anonymous 5,000-character "username" would otherwise make
    axes' insert fail on PostgreSQL (a 500 on the login page).
    """
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username") if source else None
    return None if value is None else str(value)[:USERNAME_KEPT]
