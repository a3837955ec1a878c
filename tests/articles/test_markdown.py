"""The renderer keeps hostile Markdown off the page."""

from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from dryneedling_site.articles.markdown import ALLOWED_TAGS, headings, render


class ElementCollector(HTMLParser):
    """What a browser would build from the HTML: real elements and attributes, not text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](javascript:alert(1))",
    '![x](https://example.com/a.png "t" onerror="alert(1)")',
    "<details open ontoggle=alert(1)>",
    "<form action=https://evil.example><button>go</button></form>",
    "<style>body{display:none}</style>",
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_hostile_markup_never_reaches_the_page(vector):
    html = render(f"Hello\n\n{vector}\n\nafter")
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", html
            if name in ("href", "src"):
                assert urlparse(value.strip()).scheme in ("", "http", "https", "mailto"), html
    assert "after" in html


def test_allowed_markdown_survives():
    html = render(
        "## Steps\n\nSome **bold** and *italic*.\n\n- one\n- two\n\n1. first\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n`code`\n\n"
        "[mail](mailto:pt@example.com) [site](https://example.com/x) [inner](/articles/needles/)\n\n"
        "![A needle](/media/articles/needle.png)"
    )
    for fragment in (
        '<h2 id="steps">Steps</h2>',
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<ul>",
        "<ol>",
        "<table>",
        "<blockquote>",
        "<code>code</code>",
        'href="mailto:pt@example.com"',
        'alt="A needle"',
        'href="/articles/needles/"',
    ):
        assert fragment in html


def test_external_links_get_noopener_internal_links_do_not():
    html = render("[site](https://example.com/) and [inner](/articles/needles/)")
    assert '<a href="https://example.com/" rel="noopener">' in html
    assert '<a href="/articles/needles/">' in html


def test_headings_get_ids_for_contents_and_avoid_page_ids():
    html = render("# Title\n\n## What it is\n\n## Feedback\n\n### Detail")
    assert headings(html) == [
        {"id": "title", "title": "Title"},
        {"id": "what-it-is", "title": "What it is"},
        {"id": "feedback-section", "title": "Feedback"},
    ]
    assert "<h1" not in html
    assert '<h3 id="detail">' in html


def test_render_is_pure_and_handles_empty():
    assert render("") == ""
    assert render("Same") == render("Same")
