from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    """Find a PT: clinics, therapists, offline geo search, CSV import, pages and admin."""

    name = "dryneedling_site.clinics"
    label = "clinics"

    def ready(self) -> None:
        from dryneedling_site.core.desk import register_desk_panel
        from dryneedling_site.core.pagecache import invalidate_pages_on_change

        from .admin import clinic_desk_panel
        from .admin_listing_updates import listing_update_desk_panel
        from .models import Clinic, Language, StateRule, Therapist

        invalidate_pages_on_change(Clinic, Therapist, Language, StateRule, scope="clinics")
        register_desk_panel(clinic_desk_panel)
        register_desk_panel(listing_update_desk_panel)

        from dryneedling_site.core.sitemaps import register_sitemap_sections

        from .sitemaps import sitemap_sections

        register_sitemap_sections(sitemap_sections)
