"""Public pages of the guide. Thin: one query set each, rendered HTML comes from the row."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.generic import ListView

from dryneedling_site.core.pagecache import cache_public_page
from dryneedling_site.core.siteurl import absolute_url

from .models import PRINTABLE_CHECKLIST_HEADING, Article, ArticleRedirect, SitePage
from .revisions import LISTING_FIELDS, LiveVersion, show_listed_version, show_live_version

GUIDE_FIELDS = ("slug", "title", "summary", "position", "language", *LISTING_FIELDS)


def _visible_articles(request: HttpRequest) -> QuerySet[Article]:
    """Staff who may edit articles also see drafts (to preview them); the public does not."""
    if request.user.is_authenticated and request.user.has_perm("articles.change_article"):
        return Article.objects.in_language()
    return Article.objects.published().in_language()


def _language_paths(article: Article) -> dict[str, str | None]:
    """This article in each language: itself, its English source, or a published translation."""
    group = {**article.published_versions(), article.language: article}  # a draft, for staff
    return {
        code: group[code].get_absolute_url() if group.get(code) else None for code, _ in settings.LANGUAGES
    }


@cache_public_page(scopes=["articles", "clinics"])
def home(request: HttpRequest) -> HttpResponse:
    """What the site is, the guide in order, and the way to a physical therapist."""
    articles = Article.objects.published().in_language().only(*GUIDE_FIELDS)
    listed = [show_listed_version(article) for article in articles]
    return render(request, "core/home.html", {"articles": listed})


@cache_public_page(scopes=["articles"])
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    """About or Privacy in the reader's language (1 query); a language without its own text
    shows the English one, saying so."""
    versions = {p.language: p for p in SitePage.objects.filter(slug=slug)}
    page = versions.get(get_language()) or versions.get(settings.LANGUAGE_CODE)
    if page is None:
        raise Http404("No such page.")
    # hreflang and the language switch name only the languages that have their own text.
    request.language_paths = {
        code: versions[code].get_absolute_url() if code in versions else None
        for code, _ in settings.LANGUAGES
    }
    fallback = page.language != get_language()
    return render(request, "articles/sitepage_detail.html", {"page": page, "fallback": fallback})


@method_decorator(cache_public_page(scopes=["articles"]), name="dispatch")
class ArticleListView(ListView):
    """The guide's contents."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self) -> list[Article]:  # type: ignore[override]
        articles = Article.objects.published().in_language().only(*GUIDE_FIELDS)
        return [show_listed_version(article) for article in articles]


def _old_address_redirect(slug: str) -> HttpResponse | None:
    """A permanent redirect from an address a published article had, in this page's language,
    before its slug changed (a draft's new address is never revealed)."""
    old = (
        ArticleRedirect.objects.filter(language=get_language(), old_slug=slug, article__published=True)
        .select_related("article")
        .first()
    )
    if old is None or old.article.slug == slug:
        return None
    return HttpResponsePermanentRedirect(old.article.get_absolute_url())


@cache_public_page(scopes=["articles"])
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One article with references, related pages, its place in the guide and its translations
    (5 queries); an address the article had before its slug changed redirects to it."""
    # Until the article is found, the other language has no known equivalent (a 404 page's
    # language link then leads to that language's guide).
    request.language_paths = {code: None for code, _ in settings.LANGUAGES}
    try:
        article = get_object_or_404(
            _visible_articles(request)
            .select_related("translation_of")
            .prefetch_related(
                "references",
                Prefetch(
                    "related",
                    queryset=Article.objects.published().only(*GUIDE_FIELDS, "language"),
                    to_attr="related_published",
                ),
            ),
            slug=slug,
        )
    except Http404:
        moved = _old_address_redirect(slug)
        if moved is None:
            raise
        return moved
    request.language_paths = _language_paths(article)
    # Staff previewing see the newest text; patients the reviewed one (or a plain "updated after").
    preview = request.user.is_authenticated and request.user.has_perm("articles.change_article")
    live = (
        LiveVersion(
            reviewed=article.is_reviewed and not article.changed_since_review, updated_after_review=None
        )
        if preview
        else show_live_version(article)
    )
    references = getattr(article, "live_references", None)
    if references is None:
        references = list(article.references.all())
    guide = list(Article.objects.published().in_language().only("slug", "title", "position", "language"))
    slugs = [a.slug for a in guide]
    index = slugs.index(article.slug) if article.slug in slugs else None
    previous_article = guide[index - 1] if index else None
    next_article = guide[index + 1] if index is not None and index + 1 < len(guide) else None
    canonical = absolute_url(article.get_absolute_url())
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "references": references,
            "live": live,
            "previous_article": previous_article,
            "next_article": next_article,
            "guide_position": (index + 1) if index is not None else None,
            "guide_length": len(guide),
            "canonical_url": canonical,
            # "Print this checklist" prints the first checklist section (print.js).
            "checklist_id": next(
                (s["id"] for s in article.sections if PRINTABLE_CHECKLIST_HEADING.search(s["title"])), ""
            ),
            # The 911 line first on the pages where a patient acts after treatment.
            "call_911_first": article.care_emergency
            and (article.translation_of or article).slug in settings.ARTICLE_SAFETY_PAGES,
            "structured_data": medical_web_page(article, canonical, references, live),
        },
    )


def medical_web_page(
    article: Article, url: str, references: list | None = None, live: LiveVersion | None = None
) -> dict:
    """schema.org MedicalWebPage data, so search engines can show the review date; `reviewedBy`
    only over text a reviewer signed off (`live`)."""
    if references is None:
        references = list(article.references.all())
    if live is None:
        live = LiveVersion(
            reviewed=article.is_reviewed and not article.changed_since_review, updated_after_review=None
        )
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "inLanguage": f"{article.language}-US",
        "dateModified": article.updated_at.isoformat(),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": {"@type": "MedicalTherapy", "name": "Dry needling"},
        "citation": [
            ". ".join(str(part) for part in (r.authors, r.title, r.journal, r.year) if part)
            + (f";{r.citation}" if r.citation else "")
            for r in references
        ],
    }
    # Claim a clinical review only over the text a reviewer signed off.
    if article.is_reviewed and not live.reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
        data["description"] = f"{article.summary} " + updated_after_review_text(article, live)
    elif article.is_reviewed:
        reviewer: dict = {"@type": "Person", "name": article.reviewer_name}
        if article.reviewer_credentials:
            reviewer["hasCredential"] = article.reviewer_credentials
        data["lastReviewed"] = article.last_reviewed.isoformat()
        data["reviewedBy"] = reviewer
    return data


def updated_after_review_text(article: Article, live: LiveVersion) -> str:
    """ "Updated on DATE after its last clinical review on DATE", in the page's language."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    updated = live.updated_after_review or article.updated_at.date()
    return gettext("Updated on %(updated)s after its last clinical review on %(reviewed)s.") % {
        "updated": date_format(updated, gettext("F j, Y")),
        "reviewed": date_format(article.last_reviewed, gettext("F j, Y")),
    }
