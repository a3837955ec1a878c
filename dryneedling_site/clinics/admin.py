"""Staff editing of clinics, their therapists and languages."""

from django import forms
from django.contrib import admin

from .models import Clinic, Language, Therapist
from .validators import normalise_phone


class ClinicAdminForm(forms.ModelForm):
    # Wider than the stored 10 digits, so staff can type "(503) 555-0123".
    phone = forms.CharField(max_length=30, help_text="A US number, e.g. (503) 555-0123.")
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="Starts with https:// (or http://)."
    )

    class Meta:
        model = Clinic
        fields = (
            *("name", "slug", "is_sample", "address", "city", "state", "zip_code", "latitude", "longitude"),
            *(
                "phone",
                "website",
                "opening_hours",
                "offers_dry_needling",
                "accepting_new_patients",
                "languages",
            ),
        )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self) -> dict:
        """A new ZIP without new coordinates moves the clinic to the new ZIP's centre on save."""
        cleaned = super().clean()
        if "zip_code" in self.changed_data and not {"latitude", "longitude"} & set(self.changed_data):
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned


class TherapistInline(admin.TabularInline):
    model = Therapist
    extra = 1
    fields = ("name", "credentials", "dry_needling_training", "specialties")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    form = ClinicAdminForm
    list_display = (
        "name",
        "city",
        "state",
        "zip_code",
        "offers_dry_needling",
        "accepting_new_patients",
        "is_sample",
    )
    list_filter = ("offers_dry_needling", "accepting_new_patients", "is_sample", "state", "languages")
    search_fields = ("name", "city", "zip_code", "therapists__name")
    prepopulated_fields = {"slug": ("name", "city", "state")}
    filter_horizontal = ("languages",)
    inlines = [TherapistInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_sample")}),
        ("Where", {"fields": ("address", "city", "state", "zip_code", "latitude", "longitude")}),
        ("Contact", {"fields": ("phone", "website", "opening_hours")}),
        ("For patients", {"fields": ("offers_dry_needling", "accepting_new_patients", "languages")}),
    )


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ("name", "credentials", "clinic")
    list_filter = ("clinic__state", "clinic__offers_dry_needling", "clinic__is_sample")
    search_fields = ("name", "credentials", "specialties", "clinic__name")
    list_select_related = ("clinic",)
    autocomplete_fields = ("clinic",)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
