"""Every Spanish page reads in Spanish: no English left in the interface.

Text marked lang="en" (the English-only About/Privacy texts, reference titles) is English on
purpose and skipped; everything else a visitor reads or hears (text, titles, labels, alt text,
aria-labels, placeholders) is checked for common English words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.clinics.factories import make_clinic

# Common English words that are not Spanish words too ("error" is; "new" is in "New York").
ENGLISH_WORDS = {
    "the", "and", "you", "your", "with", "this", "that", "what", "page", "pages", "find", "search",
    "back", "call", "miles", "guide", "home", "next", "previous", "results", "speaks", "website",
    "directions", "sample", "listing", "optional", "privacy", "sitemap", "about", "help", "feedback",
    "helpful", "skip", "main", "breadcrumb", "footer", "send", "comment", "clinic", "clinics",
    "patients", "patient", "therapist", "therapists", "near", "choose", "type", "only",
    "offers", "taking", "points", "english", "spanish", "key", "references", "reviewed", "read", "minutes",
    "minute", "for", "from", "not", "yet", "before", "go", "opening", "hours", "language", "any",
}  # fmt: skip
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "content")
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü]+")


class _VisibleText(HTMLParser):
    """Text and read-aloud attributes outside <script>, <style> and lang="en" regions."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it skipped?

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        skipped = tag in ("script", "style") or attributes.get("lang") == "en"
        read_aloud = tag != "meta" or attributes.get("name") == "description"
        if read_aloud and not (self.skipping or skipped):
            self.parts += [attributes[name] or "" for name in READ_ATTRIBUTES if name in attributes]
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    # A web address printed as text (the handout's "page address") is in no language.
    text = re.sub(r"https?://\S+", " ", " ".join(parser.parts))
    words = {word.lower() for word in _WORD.findall(text)}
    return words & ENGLISH_WORDS


def test_the_checker_finds_english_and_skips_marked_english():
    assert english_words("<p>Buscar</p><button>Search</button>") == {"search"}
    assert english_words('<p lang="en">The page</p><img alt="Inicio"><p>Hola</p>') == set()
    assert english_words('<a aria-label="Main">Principal</a>') == {"main"}


@pytest.fixture
def clinics(db):
    spanish = make_clinic(
        name="Clínica Sol",
        address="100 Calle Uno",
        zip_code="10001",
        languages=["English", "Spanish"],
        therapists=[("Ana Pérez", "PT, DPT")],
    )
    sample = make_clinic(name="Clínica Luna", address="200 Calle Dos", zip_code="10001", is_sample=True)
    return {"spanish": spanish, "sample": sample}


def spanish_pages(client, guia, clinics) -> dict[str, object]:
    pages = {
        path: client.get(path)
        for path in (
            "/es/",
            "/es/articles/",
            "/es/articles/que-es/",
            "/es/articles/efectos/",
            "/es/about/",
            "/es/privacy/",
            "/es/find-a-pt/",
            "/es/find-a-pt/?location=10001",
            "/es/find-a-pt/?location=123",
            "/es/find-a-pt/?location=10001&name=zzz&radius=5",
            f"/es/find-a-pt/{clinics['spanish'].slug}/?location=10001",
            f"/es/find-a-pt/{clinics['sample'].slug}/",
            "/es/no-such-page/",
            "/es/articles/efectos/feedback/",
        )
    }
    client.post("/es/articles/efectos/feedback/", {"helpful": "yes"})
    pages["thanks"] = client.get("/es/articles/efectos/feedback/thanks/")
    pages["comment error"] = client.post("/es/articles/efectos/feedback/", {"helpful": "yes", "comment": " "})
    return pages


def test_every_spanish_page_has_no_english_in_its_interface(client, guide, guia, clinics):
    problems = {}
    for name, response in spanish_pages(client, guia, clinics).items():
        assert response.status_code in (200, 400, 404, 405), name
        html = response.content.decode()
        assert '<html lang="es">' in html, name
        found = english_words(html)
        if found:
            problems[name] = sorted(found)
    assert problems == {}


def test_spanish_results_say_spanish_is_spoken(client, guia, clinics):
    html = client.get("/es/find-a-pt/?location=10001").content.decode()
    assert html.count("Se habla español") == 1  # Clínica Sol, not the sample clinic
    assert "a <strong>0.0 millas</strong>" in html  # US-style decimals, as in the articles
    assert "Ficha de ejemplo" in html
    detail = client.get(f"/es/find-a-pt/{clinics['spanish'].slug}/").content.decode()
    assert "Se habla español" in detail
    # English readers see the plain language list, not the Spanish badge.
    assert "Se habla español" not in client.get("/find-a-pt/?location=10001").content.decode()


def test_a_bad_zip_is_explained_in_spanish(client, db):
    html = client.get("/es/find-a-pt/?location=123").content.decode()
    assert "Un código postal tiene 5 dígitos, por ejemplo 97201." in html
    assert "Revise su búsqueda" in html
