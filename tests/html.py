"""Read HTML as a browser would: real elements and attributes, not escaped text."""

import json
import re
from html.parser import HTMLParser


class _ElementCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    """Every start tag in `html` with its attributes."""
    collector = _ElementCollector()
    collector.feed(html)
    return collector.elements


def assert_safe_html(html: str, allowed_tags: set[str]) -> None:
    """No tag outside the allowlist, no event handler or style, only harmless URL schemes."""
    from urllib.parse import urlparse

    for tag, attrs in elements(html):
        assert tag in allowed_tags, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", html
            if name in ("href", "src"):
                assert urlparse((value or "").strip()).scheme in ("", "http", "https", "mailto"), html


def json_ld(html: str) -> dict:
    """The page's schema.org JSON-LD block, parsed."""
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert block, "no JSON-LD on the page"
    return json.loads(block.group(1))


def all_sitemaps(client) -> str:
    """The sitemap index and every sitemap page it lists, as one text (paths from the index)."""
    index = client.get("/sitemap.xml").content.decode()
    pages = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", index)
    return index + "".join(client.get(path).content.decode() for path in pages)
