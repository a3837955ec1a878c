"""Clinics where patients can see a physical therapist, the therapists, and the languages spoken."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import geo
from ..validators import format_phone, validate_phone_digits, validate_web_address, validate_zip_code

if TYPE_CHECKING:
    from ..search import NearbyClinics

BANDS_PER_DEGREE = 10

# Fields an import may write, and that staff edits in the admin protect from a re-import.
IMPORTED_FIELDS = (
    "name",
    "address",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
    "phone",
    "website",
    "opening_hours",
    "accepting_new_patients",
    "offers_dry_needling",
    "dry_needling_unconfirmed",
    "multi_specialty",
    "is_sample",
    "languages",
    "npi",
    "source_date",
    "retired_on",
)


class LanguageQuerySet(models.QuerySet):
    def spoken_at_a_clinic(self) -> LanguageQuerySet:
        """Languages some clinic speaks: one index probe a language, not a DISTINCT over every
        clinic-language link (which took tens of milliseconds a search at 300,000 clinics)."""
        links = Clinic.languages.through.objects.filter(language_id=OuterRef("pk"))
        return self.filter(Exists(links))


class Language(models.Model):
    """A language a clinic's staff can see patients in."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    objects = LanguageQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.slug = self.slug or slugify(self.name)
        super().save(*args, **kwargs)


class ClinicQuerySet(models.QuerySet):
    def listed(self) -> ClinicQuerySet:
        """Clinics patients can find: not retired (a clinic that left the registry stays stored)."""
        return self.filter(retired_on__isnull=True)

    def offering_dry_needling(self, *, may_offer: bool = False) -> ClinicQuerySet:
        """Clinics that say they offer dry needling; with `may_offer`, also those not yet asked."""
        if may_offer:
            return self.filter(Q(offers_dry_needling=True) | Q(dry_needling_unconfirmed=True))
        return self.filter(offers_dry_needling=True)

    def may_offer_dry_needling(self) -> ClinicQuerySet:
        """Clinics nobody has asked yet (the registry's): they may offer it, patients should ask."""
        return self.filter(offers_dry_needling=False, dry_needling_unconfirmed=True)

    def accepting_new_patients(self) -> ClinicQuerySet:
        return self.filter(accepting_new_patients=True)

    def speaking(self, language: Language) -> ClinicQuerySet:
        return self.filter(languages=language)

    def named(self, text: str) -> ClinicQuerySet:
        """Clinics whose name, or one of whose therapists' names, contains `text` (any case).

        A subquery rather than a join, so a clinic with two matching therapists appears once.
        """
        therapist = Therapist.objects.filter(clinic=OuterRef("pk"), name__icontains=text)
        return self.filter(Q(name__icontains=text) | Exists(therapist))

    def matching(
        self,
        *,
        dry_needling: bool = True,
        may_offer: bool = False,
        new_patients: bool = False,
        language: Language | None = None,
        name: str = "",
    ) -> ClinicQuerySet:
        """Apply the search page's filters to the listed clinics; a filter at its default keeps all."""
        clinics = self.listed()
        if dry_needling:
            clinics = clinics.offering_dry_needling(may_offer=may_offer)
        if new_patients:
            clinics = clinics.accepting_new_patients()
        if language is not None:
            clinics = clinics.speaking(language)
        if name:
            clinics = clinics.named(name)
        return clinics

    def in_box(self, box: geo.BoundingBox) -> ClinicQuerySet:
        """Clinics inside a latitude/longitude box: range conditions the location index serves."""
        longitudes = reduce(
            or_, (Q(longitude__gte=west, longitude__lte=east) for west, east in box.longitudes)
        )
        bands = range(
            math.floor(box.min_latitude * BANDS_PER_DEGREE),
            math.floor(box.max_latitude * BANDS_PER_DEGREE) + 1,
        )
        return self.filter(
            longitudes,
            latitude_band__in=bands,
            latitude__gte=box.min_latitude,
            latitude__lte=box.max_latitude,
        )

    def near(self, latitude: float, longitude: float, miles: float) -> NearbyClinics:
        """Clinics within `miles` of a point, nearest first, each with `distance_miles` set.

        All in SQL: the bounding box uses the (latitude, longitude, ...) index, then the
        great-circle distance is worked out for the candidates with the database's own
        trigonometry (PostgreSQL; SQLite 3.35+, or the functions Django registers on older
        builds). Ends the chain: returns a sequence for Django's Paginator, which asks for the
        count and one slice, so only one page of full rows is ever read.
        """
        from ..search import NearbyClinics  # the search module builds on this queryset

        return NearbyClinics(self, latitude, longitude, miles)

    def for_listing(self) -> ClinicQuerySet:
        """What a results list or clinic page shows: therapists and languages in two queries."""
        return self.prefetch_related("therapists", "languages")


