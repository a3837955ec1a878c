"""The site's URLs plus a bare view that returns a fixed 15 KB page: the benchmark's ceiling."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dryneedling_site import urls as site_urls

CEILING_BODY = ("<!doctype html><title>ceiling</title><p>" + "x" * 15_000 + "</p>").encode()


def ceiling(request: HttpRequest) -> HttpResponse:
    """What the same server and middleware do with no template and no database."""
    return HttpResponse(CEILING_BODY)


urlpatterns = [path("bench/ceiling", ceiling), *site_urls.urlpatterns]
handler404 = getattr(site_urls, "handler404", None)
