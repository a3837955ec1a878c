"""Template context every page needs."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the site's name so templates never hard-code it."""
    return {"site_name": settings.SITE_NAME}
