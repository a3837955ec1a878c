"""A Spanish-speaking patient in Chromium: reads the guide, switches language, answers the
feedback widget with and without JavaScript, and searches Find a PT. axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dryneedling_site.clinics import geo
from dryneedling_site.feedback.models import Feedback
from tests.clinics.factories import make_clinic, point_at

ARTICLE = "/es/articles/efectos/"
NYC = geo.Place("10001 (New York, NY)", 40.7484, -73.9967, "NY")  # as the ZIP table has it


@pytest.fixture
def sitio(live_server, guia, transactional_db):
    """The live server with the fixture guide and its Spanish translations."""
    return live_server


def test_read_the_spanish_guide_and_switch_language(sitio, page, assert_accessible, third_party_requests):
    page.goto(sitio.url + "/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("La punción seca, explicada en palabras sencillas")
    assert_accessible(page)

    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Guía para pacientes").click()
    page.wait_for_url(sitio.url + "/es/articles/")
    assert_accessible(page)
    page.get_by_role("link", name="¿Qué efectos de prueba pueden pasar?").click()
    page.wait_for_url(sitio.url + ARTICLE)
    expect(page.get_by_role("heading", name="Cuándo buscar ayuda")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    page.wait_for_url(sitio.url + "/articles/side-effects/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("What fixture side effects can happen?")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(sitio.url + ARTICLE)

    # About and Privacy in Spanish, reached from the footer, switching language both ways.
    page.get_by_role("contentinfo").get_by_role("link", name="Acerca de esta guía").click()
    page.wait_for_url(sitio.url + "/es/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acerca de esta guía de prueba")
    assert_accessible(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_url(sitio.url + "/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About this fixture guide")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(sitio.url + "/es/about/")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacidad").click()
    page.wait_for_url(sitio.url + "/es/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacidad de prueba")
    assert_accessible(page)
    assert third_party_requests == []


def test_answer_the_feedback_widget_in_spanish_with_javascript(sitio, page, assert_accessible):
    page.goto(sitio.url + ARTICLE)
    widget = page.locator("#feedback")
    expect(widget.get_by_role("heading", name="¿Le resultó útil este contenido?")).to_be_visible()

    widget.get_by_role("button", name="No").click()

    status = widget.get_by_role("status")
    expect(status).to_have_text("¡Gracias por su opinión!")
    comment = widget.get_by_label("¿Qué faltó o qué no quedó claro?")
    expect(comment).to_be_focused()
    comment.fill("¿Cuánto dura el dolor?")
    expect(widget.get_by_text("Le quedan 978 caracteres.")).to_be_visible()
    assert_accessible(page)
    widget.get_by_role("button", name="Enviar comentario").click()

    expect(status).to_have_text("Gracias. Se envió su opinión.")
    assert_accessible(page)
    row = Feedback.objects.get()
    assert (row.article.slug, row.article.language, row.helpful) == ("efectos", "es", False)


def test_answer_the_feedback_widget_in_spanish_without_javascript(
    sitio, page_without_javascript, assert_accessible_without_javascript
):
    page = page_without_javascript
    page.goto(sitio.url + ARTICLE)
    page.locator("#feedback").get_by_role("button", name="Sí").click()

    page.wait_for_url("**/es/articles/efectos/feedback/thanks/#feedback")
    widget = page.locator("#feedback")
    expect(widget.get_by_role("status")).to_have_text("¡Gracias por su opinión!")
    widget.get_by_role("button", name="Enviar comentario").click()
    # Once in the focused error summary at the top, once beside the field (the NHS pattern).
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Escriba su comentario antes de enviarlo.")
    expect(widget.get_by_text("Escriba su comentario antes de enviarlo.")).to_be_visible()
    assert_accessible_without_javascript(page)
    assert Feedback.objects.get().article.language == "es"


def test_find_a_pt_in_spanish_explains_a_bad_zip_and_shows_spanish_speakers(sitio, page, assert_accessible):
    make_clinic(
        name="Clínica Sol",
        languages=["English", "Spanish"],
        therapists=[("Ana Pérez", "PT, DPT")],
        at=point_at(NYC.latitude, NYC.longitude, 1, 90),
    )
    page.goto(sitio.url + "/es/find-a-pt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Encuentre un fisioterapeuta")
    page.get_by_label("Código postal (ZIP) o ciudad").fill("123")
    page.get_by_role("button", name="Buscar", exact=True).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Revise su búsqueda")
    expect(alert).to_contain_text("Un código postal tiene 5 dígitos, por ejemplo 97201.")
    assert_accessible(page)

    page.get_by_label("Código postal (ZIP) o ciudad").fill("10001")
    page.get_by_role("button", name="Buscar", exact=True).click()
    result = page.locator(".result").filter(has_text="Clínica Sol")
    expect(result.get_by_text("Se habla español")).to_be_visible()
    assert_accessible(page)
