"""The site's stylesheet, inlined in every page: the first paint then needs one round trip
(the page), not two (the page, then the stylesheet). On a slow phone network each round trip
is about two seconds (docs/performance.md).

The Content-Security-Policy allows exactly this text by its SHA-256 hash, computed from the
file when the settings load, so no 'unsafe-inline' is needed and any other inline style is
still refused. Changing static/css/site.css changes the hash at the next start.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "site.css"


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The stylesheet's text, exactly as the page carries it (and as it is hashed)."""
    text = STYLESHEET.read_text(encoding="utf-8")
    if "</" in text:
        # "</style" would end the element early; no CSS needs the sequence.
        raise ValueError(f"{STYLESHEET} contains '</', which cannot be inlined in a <style> element")
    return text


def csp_sources() -> list[str]:
    """The CSP source that allows the inlined stylesheet and nothing else inline; none where
    the project has no static folder (a management command run on a partial copy), where no
    page is served anyway."""
    try:
        text = stylesheet()
    except FileNotFoundError:
        return []
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [f"'sha256-{base64.b64encode(digest).decode('ascii')}'"]
