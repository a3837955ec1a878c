"""django-axes' database handler plus a per-username limit.

Axes counts failures per username + client network (core.clientip.client_network: an IPv4
address or an IPv6 /64). Guessing spread over many networks never reaches that limit, so a
username is also locked once it has AXES_USERNAME_FAILURE_LIMIT recent failures from anywhere.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def username_failures(username: str) -> int:
    """Failures for this username within the cool-off time, from every network."""
    cool_off = get_cool_off() or timedelta(hours=1)
    since = timezone.now() - cool_off
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


class StaffLoginHandler(AxesDatabaseHandler):
    """Locks a username + network after AXES_FAILURE_LIMIT, a username after the higher limit."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        username = get_client_username(request, credentials)
        if username and username_failures(username) >= settings.AXES_USERNAME_FAILURE_LIMIT:
            # Reported as "at the limit", so axes refuses the login like any other lockout.
            return max(failures, int(get_failure_limit(request, credentials)))
        return failures
