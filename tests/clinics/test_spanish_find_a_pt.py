"""The Spanish Find a PT: the same groups, a visible "Habla español" choice, and honest language."""

from __future__ import annotations

from django.utils import translation

from dryneedling_site.clinics.language_names import LANGUAGE_NAMES

SEARCH = "/es/find-a-pt/"


def test_spanish_search_has_a_visible_habla_espanol_choice(client, make_clinic):
    make_clinic(name="Clinica Hispana", languages=["Spanish"])
    make_clinic(name="English Only PT", languages=["English"])
    page = client.get(SEARCH).content.decode()
    choice = page.index("Habla español: solo clínicas donde se habla español")
    assert choice < page.index('<details class="more-choices"')  # not folded away
    assert "Habla español" not in client.get("/find-a-pt/").content.decode()
    found = client.get(SEARCH, {"location": "10001", "spanish": "on"})
    assert [c.name for c in found.context["page"]] == ["Clinica Hispana"]


def test_spanish_results_keep_the_groups_and_the_interpreter_line(client, make_clinic):
    make_clinic(name="Confirmada PT")
    make_clinic(name="Registro PT", offers_dry_needling=False, dry_needling_unconfirmed=True)
    page = client.get(SEARCH, {"location": "10001"}).content.decode()
    assert "Clínicas que ofrecen punción seca" in page
    assert "Clínicas que quizás ofrecen punción seca: pregunte si la ofrecen" in page
    assert page.index("Confirmada PT") < page.index("Registro PT")
    assert "Puede preguntar en cualquier clínica si ofrecen un intérprete." in page


def test_opening_hours_from_the_data_are_marked_english_on_spanish_pages(client, make_clinic):
    clinic = make_clinic(opening_hours="Mon-Fri 8am-6pm")
    assert (
        '<p class="clinic-hours" lang="en">Mon-Fri 8am-6pm</p>'
        in client.get("/es" + clinic.get_absolute_url()).content.decode()
    )
    assert (
        '<p class="clinic-hours">Mon-Fri 8am-6pm</p>'
        in client.get(clinic.get_absolute_url()).content.decode()
    )


def test_every_language_name_in_the_data_has_a_spanish_name():
    with translation.override("es"):
        untranslated = [name for name in LANGUAGE_NAMES if translation.gettext(name) == name]
    assert untranslated == []


def test_every_language_the_sample_clinics_speak_is_in_the_translated_list():
    import csv
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "content" / "clinics-sample.csv"
    spoken = {
        name.strip()
        for row in csv.DictReader(sample.open(encoding="utf-8"))
        for name in row["languages"].replace(",", ";").split(";")
        if name.strip()
    }
    assert spoken and spoken <= set(LANGUAGE_NAMES)
