"""Views for the page-cache edge tests: redirects, a missing page and a page that sets its own headers."""

from django.http import (
    HttpResponse,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.urls import path

from dryneedling_site.core.pagecache import cache_public_page


@cache_public_page(scopes=[])
def moved(request):
    return HttpResponseRedirect("/new-home/")


@cache_public_page(scopes=[])
def moved_for_good(request):
    return HttpResponsePermanentRedirect("/new-home/")


@cache_public_page(scopes=[])
def missing(request):
    return HttpResponseNotFound("<p>No such page.</p>")


@cache_public_page(scopes=[])
def labelled(request):
    response = HttpResponse("<p>Hola</p>")
    response["Content-Language"] = "es"
    response["X-Robots-Tag"] = "noindex"
    return response


@cache_public_page(scopes=[], params=["q"])
def search(request):
    return HttpResponse(f"<p>{request.GET.get('q', '')}</p>")


urlpatterns = [
    path("search/", search),
    path("moved/", moved),
    path("moved-for-good/", moved_for_good),
    path("missing/", missing),
    path("labelled/", labelled),
]
