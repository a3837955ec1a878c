from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ClinicsConfig(AppConfig):
    """Find a PT: clinics, therapists, offline geo search, CSV import, pages and admin."""

    name = "dryneedling_site.clinics"
    label = "clinics"

    def ready(self) -> None:
        from dryneedling_site.core.pagecache import bump_content_version

        from .models import Clinic, Language, Therapist

        # Directory changes invalidate cached search results and clinic pages.
        for model in (Clinic, Therapist, Language):
            post_save.connect(bump_content_version, sender=model, dispatch_uid=f"pages-{model.__name__}-save")
            post_delete.connect(
                bump_content_version, sender=model, dispatch_uid=f"pages-{model.__name__}-del"
            )
        m2m_changed.connect(
            bump_content_version, sender=Clinic.languages.through, dispatch_uid="pages-clinic-languages"
        )
