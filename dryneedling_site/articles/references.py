"""The published sources an article rests on (a model of its own module, kept in models.py's app)."""

from __future__ import annotations

from urllib.parse import quote

from django.db import models
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords


class Reference(models.Model):
    """A published source an article rests on, shown as a numbered, linked citation."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(default=0, help_text="Citation order: 0 or 1 comes first.")
    authors = models.CharField(max_length=300, help_text="For example: Kalichman L, Vulfsons S")
    title = models.CharField(max_length=400, help_text="The paper's exact title, as the journal prints it.")
    journal = models.CharField(
        max_length=200, blank=True, help_text="Abbreviated journal name (empty for a web page)."
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of publication (empty if the source gives none)."
    )
    citation = models.CharField(
        max_length=60, blank=True, help_text="Volume(issue):pages, e.g. 23(5):640-646"
    )
    doi = models.CharField(
        max_length=120,
        blank=True,
        verbose_name="DOI",
        help_text="Only a DOI you have checked, e.g. 10.3122/jabfm.2010.05.090296.",
    )
    pmid = models.CharField(
        max_length=12,
        blank=True,
        verbose_name="PubMed id",
        help_text="Only an id you have checked. Left empty, the link searches PubMed for the title.",
    )
    web_address = models.URLField(
        blank=True,
        verbose_name="Web address",
        help_text="For a web page (not a journal paper): its address, e.g. a hospital's patient page.",
    )

    # Versioned so that reverting an article restores the references it had then.
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.authors}. {self.title}."

    @property
    def url(self) -> str:
        """A web page's own address, else DOI, then PubMed, else a PubMed search for the exact title."""
        if self.web_address:
            return self.web_address
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://pubmed.ncbi.nlm.nih.gov/?term={quote(self.title, safe='')}"

    @property
    def link_label(self) -> str:
        if self.web_address:
            return gettext("Read the page")
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmid:
            return f"PubMed {self.pmid}"
        return gettext("Find in PubMed")

    def as_dict(self) -> dict:
        return {
            "authors": self.authors,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "citation": self.citation,
            "doi": self.doi,
            "pmid": self.pmid,
            "url": self.web_address,
        }
