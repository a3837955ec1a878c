"""A patient reads the guide in a real browser."""

import re

from playwright.sync_api import expect

from tests.conftest import GUIDE_ORDER


def test_skip_link_moves_focus_to_main(site, page, assert_accessible, third_party_requests):
    page.goto(site.url + "/")
    page.wait_for_load_state("load")
    assert_accessible(page)
    skip = page.locator(".skip-link")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    expect(page.locator("main#main")).to_be_focused()
    assert third_party_requests == []


def test_read_the_whole_guide_with_next_links(site, page, assert_accessible, third_party_requests):
    page.goto(site.url + "/")
    page.get_by_role("link", name="Start the guide").click()
    visited = []
    while True:
        page.wait_for_load_state()
        visited.append(page.url.rstrip("/").rsplit("/", 1)[-1])
        assert page.locator("h1").count() == 1
        assert page.locator("nav.toc a").count() >= 2
        assert page.locator("section.review").is_visible()
        assert_accessible(page)
        next_link = page.locator("a[rel=next]")
        if next_link.count() == 0:
            break
        next_link.click()
    assert visited == GUIDE_ORDER
    assert third_party_requests == []


def test_guide_list_and_not_found_pages_are_accessible(site, page, assert_accessible):
    page.goto(site.url + "/articles/")
    assert_accessible(page)
    response = page.goto(site.url + "/articles/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We can’t find that page"
    assert_accessible(page)


def test_aftercare_prints_as_a_clean_handout(site, page):
    page.goto(site.url + "/articles/aftercare/")
    print_button = page.get_by_role("button", name="Print this checklist")
    expect(print_button).to_be_visible()  # revealed by print.js
    page.emulate_media(media="print")
    for hidden in (".site-header", ".breadcrumbs", ".toc", ".pager", "#feedback", ".js-print"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".help-box")).to_be_visible()
    expect(page.locator(".article-body").get_by_text("Drink water.")).to_be_visible()
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_printed_article_shows_link_addresses(site, page):
    page.goto(site.url + "/articles/what-is-dry-needling/")
    page.emulate_media(media="print")
    for link in page.locator(".references a").all():
        after = link.evaluate("el => getComputedStyle(el, '::after').content")
        assert link.get_attribute("href") in after
    expect(page.locator(".site-header")).to_be_hidden()
