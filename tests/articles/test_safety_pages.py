"""Key points, the three-level care card, printable checklists and honest review claims."""

from tests.factories import make_article


def test_key_points_come_first_and_are_in_on_this_page(client, guide):
    html = client.get("/articles/side-effects/").content.decode()
    toc = html[html.index('<nav class="toc"') :]
    toc = toc[: toc.index("</nav>")]
    assert '<a href="#key-points">Key points</a>' in toc
    assert toc.index("#key-points") < toc.index("#common-side-effects") < toc.index("#get-help")
    assert html.index('id="key-points"') < html.index('class="article-body')
    assert "<li>Bruises and soreness are common.</li>" in html


def test_care_card_shows_three_levels_worst_first_with_their_names(client, guide):
    html = client.get("/articles/side-effects/").content.decode()
    card = html[html.index('<aside class="help-box care-card"') :]
    card = card[: card.index("</aside>")]
    headings = [
        "Call 911 right away if you have:",
        "Get urgent care today if:",
        "Call your physical therapist if:",
    ]
    positions = [card.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "care-level--emergency" in card and "care-level--urgent" in card and "care-level--pt" in card
    assert "<li>A spot looks red and hot</li>" in card and "<li>A bruise gets bigger</li>" in card


def _body(html: str) -> str:
    """The page below <head>: the head carries the first-screen stylesheet, class names and all."""
    return html[html.index("<body") :]


def test_every_page_with_the_911_level_shows_the_same_signs(client, guide):
    cards = []
    for slug in ("is-it-safe-for-me", "what-to-expect", "side-effects", "aftercare"):
        html = client.get(f"/articles/{slug}/").content.decode()
        start = html.index('<section class="care-level care-level--emergency"')
        cards.append(html[start : html.index("</section>", start)])
    assert len(set(cards)) == 1
    assert "collapsed lung" in cards[0] and "next day" in cards[0] and "911" in cards[0]


def test_pages_without_a_care_card_show_none(client, guide):
    html = _body(client.get("/articles/needles/").content.decode())
    assert "care-card" not in html and 'href="#get-help"' not in html


def test_checklist_pages_get_a_print_button_others_do_not(client, guide):
    for slug in ("aftercare", "is-it-safe-for-me"):
        html = client.get(f"/articles/{slug}/").content.decode()
        assert "Print this checklist" in html, slug
        assert "article-body--checklist" in html and "/static/js/print.js" in html, slug
    html = client.get("/articles/side-effects/").content.decode()
    assert "Print this checklist" not in html and 'js-print"' not in html


def test_a_new_article_with_a_checklist_heading_is_printable(client, db):
    article = make_article(
        body="## Before your first visit, tell your PT if you...\n\n- Take a blood thinner\n"
    )
    assert article.has_printable_checklist
    assert "Print this checklist" in client.get(article.get_absolute_url()).content.decode()
    assert not make_article(body="## Checking in\n\nWords.\n").has_printable_checklist


def test_home_page_claims_no_review_that_did_not_happen(client, guide):
    html = client.get("/").content.decode()
    assert "checked by a physical therapist" not in html
    assert "from physical therapists" not in html
    assert "says whether a clinician has reviewed it" in html


def test_web_page_reference_has_no_empty_journal(client, guide):
    html = client.get("/articles/is-it-safe-for-me/").content.decode()
    assert "Example Hospital. A fixture patient page. 2024." in html
    assert "<cite></cite>" not in html


def _between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def test_the_911_signs_name_the_whole_risk_zone_and_fit_the_next_day(client, guide):
    html = client.get("/articles/aftercare/").content.decode()
    card = _between(html, '<section class="care-level care-level--emergency"', "</section>")
    for words in ("rib cage", "the sides (under the arm)", "shoulder blades", "middle of the back"):
        assert words in card, words
    assert "base of the neck" in card and "hours later or the next day" in card
    assert "I had dry needling on my ___ on ___. The needles went in near my lungs." in card
    assert "today" not in card  # the script fits the next day too
    assert '<a class="button button-911" href="tel:911">Call 911</a>' in card


def test_spanish_911_card_uses_the_plain_words(client, guia):
    html = client.get("/es/articles/efectos/").content.decode()
    card = _between(html, '<aside class="help-box care-card"', "</aside>")
    assert "<li>Dolor al respirar</li>" in card and "hondo" not in card
    assert "omóplatos (las paletas)" in card and "costados (debajo del brazo)" in card
    assert "clínica de atención inmediata (urgent care)" in card
    assert "atención de urgencia" not in card
    assert "<li>Adormecimiento o debilidad que no se quita</li>" in card
    assert 'href="tel:911">Llamar al 911</a>' in card


def test_every_911_card_names_lasting_numbness_once(client, guide):
    html = client.get("/articles/aftercare/").content.decode()  # no urgent list of its own
    urgent = _between(html, '<section class="care-level care-level--urgent"', "</section>")
    assert "<li>Numbness or weakness that lasts</li>" in urgent
    article = guide["side-effects"]
    article.care_urgent = "A spot looks red and hot\nNumbness in the arm that does not go away"
    article.save()
    html = client.get("/articles/side-effects/").content.decode()
    urgent = _between(html, '<section class="care-level care-level--urgent"', "</section>")
    assert urgent.lower().count("numbness") == 1


def test_safety_pages_show_the_911_line_under_the_summary(client, guide, guia):
    for path in ("/articles/what-to-expect/", "/articles/aftercare/", "/es/articles/efectos/"):
        html = _body(client.get(path).content.decode())
        box = _between(html, '<section class="call-911-first"', "</section>")
        assert 'href="tel:911"' in box and box.count("<li>") == 4, path
        assert html.index('class="lead"') < html.index("call-911-first") < html.index('id="key-points"')
    # A page with the 911 level that is not a safety page keeps it in its card only.
    plain = make_article(slug="with-a-card", care_emergency=True)
    html = _body(client.get(plain.get_absolute_url()).content.decode())
    assert "call-911-first" not in html and "care-level--emergency" in html
