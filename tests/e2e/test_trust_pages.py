"""About, Privacy and a safety page with key points and a care card, in a real browser with axe."""

from playwright.sync_api import expect


def test_about_and_privacy_are_reached_from_the_footer_and_accessible(
    site, page, assert_accessible, third_party_requests
):
    page.goto(site.url + "/articles/needles/")
    footer = page.get_by_role("navigation", name="Footer")
    footer.get_by_role("link", name="About this guide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About this fixture guide")
    assert_accessible(page)
    page.get_by_role("navigation", name="Footer").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fixture privacy")
    assert_accessible(page)
    assert third_party_requests == []


def test_safety_page_with_key_points_and_care_card_is_accessible(site, page, assert_accessible):
    page.goto(site.url + "/articles/is-it-safe-for-me/")
    expect(page.get_by_role("heading", name="Key points")).to_be_visible()
    for level in (
        "Call 911 right away if you have:",
        "Get urgent care today if:",
        "Call your physical therapist if:",
    ):
        expect(page.locator(".care-card").get_by_role("heading", name=level)).to_be_visible()
    # The 911 signs also come first, right under the summary, with a tap-to-call link.
    expect(page.locator(".call-911-first").get_by_role("link", name="Call 911")).to_be_visible()
    page.get_by_role("link", name="When to get help").click()
    expect(page.get_by_role("heading", name="When to get help")).to_be_in_viewport()
    assert_accessible(page)


def test_safety_checklist_prints_with_its_care_card(site, page):
    page.goto(site.url + "/articles/is-it-safe-for-me/")
    expect(page.get_by_role("button", name="Print this checklist")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header", ".toc", ".pager", "#feedback", ".js-print"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".key-points")).to_be_visible()
    # On paper the 911 box under the summary carries the whole 911 section (on page 1); the
    # card prints its other levels and leaves out its copy of the 911 signs.
    expect(page.locator(".call-911-first")).to_be_visible()
    expect(page.locator(".care-level--emergency")).to_be_hidden()
    expect(page.locator(".care-level--urgent")).to_be_visible()
    style = page.locator(".article-body--checklist ul").first.evaluate(
        "el => getComputedStyle(el).listStyleType"
    )
    assert "☐" in style
