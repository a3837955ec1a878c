"""Clinics where patients can see a physical therapist, the therapists, and the languages spoken."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import reduce
from operator import or_
from typing import overload
from urllib.parse import urlencode, urlsplit

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.text import slugify

from . import geo
from .validators import format_phone, validate_phone_digits, validate_web_address, validate_zip_code

PAGE_FETCH_CHUNK = 500


class Language(models.Model):
    """A language a clinic's staff can see patients in."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.slug = self.slug or slugify(self.name)
        super().save(*args, **kwargs)


class NearbyClinics(Sequence):
    """Clinics within a radius, nearest first, each with a `distance_miles` attribute.

    Holds only (distance, id) pairs; the rows of a slice are fetched with their therapists and
    languages when the slice is read. Django's Paginator reads len() and one slice, so a search
    costs one narrow query for every match plus one page of full rows, however many match.
    """

    def __init__(self, model: type[Clinic], ranked: list[tuple[float, int]]) -> None:
        self._model, self._ranked = model, ranked

    def __len__(self) -> int:
        return len(self._ranked)

    @overload
    def __getitem__(self, index: int) -> Clinic: ...
    @overload
    def __getitem__(self, index: slice) -> list[Clinic]: ...
    def __getitem__(self, index: int | slice) -> Clinic | list[Clinic]:
        if isinstance(index, slice):
            return self._fetch(self._ranked[index])
        return self._fetch([self._ranked[index]])[0]

    def __iter__(self) -> Iterator[Clinic]:
        for start in range(0, len(self._ranked), PAGE_FETCH_CHUNK):
            yield from self._fetch(self._ranked[start : start + PAGE_FETCH_CHUNK])

    def _fetch(self, ranked: list[tuple[float, int]]) -> list[Clinic]:
        rows = self._model.objects.filter(pk__in=[pk for _, pk in ranked]).for_listing().in_bulk()
        clinics = []
        for distance, pk in ranked:
            clinic = rows.get(pk)
            if clinic is not None:  # deleted since the search ran
                clinic.distance_miles = distance
                clinics.append(clinic)
        return clinics


class ClinicQuerySet(models.QuerySet):
    def offering_dry_needling(self) -> ClinicQuerySet:
        return self.filter(offers_dry_needling=True)

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
        new_patients: bool = False,
        language: Language | None = None,
        name: str = "",
    ) -> ClinicQuerySet:
        """Apply the search page's filters; each one left at its default keeps every clinic."""
        clinics = self
        if dry_needling:
            clinics = clinics.offering_dry_needling()
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
        return self.filter(longitudes, latitude__gte=box.min_latitude, latitude__lte=box.max_latitude)

    def near(self, latitude: float, longitude: float, miles: float) -> NearbyClinics:
        """Clinics within `miles` of a point, nearest first, with `distance_miles` set.

        The bounding box narrows the rows in SQL through the (latitude, longitude) index; the
        exact great-circle distance is then worked out in Python for those few candidates only
        (portable: SQLite has no trigonometry by default). Ends the chain: returns a sequence.
        """
        candidates = self.in_box(geo.bounding_box(latitude, longitude, miles)).values_list(
            "pk", "latitude", "longitude"
        )
        distance = geo.distance_miles
        ranked = []
        for pk, lat, lon in candidates.order_by():
            miles_away = distance(latitude, longitude, lat, lon)
            if miles_away <= miles:
                ranked.append((miles_away, pk))
        ranked.sort()
        return NearbyClinics(self.model, ranked)

    def for_listing(self) -> ClinicQuerySet:
        """What a results list or clinic page shows: therapists and languages in two queries."""
        return self.prefetch_related("therapists", "languages")


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
    is_sample = models.BooleanField(
        "sample listing",
        default=False,
        help_text="A fictional clinic that shows how the directory works. Labelled on every page.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Covers the search's bounding box and its two yes/no filters without reading rows.
            models.Index(
                fields=["latitude", "longitude", "offers_dry_needling", "accepting_new_patients"],
                name="clinic_location_idx",
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
            self.slug = unique_slug(f"{self.name} {self.city} {self.state}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clinics:detail", kwargs={"slug": self.slug})

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


def unique_slug(text: str, *, model: type[models.Model] | None = None, fallback: str = "clinic") -> str:
    """A slug for `text` no row of `model` (default Clinic) has yet: adds -2, -3 ... if needed."""
    base = slugify(text)[:150] or fallback
    model = model or Clinic
    existing = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in existing:
        number += 1
        slug = f"{base}-{number}"
    return slug


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

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="unique_therapist_per_clinic")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """ "Jane Doe, PT, DPT": the way therapists sign their name."""
        return ", ".join(filter(None, [self.name, self.credentials]))
