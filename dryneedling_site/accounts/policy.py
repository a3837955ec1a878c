"""Who must sign in with a second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp import devices_for_user

REVIEWERS_GROUP = "Clinical reviewers"


def must_use_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Superusers and clinical reviewers always; every staff account with STAFF_REQUIRE_MFA=1.

    Their signatures and settings reach patients: a stolen password alone must not be enough.
    """
    if not getattr(user, "is_staff", False):
        return False
    if getattr(user, "is_superuser", False) or settings.STAFF_REQUIRE_MFA:
        return True
    return bool(user.groups.filter(name=REVIEWERS_GROUP).exists())  # type: ignore[union-attr]


def has_second_factor(user: AbstractBaseUser) -> bool:
    """A confirmed authenticator app or backup codes: then the code is asked at every sign-in."""
    return any(True for _ in devices_for_user(user, confirmed=True))
