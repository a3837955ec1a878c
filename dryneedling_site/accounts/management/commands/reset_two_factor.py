"""`manage.py reset_two_factor <username>`: a staff member lost their phone and backup codes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp import devices_for_user


class Command(BaseCommand):
    help = (
        "Remove a staff account's authenticator app and backup codes and sign it out everywhere; "
        "at the next sign-in they set up a new app. Check who is asking before you run it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with the username {username!r}.")
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        signed_out = 0
        for session in Session.objects.all().iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                session.delete()
                signed_out += 1
        self.stdout.write(
            f"{username}: removed {removed} second-factor device(s), ended {signed_out} session(s). "
            "They set up a new authenticator app at their next sign-in."
        )
