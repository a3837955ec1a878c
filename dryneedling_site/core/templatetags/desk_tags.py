"""The staff desk's panels on the admin home page."""

from django import template

from dryneedling_site.core.desk import desk_panels

register = template.Library()


@register.inclusion_tag("admin/includes/desk.html", takes_context=True)
def staff_desk(context: template.Context) -> dict:
    """The panels the signed-in user may see, for the top of the admin home."""
    return {"panels": desk_panels(context["request"])}
