"""Template helpers shared by all apps."""

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dryneedling_site.core import inline_css

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def inline_stylesheet() -> SafeString:
    """The site's stylesheet in a <style> element, allowed by its hash in the CSP."""
    return SafeString(f"<style>{inline_css.stylesheet()}</style>")


@register.filter
def jsonld(data: dict[str, Any]) -> SafeString:
    """Render schema.org data as a JSON-LD block.

    Escapes <, > and & like Django's json_script so text from the database cannot close
    the script element. A data block is not executed, so the CSP allows it.
    """
    payload = json.dumps(data, default=str, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(payload))
