"""Template context every page needs."""

from django.conf import settings
from django.http import HttpRequest

from .siteurl import page_url


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, and the page's canonical address from DJANGO_SITE_URL (not Host)."""
    return {"site_name": settings.SITE_NAME, "page_url": page_url(request)}
