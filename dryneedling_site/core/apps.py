from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Pieces shared by every app: site context, health check, robots.txt, JSON-LD."""

    name = "dryneedling_site.core"
    label = "core"

    def ready(self) -> None:
        """Register the operator checks (mail delivery, renamed environment variables)."""
        from . import checks  # noqa: F401 (registers on import)
