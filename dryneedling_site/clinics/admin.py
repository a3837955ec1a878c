"""Staff editing of clinics, their therapists and languages."""

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from dryneedling_site.core.desk import DeskItem, DeskPanel

from . import admin_confirmations, admin_import
from .models import IMPORTED_FIELDS, Clinic, Language, StateRule, Therapist
from .validators import normalise_phone, validate_ascii

# Where a clinic is: staff correcting any of these protects all of them from a re-import, so a
# file never moves the pin while leaving the staff's address (or the other way round).
LOCATION_FIELDS = {"address", "city", "state", "zip_code", "latitude", "longitude"}


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
                "dry_needling_unconfirmed",
                "accepting_new_patients",
                "languages",
            ),
        )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self) -> dict:
        """A new ZIP without new coordinates moves the clinic to the new ZIP's centre on save."""
        cleaned = super().clean()
        for name in ("latitude", "longitude"):
            try:  # float() reads "٤٥.٥" or full-width digits; staff should see what is stored
                validate_ascii(self.data.get(self.add_prefix(name), ""))
            except forms.ValidationError as error:
                self.add_error(name, error)
        if "offers_dry_needling" in self.changed_data and cleaned.get("offers_dry_needling"):
            cleaned["dry_needling_unconfirmed"] = False  # staff asked the clinic: it is confirmed
        if "zip_code" in self.changed_data and not {"latitude", "longitude"} & set(self.changed_data):
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned


class TherapistInline(admin.TabularInline):
    model = Therapist
    extra = 1
    fields = ("name", "credentials", "dry_needling_training", "specialties")


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
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
    list_filter = (
        "offers_dry_needling",
        "dry_needling_unconfirmed",
        "accepting_new_patients",
        "is_sample",
        "state",
        "languages",
    )
    search_fields = ("name", "city", "zip_code", "therapists__name")
    prepopulated_fields = {"slug": ("name", "city", "state")}
    filter_horizontal = ("languages",)
    inlines = [TherapistInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_sample")}),
        ("Where", {"fields": ("address", "city", "state", "zip_code", "latitude", "longitude")}),
        ("Contact", {"fields": ("phone", "website", "opening_hours")}),
        (
            "For patients",
            {
                "fields": (
                    "offers_dry_needling",
                    "dry_needling_unconfirmed",
                    "accepting_new_patients",
                    "languages",
                )
            },
        ),
        ("Imports", {"fields": ("npi", "source_date", "staff_edited_fields"), "classes": ("collapse",)}),
    )
    readonly_fields = ("npi", "source_date", "staff_edited_fields")

    def save_model(self, request: HttpRequest, obj: Clinic, form: forms.ModelForm, change: bool) -> None:
        """Remember which fields staff set, so CSV and NPI registry imports never overwrite them."""
        touched = set(form.changed_data if change else form.fields) & set(IMPORTED_FIELDS)
        earlier = set(obj.staff_edited_fields or ())
        if change:
            # Compared with the stored row too: restoring a version from History builds the form
            # from that version, so only this shows what the restore changes (and it would
            # otherwise bring back that version's older list of staff-edited fields).
            compared = [n for n in form.fields if n in IMPORTED_FIELDS and n != "languages"]
            stored = Clinic.objects.filter(pk=obj.pk).values("staff_edited_fields", *compared).first()
            if stored:
                touched |= {n for n in compared if stored[n] != getattr(obj, n)}
                earlier |= set(stored["staff_edited_fields"] or ())
        if touched & LOCATION_FIELDS:
            touched |= LOCATION_FIELDS
        if "offers_dry_needling" in touched:  # staff asked the clinic: the registry's "ask" is moot
            touched.add("dry_needling_unconfirmed")
        obj.staff_edited_fields = sorted(earlier | touched)
        super().save_model(request, obj, form, change)

    # CSV import: upload and dry run, then confirm (see admin_import).
    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="clinics_clinic_import",
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="clinics_clinic_import_confirm",
            ),
            path(
                "import-confirmations/",
                self.admin_site.admin_view(self.confirmations_view),
                name="clinics_clinic_import_confirmations",
            ),
            path(
                "import-confirmations/confirm/",
                self.admin_site.admin_view(self.confirmations_confirm_view),
                name="clinics_clinic_import_confirmations_confirm",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        return admin_import.import_view(self, request)

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        return admin_import.confirm_view(self, request)

    # Confirmations from an association's member list: the same two steps (admin_confirmations).
    def confirmations_view(self, request: HttpRequest) -> HttpResponse:
        return admin_confirmations.import_view(self, request)

    def confirmations_confirm_view(self, request: HttpRequest) -> HttpResponse:
        return admin_confirmations.confirm_view(self, request)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {
            "can_import": admin_import.can_import(self, request),
            "can_import_confirmations": admin_confirmations.can_import(self, request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


@admin.register(Therapist)
class TherapistAdmin(SimpleHistoryAdmin):
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


@admin.register(StateRule)
class StateRuleAdmin(admin.ModelAdmin):
    """Filled by staff only, from a source they read; the search shows the source and date."""

    list_display = ("state", "status", "source_url", "checked_on")
    list_filter = ("status",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def clinic_desk_panel(request: HttpRequest) -> DeskPanel | None:
    """The desk's clinics line: imported clinics whose dry needling nobody has confirmed yet."""
    if not request.user.has_perm("clinics.view_clinic"):
        return None
    count = Clinic.objects.filter(dry_needling_unconfirmed=True).count()
    url = reverse("admin:clinics_clinic_changelist") + "?dry_needling_unconfirmed__exact=1"
    return DeskPanel(_("Clinics"), [DeskItem(_("clinics imported and not yet confirmed"), count, url)])
