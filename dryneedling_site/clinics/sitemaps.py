"""Sitemap entries for Find a PT: every real (not sample) clinic, 10,000 to a page, in each
language (a section per language), each entry naming its other-language page (hreflang)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from dryneedling_site.core.sitemaps import SiteSitemap
from dryneedling_site.core.siteurl import absolute_url

from .models import Clinic

if TYPE_CHECKING:
    from django.contrib.sites.models import Site
    from django.contrib.sites.requests import RequestSite


@cache
def _detail_prefix(language: str) -> str:
    """ "/find-a-pt/" or "/es/find-a-pt/": reversed once a language, not 10,000 times a page."""
    with translation.override(language):
        return reverse("clinics:detail", kwargs={"slug": "slug"}).removesuffix("slug/")


class ClinicSitemap(SiteSitemap):
    """Sample clinics are left out: they are fictional and must not be indexed as real ones.

    A query set (not a list), so each page reads only its own 10,000 rows. Django's own
    `i18n = True` would pair every clinic with every language in one list first, reading all
    300,000 rows for each page; a section per language keeps pages independent.
    """

    changefreq = "weekly"
    priority = 0.6

    def __init__(self, language: str = settings.LANGUAGE_CODE) -> None:
        self.language = language

    def items(self) -> QuerySet[Clinic]:
        return Clinic.objects.listed().filter(is_sample=False).only("slug", "updated_at").order_by("pk")

    def location(self, item: Clinic) -> str:
        return f"{_detail_prefix(self.language)}{item.slug}/"

    def lastmod(self, item: Clinic) -> datetime:
        return item.updated_at

    def get_urls(
        self, page: int | str = 1, site: Site | RequestSite | None = None, protocol: str | None = None
    ) -> list[dict]:
        """The page's entries, each listing the clinic's page in every language and the default."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        languages = [*(code for code, _ in settings.LANGUAGES), "x-default"]
        for url in urls:
            slug = url["item"].slug
            url["alternates"] = [
                {
                    "lang_code": code,
                    "location": absolute_url(
                        f"{_detail_prefix(settings.LANGUAGE_CODE if code == 'x-default' else code)}{slug}/"
                    ),
                }
                for code in languages
            ]
        return urls


def sitemap_sections() -> dict[str, SiteSitemap]:
    """The directory's sections: one per language (registered in ClinicsConfig.ready)."""
    return {
        "clinics": ClinicSitemap(),
        **{
            f"clinics-{code}": ClinicSitemap(code)
            for code, _ in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
        },
    }
