"""Sitemaps that scale: an index of sections, each split into pages of at most 10,000 URLs.

Every page is a plain path (/sitemap-clinics-2.xml, no query string), cached whole like any
public page, and its addresses come from DJANGO_SITE_URL, never from the request's Host.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape

from .pagecache import cache_public_page
from .siteurl import absolute_url

if TYPE_CHECKING:
    from django.contrib.sites.models import Site
    from django.contrib.sites.requests import RequestSite

URLS_PER_PAGE = 10_000


class SiteSitemap(Sitemap):
    """A section whose addresses start with DJANGO_SITE_URL, 10,000 to a page."""

    limit = URLS_PER_PAGE
    # Sections of pages that exist in every language list each page once per language, with
    # its alternates (set `i18n = True`).
    alternates = True
    x_default = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


# Each app registers its sections in its AppConfig.ready(), the way desk panels are
# registered, so core imports no app. A factory makes a fresh section per request: a
# Sitemap caches its paginator, and the data changes between requests.
SectionFactory = Callable[[], dict[str, SiteSitemap]]
_SECTION_FACTORIES: list[SectionFactory] = []


def register_sitemap_sections(factory: SectionFactory) -> SectionFactory:
    """Add an app's sections to the sitemap index, in the order apps are installed."""
    if factory not in _SECTION_FACTORIES:
        _SECTION_FACTORIES.append(factory)
    return factory


def _sections() -> dict[str, SiteSitemap]:
    sections: dict[str, SiteSitemap] = {}
    for factory in _SECTION_FACTORIES:
        sections.update(factory())
    return sections


@x_robots_tag
@cache_public_page
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """Every page of every section (one COUNT per section, no rows read)."""
    entries = []
    for name, section in _sections().items():
        for page in section.paginator.page_range:
            path = reverse("sitemap-section", kwargs={"section": name, "page": page})
            entries.append({"location": absolute_url(path), "last_mod": None})
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


def _urlset(urls: list[dict]) -> str:
    """The sitemap XML, written directly: the template engine took seconds for 10,000 entries."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        # The same page in each language (hreflang), as search engines read them.
        for alternate in url.get("alternates") or ():
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
                f' href="{escape(alternate["location"])}"/>'
            )
        if url.get("lastmod"):
            parts.append(f"<lastmod>{url['lastmod']:%Y-%m-%d}</lastmod>")
        if url.get("changefreq"):
            parts.append(f"<changefreq>{url['changefreq']}</changefreq>")
        if url.get("priority") not in (None, ""):
            parts.append(f"<priority>{url['priority']}</priority>")
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)


@x_robots_tag
@cache_public_page
def sitemap_section(request: HttpRequest, section: str, page: int) -> HttpResponse:
    """One page of one section: at most 10,000 addresses."""
    sections = _sections()
    if section not in sections:
        raise Http404("No such sitemap section")
    try:
        urls = sections[section].get_urls(page=page)
    except EmptyPage as error:
        raise Http404("No such sitemap page") from error
    return HttpResponse(_urlset(urls), content_type="application/xml; charset=utf-8")
