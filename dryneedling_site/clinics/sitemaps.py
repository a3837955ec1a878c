"""Sitemap entries for Find a PT: the search page and every real (not sample) clinic."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Clinic

SEARCH_PAGE = "clinics:search"


class ClinicSitemap(Sitemap):
    """Sample clinics are left out: they are fictional and must not be indexed as real ones."""

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[Clinic | str]:
        return [SEARCH_PAGE, *Clinic.objects.filter(is_sample=False).only("slug", "updated_at")]

    def location(self, item: Clinic | str) -> str:
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def lastmod(self, item: Clinic | str) -> datetime | None:
        return None if isinstance(item, str) else item.updated_at
