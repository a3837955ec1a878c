"""The Spanish reading-ease measure counts syllables, words and sentences the way a reader meets them."""

import pytest

from dryneedling_site.articles.readability_es import (
    INFLESZ_TARGET,
    inflesz_band,
    measure_es,
    syllables_es,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("aguja", 3),  # a-gu-ja: the u of "gua" is heard
        ("músculo", 3),
        ("fisioterapeuta", 6),  # fi-sio-te-ra-peu-ta: two diphthongs
        ("guía", 2),  # guí-a: silent u, then an accented í breaks the diphthong (hiatus)
        ("que", 1),  # silent u
        ("quién", 1),
        ("pingüino", 3),  # pin-güi-no: ü is heard and joins the i
        ("día", 2),
        ("país", 2),
        ("leer", 2),  # two strong vowels: hiatus
        ("poeta", 3),
        ("ciudad", 2),  # weak + weak: one syllable
        ("buey", 1),  # triphthong with final y
        ("muy", 1),
        ("hoy", 1),
        ("y", 1),
        ("ayuda", 3),  # y before a vowel is a consonant
        ("Punción", 2),
        ("sangre", 2),
        ("neumotórax", 4),
    ],
)
def test_syllables_follow_spanish_spelling(word, expected):
    assert syllables_es(word) == expected


def test_scores_follow_the_published_formulas():
    # 3 words, 4 syllables (el, sol, sa-le), 1 sentence.
    result = measure_es("El sol sale.")
    assert (result.words, result.sentences) == (3, 1)
    assert result.inflesz == pytest.approx(206.835 - 62.3 * 4 / 3 - 3, abs=0.05)
    assert result.fernandez_huerta == pytest.approx(206.84 - 60 * 4 / 3 - 1.02 * 3, abs=0.05)


EASY = """
## Después de la visita

Es normal sentir dolor. Beba agua. Use hielo si le duele. Camine un poco.
Si no se siente bien, llame a su fisioterapeuta. No maneje si tiene sueño.
"""

HARD = """
La administración concomitante de medicamentos antiagregantes plaquetarios o anticoagulantes
orales constituye una consideración terapéutica fundamental que obliga al profesional
sanitario a individualizar minuciosamente la evaluación de la relación entre beneficios y
riesgos potenciales, particularmente cuando la intervención se dirige hacia estructuras
musculares profundas cuya compresión hemostática resulta técnicamente impracticable.
"""


def test_an_easy_passage_reads_easy_and_a_hard_one_reads_hard():
    easy, hard = measure_es(EASY), measure_es(HARD)
    assert easy.band in ("bastante fácil", "muy fácil")
    assert easy.meets_target
    assert hard.band == "muy difícil"
    assert not hard.meets_target
    assert easy.inflesz > hard.inflesz and easy.fernandez_huerta > hard.fernandez_huerta


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (85.0, "muy fácil"),
        (80.0, "bastante fácil"),
        (65.0, "bastante fácil"),
        (64.9, "normal"),
        (INFLESZ_TARGET, "normal"),
        (54.9, "algo difícil"),
        (40.0, "algo difícil"),
        (39.9, "muy difícil"),
    ],
)
def test_inflesz_bands(score, band):
    assert inflesz_band(score) == band


def test_markdown_syntax_is_not_counted():
    marked = measure_es(
        "Use **hielo** y lea [esta página](https://ejemplo.org/una-direccion-muy-larga-de-prueba)."
        " ![Una aguja fina](/static/aguja.png) `codigo`"
    )
    plain = measure_es("Use hielo y lea esta página.")
    assert marked == plain
    assert plain.words == 6


def test_headings_and_list_items_are_sentences_of_their_own():
    result = measure_es(
        "## Antes de empezar\n\nDígale a su fisioterapeuta si:\n\n- Toma un anticoagulante\n- Tiene fiebre\n"
    )
    assert result.sentences == 4
    assert result.words == 13


def test_numbers_are_not_words_and_empty_text_scores_nothing():
    assert measure_es("Unas 8 de cada 100 sesiones.").words == 4
    empty = measure_es("## \n\n123")
    assert (empty.words, empty.sentences, empty.inflesz) == (0, 0, 0.0)
