from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    """Find a PT: clinics, therapists, offline geo search, CSV import, pages and admin."""

    name = "dryneedling_site.clinics"
    label = "clinics"
