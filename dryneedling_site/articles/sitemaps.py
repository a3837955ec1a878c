"""Sitemap entries for the guide (django.contrib.sitemaps)."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import Article, SitePage


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Article]:
        return Article.objects.published()

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at


class StaticViewSitemap(Sitemap):
    """Pages that are not rows: the home page and the guide's contents."""

    priority = 1.0
    url_names = ["home", "articles:list"]

    def items(self) -> list[str]:
        return self.url_names

    def location(self, item: str) -> str:
        return reverse(item)


class SitePageSitemap(Sitemap):
    """About and Privacy, once staff (or load_content) have created them."""

    changefreq = "yearly"
    priority = 0.3

    def items(self) -> QuerySet[SitePage]:
        return SitePage.objects.order_by("slug")

    def lastmod(self, item: SitePage) -> datetime:
        return item.updated_at
