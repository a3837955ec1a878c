"""Site-wide endpoints: health check and robots.txt."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .siteurl import absolute_url


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 only when the database answers, so a load balancer drops a broken node."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Let search engines in and point them at the sitemap.

    The admin is not named here: its address may be a secret (DJANGO_ADMIN_URL), and its
    pages already tell robots not to index them.
    """
    lines = [
        "User-agent: *",
        "Disallow: /editor/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
