"""Launch readiness: what a clinic must still do before the site goes live, on the staff desk.

A fresh install works at once, so nothing stops a clinic from going live with mail that reaches
nobody, no backup, the example address and articles no clinician has read. Each check here
answers with a LaunchStep (what is missing, how to fix it, where) or None once it is done. Core
holds the operator's checks (mail, site address, backups); apps register their own in
AppConfig.ready() (articles: a clinical reviewer, pages signed off), as they do desk panels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.urls import reverse

from .backup import newest_backup_time
from .checks import SMTP_BACKEND, UNDELIVERED_BACKENDS
from .desk import DeskItem, DeskPanel

BACKUP_MAX_AGE = timedelta(hours=24)
# Host names that stand for "not set yet": the shipped examples and this machine.
PLACEHOLDER_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")  # noqa: S104 - compared, never bound
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net", "example", "test", "invalid", "localhost")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaunchStep:
    """One thing left to do: `label` on the desk, `fix` on the launch page, `url` where to do it."""

    key: str
    label: str
    fix: str
    url: str = ""
    count: int | None = None


LaunchCheck = Callable[[], LaunchStep | None]
_CHECKS: list[LaunchCheck] = []


def register_launch_check(check: LaunchCheck) -> LaunchCheck:
    """Add a check to the launch list (usable as a decorator); registering twice is harmless."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def launch_steps() -> list[LaunchStep]:
    """Every step still to do; a check that fails is logged and left out, never the desk."""
    steps = []
    for check in _CHECKS:
        try:
            step = check()
        except Exception:  # noqa: BLE001 - one broken check must not take the admin home down
            logger.exception("Launch check %r failed", check)
            continue
        if step is not None:
            steps.append(step)
    return steps


def launch_page_url(step: LaunchStep) -> str:
    """Where the desk links a step: its own fix page when it has one, else its launch-page entry."""
    return step.url or f"{reverse('launch-readiness')}#{step.key}"


@register_launch_check
def mail_step() -> LaunchStep | None:
    """Review reminders and password resets go by mail: a backend that delivers nothing hides that."""
    backend = settings.EMAIL_BACKEND
    if backend in UNDELIVERED_BACKENDS:
        why = UNDELIVERED_BACKENDS[backend]
    elif backend == SMTP_BACKEND and not settings.EMAIL_HOST:
        why = "is SMTP with no DJANGO_EMAIL_HOST"
    else:
        return None
    return LaunchStep(
        "mail",
        "Mail is not set up: review reminders reach nobody",
        f"The mail backend {why}. In the environment file set DJANGO_EMAIL_BACKEND={SMTP_BACKEND}, "
        "DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT, DJANGO_EMAIL_HOST_USER, DJANGO_EMAIL_HOST_PASSWORD and "
        "DJANGO_DEFAULT_FROM_EMAIL, restart the site, then run `manage.py review_reminders` and check "
        "that the mail arrives (docs/configuration.md, Mail).",
    )


def is_placeholder_address(site_url: str) -> bool:
    """True for the shipped default and example addresses, and for plain http."""
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host in PLACEHOLDER_HOSTS or host.startswith("127."):
        return True
    return any(host == domain or host.endswith("." + domain) for domain in PLACEHOLDER_DOMAINS)


@register_launch_check
def site_url_step() -> LaunchStep | None:
    """Mail, sitemaps and share links print DJANGO_SITE_URL: the example address sends people nowhere."""
    if not is_placeholder_address(settings.SITE_URL):
        return None
    return LaunchStep(
        "site-url",
        "The site's public address is still an example",
        f"DJANGO_SITE_URL is {settings.SITE_URL}. Set it to the site's real https:// address "
        "(scheme and host only) in the environment file and restart; reminder mail, sitemaps and "
        "canonical links use it (docs/configuration.md).",
    )


@register_launch_check
def backup_step() -> LaunchStep | None:
    """A site without a recent backup loses everything with its disk."""
    newest = newest_backup_time(Path(settings.BACKUP_DIR))
    if newest is not None and datetime.now(UTC) - newest <= BACKUP_MAX_AGE:
        return None
    if newest is None:
        when = "No backup was ever made"
    else:
        when = f"The newest backup is from {newest:%Y-%m-%d %H:%M} UTC"
    return LaunchStep(
        "backup",
        "No backup in the last 24 hours",
        f"{when} in {settings.BACKUP_DIR}. Enable the nightly timer "
        "(`systemctl enable --now dryneedling-backup.timer`) or run `manage.py backup`, copy the "
        "folder off the server, and test a restore (docs/deployment.md, Recovery).",
    )


def launch_desk_panel(request: HttpRequest) -> DeskPanel | None:
    """The desk's "Before you go live" panel, for administrators, until every step is done."""
    if not request.user.is_superuser:
        return None
    steps = launch_steps()
    if not steps:
        return None
    return DeskPanel("Before you go live", [DeskItem(s.label, s.count, launch_page_url(s)) for s in steps])


def launch_readiness(request: HttpRequest) -> HttpResponse:
    """Each step still to do with how to fix it (the desk links here); administrators only."""
    if not request.user.is_superuser:
        return HttpResponseForbidden("Only administrators see the launch checklist.")
    steps = launch_steps()
    context = {
        "title": "Before you go live",
        "steps": [(step, launch_page_url(step) if step.url else "") for step in steps],
        "checked": len(_CHECKS),
    }
    return render(request, "admin/launch.html", {**admin.site.each_context(request), **context})
