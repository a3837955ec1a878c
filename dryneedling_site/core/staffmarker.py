"""The signed "signed-in staff" cookie the page cache trusts (set at sign-in, cleared at sign-out).

The mere presence of a `sessionid` cookie used to switch the cache off, so anyone could make
every request a database hit with `sessionid=garbage`. The marker is signed with SECRET_KEY:
checking it is an HMAC, no query, and a made-up one gets the cached page.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

STAFF_MARKER_COOKIE = "staff"
_MARKER_SALT = "dryneedling_site.core.staff-marker"


def staff_marker_value(user_pk: object) -> str:
    """The marker's signed value for one account (what the cookie holds)."""
    return signing.TimestampSigner(salt=_MARKER_SALT).sign(str(user_pk))


def set_staff_marker(response: HttpResponse, user_pk: object) -> None:
    """Mark this browser as signed-in staff, for as long as a staff session can last."""
    value = staff_marker_value(user_pk)
    response.set_cookie(
        STAFF_MARKER_COOKIE,
        value,
        max_age=settings.STAFF_SESSION_HOURS * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def has_staff_marker(request: HttpRequest) -> bool:
    """True when the request carries a valid, unexpired staff marker (an HMAC check, no query)."""
    value = request.COOKIES.get(STAFF_MARKER_COOKIE)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=_MARKER_SALT).unsign(value, max_age=settings.STAFF_SESSION_HOURS * 3600)
    except signing.BadSignature:
        return False
    return True


def clear_staff_marker(response: HttpResponse) -> None:
    """Signed out: pages come from the cache again."""
    response.delete_cookie(STAFF_MARKER_COOKIE, samesite="Lax")
