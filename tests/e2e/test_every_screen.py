"""Every reader, every screen: large text on a phone, 320 px, dark mode, forced colours, the
language switch and announced errors, on every public page type in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dryneedling_site.clinics import geo
from tests.clinics.factories import make_clinic, point_at

NYC = geo.Place("10001 (New York, NY)", 40.7484, -73.9967, "NY")  # as the ZIP table has it
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
# Elements that may sit outside the screen on purpose: a table scrolls inside its own region,
# and screen-reader-only text (the phone article crumb), the skip link and the feedback trap
# are off screen by design.
OUTSIDE_THE_SCREEN = """() => [...document.querySelectorAll("body *")].filter((element) => {
  const exempt = [".table-region", ".visually-hidden", ".skip-link", ".feedback-trap",
    ".breadcrumbs--article li:last-child"].join(", ");
  if (!element.checkVisibility() || element.closest(exempt)) {
    return false;
  }
  const box = element.getBoundingClientRect();
  return box.width > 0 && (box.left < -1 || box.right > window.innerWidth + 1);
}).map((element) => `${element.tagName}.${element.className}: ${element.textContent.trim().slice(0, 40)}`)"""


@pytest.fixture
def screens(live_server, guia, transactional_db):
    """The fixture guide in both languages, 25 clinics east of Midtown (one a sample with a
    long name), and every page type's address in each language."""
    for number in range(24):
        make_clinic(
            name=f"Clinic {number:02d} Physical Therapy",
            therapists=[(f"Therapist {number:02d}", "PT, DPT")],
            at=point_at(NYC.latitude, NYC.longitude, 0.5 + number * 0.5, 90),
        )
    clinic = make_clinic(
        name="Sample Riverside Physical Therapy and Rehabilitation",
        is_sample=True,
        languages=["English", "Spanish"],
        at=point_at(NYC.latitude, NYC.longitude, 0.2, 0),
    )
    pages = {
        "home": ("/", "/es/"),
        "guide index": ("/articles/", "/es/articles/"),
        "article with a table": ("/articles/needles/", "/es/articles/que-es/"),
        "Find a PT": ("/find-a-pt/", "/es/find-a-pt/"),
        "results": ("/find-a-pt/?location=10001", "/es/find-a-pt/?location=10001"),
        "search error": ("/find-a-pt/?location=Nowhereville", "/es/find-a-pt/?location=Nowhereville"),
        "clinic": (clinic.get_absolute_url() + "?location=10001", "/es" + clinic.get_absolute_url()),
        "about": ("/about/", "/es/about/"),
        "accessibility": ("/accessibility/", "/es/accessibility/"),
        "404": ("/no-such-page/", "/es/no-such-page/"),
    }
    return live_server.url, [path for pair in pages.values() for path in pair]


