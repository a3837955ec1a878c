"""The 911 line first: on a phone, a patient sees the signs and a tap-to-call link without scrolling.

Fixture safety pages (English and Spanish), plus a pair with the longest title and summary the
guide allows, at 390x844 (a common phone screen).
"""

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
