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


# Figure markers: "{body-map}" and "{icon-array N of 1000}", each alone in its paragraph.


def test_a_body_map_marker_becomes_the_labelled_drawing_in_the_articles_language(db):
    english = render("Before.\n\n{body-map}\n\nAfter.", language="en")
    assert "{body-map}" not in english and english.count('<figure class="body-map">') == 1
    assert (
        'role="img"' in english
        and 'aria-label="Body map: the areas where a needle can reach a lung"' in english
    )
    assert "the sides (under the arm)" in english and "base of the neck" in english
    assert ">Front<" in english and ">Back<" in english and "Where I was needled today:" in english
    assert "style=" not in english and "<img" not in english and "http" not in english.split("<svg", 1)[1]
    spanish = render("Antes.\n\n{body-map}\n\nDespués.", language="es")
    assert ">Base del cuello<" in spanish and ">De espalda<" in spanish
    assert "costados (debajo del brazo)" in spanish and "Dónde me hicieron la punción hoy:" in spanish
    assert "Where I was needled" not in spanish


def test_an_icon_array_fills_n_marks_and_says_so_in_words(db):
    html = render("{icon-array 77 of 1000}", language="en")
    assert "<figcaption>About 77 out of 1,000 treatments</figcaption>" in html
    assert 'aria-hidden="true"' in html  # the grid is a picture of the sentence
    assert 'viewBox="0 0 400 250"' in html  # 40 x 25 marks
    # 77 = one whole row of 40 and 37 of the next: two filled rectangles, 400 x 10 and 370 x 10.
    assert '<rect x="0" y="0" width="400" height="10" fill="url(#figure-1-on)"/>' in html
    assert '<rect x="0" y="10" width="370" height="10" fill="url(#figure-1-on)"/>' in html
    assert '<rect x="370" y="10" width="30" height="10" fill="url(#figure-1-off)"/>' in html
    assert '<rect x="0" y="20" width="400" height="230" fill="url(#figure-1-off)"/>' in html
    spanish = render("{icon-array 8 of 100}", language="es")
    assert "<figcaption>Alrededor de 8 de cada 100 tratamientos</figcaption>" in spanish
    assert 'viewBox="0 0 100 100"' in spanish


def test_each_figure_on_a_page_has_its_own_ids(db):
    html = render("{icon-array 1 of 100}\n\n{body-map}\n\n{icon-array 1000 of 1000}")
    assert 'id="figure-1-on"' in html and 'id="figure-2-hatch"' in html and 'id="figure-3-on"' in html
    assert "figure-3-off" not in html.split("<defs>")[-1].split("</defs>")[1]  # all 1,000 filled


@pytest.mark.parametrize(
    "source",
    [
        "Text {body-map} inline",
        "- {body-map}",
        "{icon-array 1001 of 1000}",
        "{icon-array 5 of 50}",
        "{icon-array five of 100}",
        "<p>{body-map}</p>",
        "{body-map}<script>alert(1)</script>",
    ],
)
def test_only_a_well_formed_marker_alone_in_its_paragraph_becomes_a_figure(db, source):
    html = render(source)
    assert "<figure" not in html and "<svg" not in html
    assert_safe_html(html, ALLOWED_TAGS)


def test_a_saved_article_stores_its_figures_in_its_own_language(db):
    from tests.factories import make_article

    spanish = make_article(language="es", body="## Zona\n\n{body-map}\n\n{icon-array 3 of 1000}\n")
    assert ">Base del cuello<" in spanish.body_html and "Alrededor de 3 de cada 1,000" in spanish.body_html
    english = make_article(body="## Zone\n\n{body-map}\n")
    assert ">Base of the neck<" in english.body_html