class ConfirmedBy(models.TextChoices):
    CLINIC = "clinic", _("the clinic")
    MEMBER_LIST = "member_list", _("a professional association's member list")


class Clinic(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=160,
        unique=True,
        help_text="The page's web address, e.g. riverside-pt-portland-or. Lowercase, hyphens.",
    )
    address = models.CharField(
        "street address", max_length=200, help_text="For example: 1200 Main St, Suite 4"
    )
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=geo.State.choices)
    zip_code = models.CharField("ZIP code", max_length=5, validators=[validate_zip_code])
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Leave empty to use the centre of the ZIP code.",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Leave empty to use the centre of the ZIP code.",
    )
    phone = models.CharField(
        max_length=10, validators=[validate_phone_digits], help_text="10 digits, e.g. (503) 555-0123."
    )
    website = models.URLField(blank=True, validators=[validate_web_address])
    accepting_new_patients = models.BooleanField(default=True)
    offers_dry_needling = models.BooleanField(default=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="clinics")
    opening_hours = models.TextField(
        blank=True, help_text="As patients should read it, e.g. Mon-Fri 8am-6pm."
    )
    dry_needling_unconfirmed = models.BooleanField(
        "dry needling not yet confirmed",
        default=False,
        help_text="Imported from the NPI registry, which does not say: patients are told to ask. "
        "Untick once you have asked the clinic.",
    )
    multi_specialty = models.BooleanField(
        "also offers physical therapy",
        default=False,
        help_text="The registry lists this organization for other care first, physical therapy too.",
    )
    dry_needling_confirmed_on = models.DateField(
        "dry needling confirmed on",
        null=True,
        blank=True,
        help_text="When the clinic (or an association's member list) confirmed it offers dry needling.",
    )
    dry_needling_confirmed_by = models.CharField(
        "confirmed by", max_length=12, choices=ConfirmedBy.choices, blank=True
    )
    retired_on = models.DateField(
        "left the registry on",
        null=True,
        blank=True,
        help_text="Set by the NPI registry import when the clinic is no longer listed: hidden from "
        "search, kept with its staff edits, and listed again if it comes back.",
    )
    npi = models.CharField(
        "NPI", max_length=10, blank=True, help_text="The organization's National Provider Identifier."
    )
    source_key = models.CharField(
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="How the NPI registry import knows this clinic again (an NPI or an address).",
    )
    source_date = models.DateField(
        "registry file date", null=True, blank=True, help_text="The NPI registry file it came from."
    )
    staff_edited_fields = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Fields staff changed in the admin: imports leave them alone.",
    )
    is_sample = models.BooleanField(
        "sample listing",
        default=False,
        help_text="A fictional clinic that shows how the directory works. Labelled on every page.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # A 0.1-degree (about 7-mile) strip of latitude, kept by the database itself. The location
    # index starts with it, so a search seeks each strip straight to its longitude range,
    # instead of reading a whole coast-to-coast band of latitude (slow at 300,000 clinics).
    latitude_band = models.GeneratedField(
        expression=Cast(Floor(F("latitude") * BANDS_PER_DEGREE), models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    objects = ClinicQuerySet.as_manager()
    # Admin saves record a version (restorable); bulk imports write raw SQL and record none.
    # The generated latitude band is the database's to compute, so it is not versioned.
    history = HistoricalRecords(excluded_fields=["latitude_band"])

    class Meta:
        ordering = ["name"]
        indexes = [
            # Covers the search's bounding box and its two yes/no filters without reading rows.
            models.Index(
                fields=[
                    "latitude_band",
                    "longitude",
                    "latitude",
                    "offers_dry_needling",
                    "dry_needling_unconfirmed",
                    "accepting_new_patients",
                    "retired_on",
                    "id",  # PostgreSQL answers from the index alone only if it holds the key
                ],
                name="clinic_location_idx",
            ),
            # The same for the clinics that offer dry needling only (one in twenty after a
            # registry import): the default search's first group reads its few entries in a
            # city instead of every clinic's. Both databases pick it for that group by itself.
            models.Index(
                fields=["latitude_band", "longitude", "latitude", "accepting_new_patients", "id"],
                condition=Q(offers_dry_needling=True, retired_on__isnull=True),
                name="clinic_offers_location_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"

    def save(self, *args, **kwargs) -> None:
        """Place the clinic at its ZIP's centre when no coordinates are given; make a slug."""
        if self.latitude is None or self.longitude is None:
            place = geo.zip_place(self.zip_code)
            if place is not None:
                self.latitude, self.longitude = place.latitude, place.longitude
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "latitude", "longitude"}
        if not self.slug:
            self.slug = unique_slug(clinic_slug_text(self.name, self.city, self.state))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clinics:detail", kwargs={"slug": self.slug})

    @property
    def new_patients_known(self) -> bool:
        """False for an NPI registry clinic staff have not checked: the registry does not say."""
        return not self.source_key or "accepting_new_patients" in (self.staff_edited_fields or ())

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def phone_uri(self) -> str:
        return f"tel:+1{self.phone}"

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.city}, {self.state} {self.zip_code}"

    @property
    def directions_url(self) -> str:
        """A maps search for the address: a link the patient may follow, not a request we make."""
        return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": self.full_address})

    @property
    def website_link(self) -> str:
        """The website, only if it is an http(s) address (a second wall behind validation)."""
        return self.website if self.website.lower().startswith(("https://", "http://")) else ""

    @property
    def website_label(self) -> str:
        """The site's host without "www.", shorter to read than the full address."""
        host = urlsplit(self.website).hostname or self.website
        return host.removeprefix("www.")

    @property
    def confirmation_is_stale(self) -> bool:
        """A confirmation older than CLINIC_CONFIRMATION_STALE_DAYS: shown as "ask to be sure"."""
        if self.dry_needling_confirmed_on is None:
            return False
        days = getattr(settings, "CLINIC_CONFIRMATION_STALE_DAYS", 365)
        return (timezone.localdate() - self.dry_needling_confirmed_on).days > days

    @property
    def shows_confirmation(self) -> bool:
        """The stamp holds only while the listing still says yes to dry needling."""
        return bool(self.offers_dry_needling and self.dry_needling_confirmed_on)


def clinic_slug_text(name: str, city: str, state: str) -> str:
    """What a clinic's slug is made from: its name, city and state, plus a short fingerprint of the
    name when slugify() would drop some of its letters (Chinese, Cyrillic, Arabic...), so two
    clinics with non-Latin names in one city get different, stable slugs."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    kept = sum(ch.isalnum() for ch in ascii_name)
    letters = sum(ch.isalnum() for ch in name)
    text = f"{name} {city} {state}"
    if kept < letters:
        text += " " + hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:6]
    return text


def free_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` ... the first that is not in `taken`."""
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def unique_slug(text: str) -> str:
    """A slug for `text` no clinic has yet: adds -2, -3 ... if needed."""
    base = slugify(text)[:150] or "clinic"
    return free_slug(base, set(Clinic.objects.filter(slug__startswith=base).values_list("slug", flat=True)))


class Therapist(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="therapists")
    name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=60, blank=True, help_text="For example: PT, DPT")
    dry_needling_training = models.CharField(
        max_length=200, blank=True, help_text="Course and hours, e.g. Level 1 and 2, 54 hours."
    )
    specialties = models.CharField(
        max_length=200, blank=True, help_text="For example: sports injuries, neck and back pain."
    )
    npi = models.CharField("NPI", max_length=10, blank=True, help_text="From the NPI registry import.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="unique_therapist_per_clinic")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """ "Jane Doe, PT, DPT": the way therapists sign their name."""
        return ", ".join(filter(None, [self.name, self.credentials]))
