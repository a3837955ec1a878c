"""A clinic that speaks the page's language says so on that page ("Se habla español"), from the
site's language data rather than a language named in the template."""

from __future__ import annotations

import re

from django.test import override_settings


def body(response) -> str:
    return re.search(r"<body.*</body>", response.content.decode(), re.S).group(0)


def test_a_spanish_page_says_spanish_is_spoken_only_at_clinics_that_speak_it(client, make_clinic):
    hispana = make_clinic(name="Clinica Hispana", languages=["Spanish"])
    english = make_clinic(name="English Only PT", languages=["English"])
    assert "Se habla español" in body(client.get("/es" + hispana.get_absolute_url()))
    assert "Se habla español" not in body(client.get("/es" + english.get_absolute_url()))
    assert "spoken here" not in body(client.get(hispana.get_absolute_url()))  # English page: no badge


def test_the_badge_follows_the_languages_setting_not_the_template(client, make_clinic):
    from dryneedling_site.core.templatetags.language_tags import spoken_page_language

    clinic = make_clinic(name="Clinica Hispana", languages=["Spanish", "French"])
    languages = list(clinic.languages.all())
    assert spoken_page_language(languages, "es") == "español"
    assert spoken_page_language(languages, "fr") == ""  # not one of the site's languages
    with override_settings(LANGUAGES=[("en", "English"), ("es", "Español"), ("fr", "Français")]):
        assert spoken_page_language(languages, "fr") == "français"
        assert spoken_page_language(languages, "en") == ""
