"""The 911 line first: on a phone, a patient sees the signs and a tap-to-call link without scrolling;
on paper, the 911 box is on page 1 of a handout that fits the fridge.

Fixture safety pages (English and Spanish), plus a pair with the longest title and summary the
guide allows, at 390x844 (a common phone screen); and a fixture aftercare handout of realistic
length (about 900 words and its care card) printed to PDF on Letter paper.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.factories import make_article

PHONE = {"width": 390, "height": 844}
LONGEST_SUMMARY_EN = (
    "Most side effects are minor, like a bruise or soreness. A collapsed lung is rare but serious, "
    "so learn its signs, when they can start and when to call 911."
)
LONGEST_SUMMARY_ES = (
    "La mayoría de los efectos son leves, como un moretón o dolor. Un pulmón colapsado es raro "
    "pero grave: sepa sus señales, cuándo empiezan y cuándo llamar al 911."
)


@pytest.fixture
def safety_site(live_server, guia, settings, transactional_db):
    """The fixture guide and its Spanish pages, plus one long-titled safety page in each language."""
    assert len(LONGEST_SUMMARY_EN) <= 160 and len(LONGEST_SUMMARY_ES) <= 160
    english = make_article(
        slug="longest-safety-page",
        title="What are the side effects of dry needling, and when should I call 911?",
        summary=LONGEST_SUMMARY_EN,
        care_emergency=True,
        key_points="A first point\nA second point\nA third point",
    )
    make_article(
        slug="pagina-de-seguridad-larga",
        language="es",
        translation_of=english,
        title="¿Cuáles son los efectos secundarios de la punción seca y cuándo llamar al 911?",
        summary=LONGEST_SUMMARY_ES,
        care_emergency=True,
        key_points="Un punto\nOtro punto\nUn tercer punto",
    )
    settings.ARTICLE_SAFETY_PAGES = [*django_settings.ARTICLE_SAFETY_PAGES, "longest-safety-page"]
    return live_server


SAFETY_PATHS = [
    "/articles/what-to-expect/",
    "/articles/side-effects/",
    "/articles/aftercare/",
    "/articles/is-it-safe-for-me/",
    "/articles/longest-safety-page/",
    "/es/articles/efectos/",
    "/es/articles/pagina-de-seguridad-larga/",
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    yield context.new_page()
    context.close()


def assert_911_on_first_screen(page, name: str) -> None:
    call = page.locator(".call-911-first a[href='tel:911']")
    expect(call).to_have_count(1)
    expect(call).to_be_visible()
    expect(call).to_have_text(name)
    box = call.bounding_box()
    assert box is not None and box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"], f"{page.url}: the 911 link ends at {box}"
    signs = page.locator(".call-911-first li")
    expect(signs).to_have_count(4)
    last_sign = signs.last.bounding_box()
    assert last_sign["y"] + last_sign["height"] <= PHONE["height"]
    # Nothing is scrolled: this is what the page shows when it opens.
    assert page.evaluate("window.scrollY") == 0


def test_the_911_link_is_on_the_first_phone_screen(safety_site, phone, assert_accessible):
    for path in SAFETY_PATHS:
        phone.goto(safety_site.url + path)
        spanish = path.startswith("/es/")
        assert_911_on_first_screen(phone, "Llamar al 911" if spanish else "Call 911")
        expect(phone.locator(".call-911-first h2")).to_have_text(
            "Llame al 911 de inmediato si tiene:" if spanish else "Call 911 right away if you have:"
        )
        assert_accessible(phone)


def test_the_911_link_needs_no_javascript(safety_site, phone_without_javascript):
    for path in ("/articles/aftercare/", "/es/articles/pagina-de-seguridad-larga/"):
        phone_without_javascript.goto(safety_site.url + path)
        assert_911_on_first_screen(
            phone_without_javascript, "Llamar al 911" if path.startswith("/es/") else "Call 911"
        )


def test_pages_that_are_not_safety_pages_have_no_911_box(safety_site, phone):
    phone.goto(safety_site.url + "/articles/needles/")
    expect(phone.locator("h1")).to_be_visible()
    expect(phone.locator(".call-911-first")).to_have_count(0)


# Printing. Chromium's PDF writes each page's dictionary uncompressed, with /Annots naming its
# link annotations (/URI (tel:911) for the 911 link): enough to count pages and to say which
# page a link is on, without a PDF library.
PRINT_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "print"
_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.DOTALL)
_REFERENCE = re.compile(rb"(\d+) 0 R")


def pdf_page_links(pdf: bytes) -> list[list[str]]:
    """For each page of the PDF, in order, the addresses its links go to."""
    objects = {int(number): body for number, body in _OBJECT.findall(pdf)}

    def kids(body: bytes) -> list[int]:
        found = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
        return [int(n) for n in _REFERENCE.findall(found.group(1))] if found else []

    def pages_under(number: int) -> list[int]:
        body = objects[number]
        if re.search(rb"/Type\s*/Pages\b", body):
            return [page for kid in kids(body) for page in pages_under(kid)]
        return [number]

    [root] = [
        n for n, body in objects.items() if re.search(rb"/Type\s*/Pages\b", body) and b"/Parent" not in body
    ]
    pages = pages_under(root)
    assert len(pages) == len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    links = []
    for page in pages:
        annots = re.search(rb"/Annots\s*\[([^\]]*)\]", objects[page])
        refs = [int(n) for n in _REFERENCE.findall(annots.group(1))] if annots else []
        uris = [re.search(rb"/URI\s*\(([^)]*)\)", objects[ref]) for ref in refs]
        links.append([uri.group(1).decode() for uri in uris if uri])
    return links


@pytest.fixture
def handout_site(live_server, transactional_db):
    from dryneedling_site.articles.loader import load_articles

    load_articles(PRINT_FIXTURE)
    return live_server


def test_the_fixture_handout_has_a_realistic_length():
    text = (PRINT_FIXTURE / "aftercare.md").read_text().split("---", 2)[2]
    assert 850 <= len(text.split()) <= 1000


def test_a_printed_article_fits_two_letter_sheets_with_the_911_box_first(handout_site, page):
    page.goto(handout_site.url + "/articles/aftercare/")
    page.emulate_media(media="print")
    address = "https://guide.example.org/articles/aftercare/"  # DJANGO_SITE_URL, not the test host
    source = page.locator(".print-source")
    expect(source).to_be_visible()
    expect(source).to_contain_text("Dry Needling Patient Guide")
    expect(source.get_by_role("link", name=address)).to_be_visible()
    expect(source).to_contain_text(f"Printed on {dt.date.today():%B} ")
    expect(source).to_contain_text(str(dt.date.today().year))
    expect(page.locator(".meta")).to_be_hidden()  # "Guide page N of M" and the reading time
    expect(page.locator(".body-map-mark-box")).to_be_visible()  # the box the PT marks

    links = pdf_page_links(page.pdf(format="Letter"))
    assert len(links) <= 2, f"{len(links)} pages"
    assert "tel:911" in links[0] and address in links[0]


def test_print_this_checklist_prints_one_sheet_with_the_911_box(handout_site, page):
    page.goto(handout_site.url + "/articles/aftercare/")
    page.evaluate("window.print = () => { window.printRequested = true; }")
    page.get_by_role("button", name="Print this checklist").click()
    assert page.evaluate("window.printRequested")
    page.emulate_media(media="print")
    expect(page.locator(".call-911-first")).to_be_visible()
    expect(page.get_by_role("heading", name="Your aftercare checklist")).to_be_visible()
    expect(page.get_by_text("Sip water through the rest of the day.")).to_be_visible()
    for hidden in (".key-points", ".care-card", ".references", "#feeling-sore-is-common", ".body-map"):
        expect(page.locator(hidden)).to_be_hidden()

    links = pdf_page_links(page.pdf(format="Letter"))
    assert len(links) == 1 and "tel:911" in links[0]

    page.evaluate("window.dispatchEvent(new Event('afterprint'))")  # the whole page prints again
    expect(page.locator(".care-card")).to_be_visible()
