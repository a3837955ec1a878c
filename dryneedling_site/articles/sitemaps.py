"""Sitemap entries for the guide (django.contrib.sitemaps)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from dryneedling_site.core.sitemaps import SiteSitemap
from dryneedling_site.core.siteurl import absolute_url

from .models import Article, SitePage

if TYPE_CHECKING:
    from django.contrib.sites.models import Site
    from django.contrib.sites.requests import RequestSite


class ArticleSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.published()
            .select_related("translation_of")
            .prefetch_related("translations", "translation_of__translations")
            .order_by("language", "position", "pk")
        )

    def get_urls(
        self, page: int | str = 1, site: Site | RequestSite | None = None, protocol: str | None = None
    ) -> list[dict]:
        """Each article in each language, with its published translations as alternates."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            published = url["item"].published_versions()
            if len(published) > 1:
                url["alternates"] = [
                    {"location": absolute_url(a.get_absolute_url()), "lang_code": code}
                    for code, a in published.items()
                ]
        return urls

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at


class StaticViewSitemap(SiteSitemap):
    """Pages that are not rows: the home page, the guide's contents and Find a PT."""

    priority = 1.0
    i18n = True
    url_names = ["home", "articles:list", "clinics:search"]

    def items(self) -> list[str]:
        return self.url_names

    def location(self, item: str) -> str:
        return reverse(item)


class SitePageSitemap(SiteSitemap):
    """About and Privacy in each language that has its own text, with the other languages'
    versions as alternates (a language showing the English fallback is not listed)."""

    changefreq = "yearly"
    priority = 0.3

    def items(self) -> QuerySet[SitePage]:
        return SitePage.objects.order_by("slug", "language")

    def get_urls(
        self, page: int | str = 1, site: Site | RequestSite | None = None, protocol: str | None = None
    ) -> list[dict]:
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        versions: dict[str, list[SitePage]] = {}
        for url in urls:
            versions.setdefault(url["item"].slug, []).append(url["item"])
        for url in urls:
            group = versions[url["item"].slug]
            if len(group) > 1:
                url["alternates"] = [
                    {"location": absolute_url(p.get_absolute_url()), "lang_code": p.language} for p in group
                ]
        return urls

    def lastmod(self, item: SitePage) -> datetime:
        return item.updated_at


def sitemap_sections() -> dict[str, SiteSitemap]:
    """The guide's sections of the sitemap (registered with core in ArticlesConfig.ready)."""
    return {"pages": StaticViewSitemap(), "articles": ArticleSitemap(), "site-pages": SitePageSitemap()}
