"""The enrolment QR code, drawn here as inline SVG (no image service, no third-party request)."""

from __future__ import annotations

import segno


def qr_svg(text: str, title: str) -> str:
    """An SVG QR code of `text` for an authenticator app to scan; `title` names it for screen readers."""
    code = segno.make(text, error="m")
    return str(code.svg_inline(scale=5, border=2, title=title, svgclass="qr-code", omitsize=False))


def grouped_key(key: str) -> str:
    """The base32 key in groups of four, easier to type into an app by hand."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
