from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Pieces shared by every app: site context, health check, robots.txt, JSON-LD."""

    name = "dryneedling_site.core"
    label = "core"
