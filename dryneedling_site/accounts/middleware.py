"""Staff sessions: idle and absolute timeouts, the second factor, the staff marker.

OWASP ASVS 5.0 7.3.1 (inactivity timeout) and 7.3.2 (absolute lifetime). Only requests to the
admin or carrying the staff marker are looked at: a public page with any other cookie (a
made-up `sessionid` included) costs no session lookup and gets the cached page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from dryneedling_site.accounts.policy import has_second_factor, must_use_second_factor
from dryneedling_site.accounts.signals import LAST_SEEN, SIGNED_IN_AT
from dryneedling_site.core.staffmarker import clear_staff_marker, has_staff_marker, set_staff_marker

# Writing the session on every click would be a database write per admin request.
LAST_SEEN_PRECISION = 60  # seconds


def _admin_prefix() -> str:
    return "/" + settings.ADMIN_URL


def _is_sign_in_path(path: str) -> bool:
    return path.startswith(_admin_prefix() + "login/") or path.startswith(_admin_prefix() + "logout/")


class StaffSessionMiddleware:
    """Ends a staff session that is idle or too old, and holds back an unverified one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_admin = request.path.startswith(_admin_prefix())
        marked = has_staff_marker(request)
        if not (in_admin or marked):
            return self.get_response(request)
        ended = self._check(request)
        if ended and in_admin and not _is_sign_in_path(request.path):
            messages.info(request, ended)
            query = urlencode({"next": request.get_full_path()})
            response: HttpResponse = HttpResponseRedirect(f"{reverse('admin:login')}?{query}")
        else:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated and user.is_staff)
        if signed_in and not marked:
            set_staff_marker(response, user.pk)  # type: ignore[union-attr]
        elif not signed_in and marked:
            clear_staff_marker(response)
        return response

    def _check(self, request: HttpRequest) -> str | None:
        """Sign out when a rule is broken; returns the reason to show, or None."""
        user: Any = request.user
        if not user.is_authenticated:
            return None
        now = int(time.time())
        session = request.session
        signed_in_at = int(session.get(SIGNED_IN_AT, now))
        last_seen = int(session.get(LAST_SEEN, now))
        reason = None
        if now - signed_in_at > settings.STAFF_SESSION_HOURS * 3600:
            reason = _("You were signed out: a staff session lasts %(hours)s hours at most.") % {
                "hours": settings.STAFF_SESSION_HOURS
            }
        elif now - last_seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
            reason = _("You were signed out after %(minutes)s minutes without activity.") % {
                "minutes": settings.STAFF_SESSION_IDLE_MINUTES
            }
        elif (
            user.is_staff
            and not user.is_verified()  # set by django-otp's OTPMiddleware
            and (must_use_second_factor(user) or has_second_factor(user))
        ):
            reason = _("Please sign in again with your authenticator code.")
        if reason:
            logout(request)
            return reason
        if SIGNED_IN_AT not in session:
            session[SIGNED_IN_AT] = now
        if now - last_seen >= LAST_SEEN_PRECISION or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return None