def large_text(page) -> None:
    """The phone's large-text setting: root font size 200%."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")


def test_no_page_scrolls_sideways_at_320_px_or_with_200_percent_text(screens, browser):
    base, paths = screens
    for viewport, enlarge in ((NARROW, False), (PHONE, True)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            for path in paths:
                page.goto(base + path)
                if enlarge:
                    large_text(page)
                where = f"{path} at {viewport['width']} px{' with 200% text' if enlarge else ''}"
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], where
                assert page.evaluate(OUTSIDE_THE_SCREEN) == [], where
                if enlarge:
                    header = page.locator(".site-header").bounding_box()["height"]
                    assert header <= viewport["height"] / 3, f"{where}: header {header:.0f} px"
        finally:
            context.close()


def test_the_folded_menu_opens_without_javascript(screens, browser):
    base, _ = screens
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/es/")
        link = page.get_by_role("link", name="Buscar fisioterapeuta", exact=True)
        expect(link).to_be_hidden()
        page.get_by_text("Menú", exact=True).click()
        link.click()
        expect(page).to_have_url(base + "/es/find-a-pt/")
    finally:
        context.close()


@pytest.mark.parametrize(
    "mode",
    [{}, {"color_scheme": "dark"}, {"forced_colors": "active"}],
    ids=["light", "dark", "forced-colours"],
)
def test_axe_finds_nothing_in_light_dark_and_forced_colours(screens, browser, assert_accessible, mode):
    base, paths = screens
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.emulate_media(**mode)
        for path in paths:
            page.goto(base + path)
            assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
@pytest.mark.parametrize(
    ("prefix", "label", "button", "title"),
    [
        ("", "ZIP code or city", "Search", "Error: "),
        ("/es", "Código postal (ZIP) o ciudad", "Buscar", "Error: "),
    ],
    ids=["en", "es"],
)
def test_a_bad_zip_moves_focus_to_the_error_summary(
    screens, browser, javascript, prefix, label, button, title
):
    base, _ = screens
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(f"{base}{prefix}/find-a-pt/")
        page.get_by_label(label).fill("Nowhereville")
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url(re.compile(r"location=Nowhereville"))
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        assert page.title().startswith(title)
        # Its link leads to the field.
        summary.get_by_role("link").first.click()
        expect(page.get_by_label(label)).to_be_focused()
    finally:
        context.close()


def test_the_language_switch_keeps_the_search_its_page_and_the_way_back(screens, page):
    base, _ = screens
    page.goto(base + "/find-a-pt/?location=10001&radius=10&dry_needling=maybe&page=2")
    page.get_by_role("link", name="Español").click()
    expect(page).to_have_url(base + "/es/find-a-pt/?location=10001&radius=10&dry_needling=maybe&page=2")
    expect(page.get_by_text("Página 2 de 2")).to_be_visible()
    expect(page.get_by_label("Código postal (ZIP) o ciudad")).to_have_value("10001")
    page.locator(".results-list a").first.click()
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Back to results").first.click()
    expect(page).to_have_url(base + "/find-a-pt/?location=10001&radius=10&dry_needling=maybe&page=2")


def test_long_results_have_a_skip_link_and_website_links_name_the_clinic(screens, page):
    base, _ = screens
    page.goto(base + "/find-a-pt/?location=10001")
    page.get_by_role("link", name="Skip to the results pages").click()
    expect(page).to_have_url(re.compile("#results-pages$"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Next page of results")).to_be_focused()
    expect(
        page.get_by_role("link", name="Website: example.com (website of Sample Riverside Physical Therapy")
    ).to_have_count(1)


def test_a_wide_table_scrolls_in_its_own_named_region(screens, browser):
    base, _ = screens
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(base + "/articles/needles/")
        large_text(page)
        region = page.get_by_role("region", name="Fixture needles compared")
        expect(region).to_have_attribute("tabindex", "0")
        assert region.evaluate("box => box.scrollWidth > box.clientWidth")
        expect(region.get_by_role("rowheader", name="Short")).to_be_visible()
    finally:
        context.close()


LUMINANCE = """(element) => {
  const [r, g, b] = getComputedStyle(element).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@pytest.mark.parametrize("path", ["/articles/side-effects/", "/es/articles/efectos/"])
def test_dark_mode_darkens_the_page_and_forced_colours_tell_the_care_levels_apart(screens, browser, path):
    """axe passes a white page in dark mode too: these are the two complaints themselves."""
    base, _ = screens
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(base + path)
        assert page.locator("body").evaluate(LUMINANCE) > 0.8  # light: a white page
        page.emulate_media(color_scheme="dark")
        page.goto(base + path)
        assert page.locator("body").evaluate(LUMINANCE) < 0.2  # dark: no longer white
        page.emulate_media(color_scheme="light", forced_colors="active")
        page.goto(base + path)
        borders = {
            level: page.locator(f".care-level--{level}").first.evaluate(
                "(box) => getComputedStyle(box).borderTopStyle + ' ' + getComputedStyle(box).borderTopWidth"
            )
            for level in ("emergency", "urgent", "pt")
        }
        assert len(set(borders.values())) == 3, borders  # three levels, three border styles
    finally:
        context.close()
