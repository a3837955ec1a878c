"""Stamp the sign-in time in the session: the absolute lifetime counts from it."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"


@receiver(user_logged_in, dispatch_uid="accounts-stamp-sign-in")
def stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
