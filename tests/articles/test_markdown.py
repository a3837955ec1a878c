"""The renderer keeps hostile Markdown off the page."""

import re

import pytest

from dryneedling_site.articles.markdown import ALLOWED_TAGS, headings, render
from tests.html import assert_safe_html

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
    assert_safe_html(html, ALLOWED_TAGS)
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


def test_heading_titles_are_plain_text_escaped_once_on_the_page():
    html = render('## Heat & ice\n\n## Use <b>less</b> & "more"\n')
    assert [h["title"] for h in headings(html)] == ["Heat & ice", 'Use <b>less</b> & "more"']


def test_render_is_pure_and_handles_empty():
    assert render("") == ""
    assert render("Same") == render("Same")


def test_a_table_gets_its_caption_row_headers_and_a_named_scrolling_region():
    html = render(
        "Before.\n\nTable: Two *needles* compared\n"
        "| Kind | Length |\n|---|---|\n| Short | 1 cm |\n| Long | 5 cm |\n"
    )
    assert (
        '<div aria-labelledby="table-caption-1" class="table-region" role="region" tabindex="0"><table>'
        in html
    )
    assert '<caption id="table-caption-1">Two <em>needles</em> compared</caption>' in html
    assert '<th scope="col">Kind</th>' in html
    assert '<th scope="row">Short</th>' in html and '<th scope="row">Long</th>' in html
    assert "Table:" not in html and "<p>Before.</p>" in html


def test_a_table_without_a_caption_line_stays_a_plain_table():
    html = render("Here is a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<caption" not in html and 'role="region"' not in html
    assert "<p>Here is a table:</p>" in html


def test_table_region_attributes_cannot_be_written_by_hand():
    html = render("Table: x\n\n| a |\n|---|\n| 1 |\n\n<div role=button tabindex=5 onclick=x>y</div>")
    assert re.findall(r"<div[^>]*>", html) == [
        '<div aria-labelledby="table-caption-1" class="table-region" role="region" tabindex="0">'
    ]


def test_scheme_relative_links_are_spelled_out_as_external():
    html = render(
        "[a](//evil.example/) [b](/\\evil.example/x) [c][r] ![d](//evil.example/i.png)\n\n"
        "[r]: //evil.example/r"
    )
    assert '<a href="https://evil.example/" rel="noopener">a</a>' in html
    assert '<a href="https://evil.example/x" rel="noopener">b</a>' in html
    assert '<a href="https://evil.example/r" rel="noopener">c</a>' in html
    assert 'src="https://evil.example/i.png"' in html
    assert 'href="//' not in html and 'src="//' not in html
    assert '<a href="/articles/needles/">' in render("[inner](/articles/needles/)")
