"""Operator checks: mail that nobody would receive, and environment names the site does not read.

Both failures are silent otherwise: review reminders printed to a server's standard output, or a
variable set under an old name that quietly falls back to a default. `manage.py check --deploy`
(step "Set up" and `deploy/upgrade`) names each one with its fix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage

# Backends that never deliver a message anywhere a person reads it.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints mail to standard output",
    "django.core.mail.backends.dummy.EmailBackend": "throws mail away",
    "django.core.mail.backends.locmem.EmailBackend": "keeps mail in memory",
    "django.core.mail.backends.filebased.EmailBackend": "writes mail to files",
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Environment variables an operator may set that this site does not read, with what to set
# instead. Names renamed or removed by a release belong here, so an upgrade does not silently
# fall back to a default (FEEDBACK_TRUSTED_PROXY_HEADER is refused outright in settings.py).
RENAMED_VARIABLES = {
    "EMAIL_BACKEND": "DJANGO_EMAIL_BACKEND",
    "EMAIL_HOST": "DJANGO_EMAIL_HOST",
    "EMAIL_PORT": "DJANGO_EMAIL_PORT",
    "EMAIL_HOST_USER": "DJANGO_EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD": "DJANGO_EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS": "DJANGO_EMAIL_USE_TLS",
    "EMAIL_USE_SSL": "DJANGO_EMAIL_USE_SSL",
    "DEFAULT_FROM_EMAIL": "DJANGO_DEFAULT_FROM_EMAIL",
    "EMAIL_URL": "DJANGO_EMAIL_BACKEND and DJANGO_EMAIL_HOST, _PORT, _HOST_USER, _HOST_PASSWORD",
    "DJANGO_EMAIL_URL": "DJANGO_EMAIL_BACKEND and DJANGO_EMAIL_HOST, _PORT, _HOST_USER, _HOST_PASSWORD",
    "DJANGO_MEDIA_URL": "nothing (media is always served under /media/)",
    "SECRET_KEY": "DJANGO_SECRET_KEY",
    "ALLOWED_HOSTS": "DJANGO_ALLOWED_HOSTS",
    "SITE_URL": "DJANGO_SITE_URL",
    "BACKUP_DIR": "DJANGO_BACKUP_DIR",
}


@checks.register("email", deploy=True)
def check_mail_is_delivered(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """In production, warn when review reminders would go nowhere a person reads."""
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    if backend in UNDELIVERED_BACKENDS:
        return [
            checks.Warning(
                f"DJANGO_EMAIL_BACKEND is {backend}, which {UNDELIVERED_BACKENDS[backend]}: "
                "review reminders will reach nobody.",
                hint=f"Set DJANGO_EMAIL_BACKEND={SMTP_BACKEND} and DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT, "
                "DJANGO_EMAIL_HOST_USER, DJANGO_EMAIL_HOST_PASSWORD (docs/configuration.md, Mail).",
                id="core.W001",
            )
        ]
    if backend == SMTP_BACKEND and not settings.EMAIL_HOST:
        return [
            checks.Warning(
                "DJANGO_EMAIL_BACKEND is SMTP but DJANGO_EMAIL_HOST is not set: review reminders will fail.",
                hint="Set DJANGO_EMAIL_HOST (and _PORT, _HOST_USER, _HOST_PASSWORD) to your mail provider's "
                "SMTP server.",
                id="core.W002",
            )
        ]
    return []


@checks.register("configuration")
def check_renamed_variables(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Name every environment variable that is set but not read, with its replacement."""
    return [
        checks.Warning(
            f"The environment sets {old}, which this site does not read.",
            hint=f"Set {new} instead, and remove {old} (docs/configuration.md).",
            id="core.W003",
        )
        for old, new in RENAMED_VARIABLES.items()
        if old in os.environ
    ]
