"""Sitemap entries for Find a PT: every real (not sample) clinic, 10,000 to a page."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db.models import QuerySet
from django.urls import reverse

from dryneedling_site.core.sitemaps import SiteSitemap

from .models import Clinic


@cache
def _detail_prefix() -> str:
    """ "/find-a-pt/": reversed once, not 10,000 times a page."""
    return reverse("clinics:detail", kwargs={"slug": "slug"}).removesuffix("slug/")


class ClinicSitemap(SiteSitemap):
    """Sample clinics are left out: they are fictional and must not be indexed as real ones.

    A query set (not a list), so each page reads only its own 10,000 rows.
    """

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Clinic]:
        return Clinic.objects.filter(is_sample=False).only("slug", "updated_at").order_by("pk")

    def location(self, item: Clinic) -> str:
        return f"{_detail_prefix()}{item.slug}/"

    def lastmod(self, item: Clinic) -> datetime:
        return item.updated_at
