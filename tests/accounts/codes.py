"""The code an authenticator app would show now for a TOTP device (tests only)."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def code_for_key(key: str) -> str:
    """From the base32 key shown on the set-up page, as someone typing it into an app would."""
    from base64 import b32decode

    compact = "".join(key.split()).upper()
    return f"{totp(b32decode(compact + '=' * (-len(compact) % 8))):06d}"
