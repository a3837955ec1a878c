from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Pieces shared by every app: site context, health check, robots.txt, JSON-LD."""

    name = "dryneedling_site.core"
    label = "core"

    def ready(self) -> None:
        """Register the operator checks (mail delivery, renamed environment variables) and the
        desk's launch checklist."""
        from . import checks  # noqa: F401 (registers on import)
        from .desk import register_desk_panel
        from .launch import launch_desk_panel

        register_desk_panel(launch_desk_panel)
