"""Articles per language: Spanish translations load, show at /es/articles/, link to their
English source, go out of date when it changes, and take their own feedback."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dryneedling_site.articles.loader import ContentError, load_articles
from dryneedling_site.articles.models import Article
from dryneedling_site.feedback.models import Feedback
from tests.conftest import FIXTURE_ARTICLES
from tests.core.test_languages import alternates, html_lang, language_switch
from tests.html import json_ld


def test_spanish_guide_lists_only_spanish_articles(client, guia):
    html = client.get("/es/articles/").content.decode()
    assert "¿De qué trata esta página de prueba?" in html
    assert 'href="/es/articles/efectos/"' in html
    assert "What is this fixture about?" not in html
    english = client.get("/articles/").content.decode()
    assert "What is this fixture about?" in english and "¿De qué trata" not in english


def test_spanish_article_page_links_its_english_source(client, guia):
    response = client.get("/es/articles/efectos/")
    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert language_switch(response) == [{"href": "/articles/side-effects/", "hreflang": "en", "lang": "en"}]
    assert alternates(response) == {
        "en": "https://guide.example.org/articles/side-effects/",
        "es": "https://guide.example.org/es/articles/efectos/",
        "x-default": "https://guide.example.org/articles/side-effects/",
    }
    assert json_ld(response.content.decode())["inLanguage"] == "es-US"
    # The interface around it is Spanish too: the care card and the feedback question.
    html = response.content.decode()
    assert "Cuándo buscar ayuda" in html and "¿Le resultó útil este contenido?" in html
    # The not-yet-reviewed line in the words the Spanish About page quotes to readers.
    assert "Un profesional de la salud todavía no ha revisado esta página." in html


def test_english_article_switches_to_its_translation_or_to_the_spanish_guide(client, guia):
    assert language_switch(client.get("/articles/side-effects/"))[0]["href"] == "/es/articles/efectos/"
    untranslated = client.get("/articles/needles/")
    assert language_switch(untranslated)[0]["href"] == "/es/articles/"
    assert alternates(untranslated) == {}


def test_slugs_belong_to_one_language(client, guia):
    assert client.get("/es/articles/side-effects/").status_code == 404
    assert client.get("/articles/efectos/").status_code == 404


def test_feedback_on_a_spanish_article_is_recorded_for_that_article(client, guia):
    response = client.post(
        "/es/articles/efectos/feedback/", {"helpful": "no"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["message"] == "¡Gracias por su opinión!"
    assert response.json()["comment_label"] == "¿Qué faltó o qué no quedó claro?"
    vote = Feedback.objects.get()
    assert vote.article == guia["efectos"] and vote.article.language == "es"


def test_feedback_errors_come_back_in_spanish(client, guia):
    response = client.post(
        "/es/articles/efectos/feedback/", {"helpful": "maybe"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Elija Sí o No."


def test_translation_is_linked_and_measured_in_spanish(guia):
    efectos = guia["efectos"]
    assert efectos.translation_of == Article.objects.get(language="en", slug="side-effects")
    assert efectos.translation_status == "up to date"
    assert efectos.reading_ease is not None and efectos.reading_ease > 55


def test_translation_goes_out_of_date_when_the_english_changes(guia):
    english = Article.objects.get(language="en", slug="side-effects")
    english.body += "\nA new fact.\n"
    english.save()
    assert Article.objects.get(language="es", slug="efectos").translation_status == "out of date"


def test_load_content_loads_the_translation_folder_too(db):
    out = StringIO()
    call_command("load_content", str(FIXTURE_ARTICLES), stdout=out)
    assert Article.objects.filter(language="es").count() == 2
    assert Article.objects.filter(language="en").count() == 8


def test_dry_run_loads_nothing_in_any_language(db):
    call_command("load_content", str(FIXTURE_ARTICLES), "--dry-run", stdout=StringIO())
    assert Article.objects.count() == 0


def copy_spanish(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_ARTICLES / "es", tmp_path / "es"))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("translation_of: side-effects", "translation_of: no-such-article", "translation_of"),
        ("source_fingerprint: ", "source_fingerprint: zz", "source_fingerprint"),
        ("language: es", "language: fr", "language"),
    ],
)
def test_a_bad_translation_file_is_refused_with_its_field(guide, tmp_path, old, new, field):
    folder = copy_spanish(tmp_path)
    path = folder / "efectos.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_articles(folder)
    assert error.value.field_name == field
    assert not Article.objects.filter(language="es").exists()


def test_a_missing_article_links_to_the_other_languages_guide(client, guia):
    response = client.get("/es/articles/no-existe/")
    assert response.status_code == 404
    assert language_switch(response) == [{"href": "/articles/", "hreflang": "en", "lang": "en"}]


def test_a_translation_goes_out_of_date_only_when_the_english_text_changes(guia):
    spanish = Article.objects.get(language="es", slug="efectos")
    english = spanish.translation_of
    assert spanish.translation_status == "up to date"
    # Publishing, moving it in the guide, related links and a review stamp change nothing to translate.
    english.position += 5
    english.published = not english.published
    english.last_reviewed, english.reviewer_name = dt.date(2026, 11, 1), "Pat Example"
    english.save()
    english.related.clear()
    spanish.refresh_from_db()
    assert spanish.translation_status == "up to date"
    english.care_urgent += "\nA new sign to watch for."
    english.save()
    spanish.refresh_from_db()
    assert spanish.translation_status == "out of date"
