"""Views for the page-cache edge tests: a redirect and a page that sets its own headers."""

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path

from dryneedling_site.core.pagecache import cache_public_page


@cache_public_page(scopes=[])
def moved(request):
    return HttpResponseRedirect("/new-home/")


@cache_public_page(scopes=[])
def labelled(request):
    response = HttpResponse("<p>Hola</p>")
    response["Content-Language"] = "es"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [path("moved/", moved), path("labelled/", labelled)]
