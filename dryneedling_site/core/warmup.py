"""Get a fresh app process ready before its first visitor, not during that visitor's request.

A new gunicorn worker otherwise spends its first request loading every translation catalogue,
building the URL resolver and compiling the base templates (about 40 ms measured, on top of the
search itself). Called once by the WSGI module as the worker starts. It touches neither the
database nor the cache, so a part that is down at start-up cannot stop a worker from starting.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template import TemplateDoesNotExist, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

# The templates of the pages patients open first; their includes compile on first use.
PUBLIC_TEMPLATES = (
    "base.html",
    "core/home.html",
    "articles/article_list.html",
    "articles/article_detail.html",
    "clinics/clinic_search.html",
    "clinics/clinic_detail.html",
)


def warm_up() -> None:
    """Load every language's catalogue, the URL patterns and the public templates (never raises)."""
    try:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Home")
        get_resolver()._populate()
        django_templates = engines["django"]
        for name in PUBLIC_TEMPLATES:
            try:
                django_templates.get_template(name)
            except TemplateDoesNotExist:
                logger.warning("warm-up: no template %s", name)
    except Exception:  # noqa: BLE001 - warming is an optimisation; a worker must start regardless
        logger.exception("warm-up failed; the first request will do this work instead")
