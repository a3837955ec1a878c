"""Read clinics from a CSV file: check every row first, then write all of them or none.

Row numbers are the spreadsheet's: the header is row 1, the first clinic row 2. A clinic is
known by its `slug` column, or else by its name, city and state, so importing the same file
again updates those clinics instead of adding copies.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from . import geo
from .models import Clinic, Language, Therapist, unique_slug
from .validators import normalise_phone, validate_web_address, validate_zip_code

REQUIRED_COLUMNS = (
    "name",
    "address",
    "city",
    "state",
    "zip",
    "phone",
    "website",
    "offers_dry_needling",
    "accepting_new_patients",
    "languages",
    "therapists",
)
OPTIONAL_COLUMNS = ("slug", "opening_hours", "latitude", "longitude", "is_sample")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
MAX_PROBLEMS_SHOWN = 100
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    """Why one row (or the file) cannot be imported."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"Row {self.row}: {self.column}: {self.message}"
            if self.column
            else f"Row {self.row}: {self.message}"
        )


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)


@dataclass(frozen=True)
class TherapistRow:
    name: str
    credentials: str


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError("write yes or no")


def _therapists(value: str) -> list[TherapistRow]:
    """ "Jane Doe, PT, DPT; Sam Roe, PT": a semicolon between people, the first comma after a name."""
    people = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        name, _, credentials = (s.strip() for s in part.partition(","))
        if not name:
            raise ValidationError(f"“{part}” has no name before the comma")
        if len(name) > 120 or len(credentials) > 60:
            raise ValidationError(f"“{part}” is too long (names up to 120 letters, credentials up to 60)")
        people.append(TherapistRow(name, credentials))
    names = [p.name.lower() for p in people]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"{duplicates[0]} is listed twice")
    return people


def _languages(value: str) -> list[str]:
    names = [" ".join(p.split()) for p in re.split(r"[;,]", value) if p.strip()]
    for name in names:
        if len(name) > 60:
            raise ValidationError(f"“{name[:20]}...” is too long for a language")
    return [name.title() if name.islower() else name for name in names]


class ClinicRow(forms.Form):
    """One CSV row. Field names are the column names; messages say what to fix."""

    name = forms.CharField(max_length=150)
    slug = forms.CharField(max_length=160, required=False)
    address = forms.CharField(max_length=200)
    city = forms.CharField(max_length=100)
    state = forms.CharField(max_length=20)
    zip = forms.CharField(max_length=10)
    phone = forms.CharField(max_length=30)
    website = forms.CharField(max_length=200, required=False)
    offers_dry_needling = forms.CharField(required=False)
    accepting_new_patients = forms.CharField(required=False)
    languages = forms.CharField(max_length=500, required=False)
    therapists = forms.CharField(max_length=5000, required=False)
    opening_hours = forms.CharField(max_length=500, required=False)
    latitude = forms.CharField(max_length=30, required=False)
    longitude = forms.CharField(max_length=30, required=False)
    is_sample = forms.CharField(required=False)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug and not _SLUG.match(slug):
            raise ValidationError("use lowercase letters, digits and single hyphens")
        return slug

    def clean_state(self) -> str:
        code = self.cleaned_data["state"].strip().upper()
        if code not in geo.State.values:
            raise ValidationError(
                f"“{self.cleaned_data['state']}” is not a US state code (use two letters, like OR)"
            )
        return code

    def clean_zip(self) -> str:
        zip5 = geo.normalise_zip(self.cleaned_data["zip"]) or self.cleaned_data["zip"]
        validate_zip_code(zip5)
        return zip5

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_website(self) -> str:
        website = self.cleaned_data["website"]
        if website:
            validate_web_address(website)
        return website

    def clean_offers_dry_needling(self) -> bool:
        return _yes_no(self.cleaned_data["offers_dry_needling"])

    def clean_accepting_new_patients(self) -> bool:
        return _yes_no(self.cleaned_data["accepting_new_patients"])

    def clean_is_sample(self) -> bool:
        return _yes_no(self.cleaned_data["is_sample"]) if self.cleaned_data["is_sample"] else False

    def clean_languages(self) -> list[str]:
        return _languages(self.cleaned_data["languages"])

    def clean_therapists(self) -> list[TherapistRow]:
        return _therapists(self.cleaned_data["therapists"])

    def clean_latitude(self) -> float | None:
        return _coordinate(self.cleaned_data["latitude"], 90)

    def clean_longitude(self) -> float | None:
        return _coordinate(self.cleaned_data["longitude"], 180)

    def clean(self) -> dict:
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            (lat is None) != (lon is None)
            and "latitude" not in self.errors
            and "longitude" not in self.errors
        ):
            self.add_error("latitude", "give both latitude and longitude, or neither")
        zip_code, state = cleaned.get("zip"), cleaned.get("state")
        if lat is None and zip_code and state:
            place = geo.zip_place(zip_code)
            if place and place.state != state:
                self.add_error("zip", f"{zip_code} is in {place.state}, not {state}; check the ZIP and state")
        if cleaned.get("name") and cleaned.get("city") and state and not cleaned.get("slug"):
            cleaned["slug"] = slugify(f"{cleaned['name']} {cleaned['city']} {state}")[:160]
        return cleaned


def _coordinate(text: str, limit: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError("must be a number such as 45.5078") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ValidationError(f"must be between -{limit} and {limit}")
    return value


def _header(names: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [name.strip().lower().replace(" ", "_") for name in names]
    problems = [
        Problem(1, c, "is not a known column (see README, Find a PT)")
        for c in columns
        if c and c not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    ]
    problems += [Problem(1, c, "column is missing") for c in REQUIRED_COLUMNS if c not in columns]
    return columns, problems


def read_rows(path: Path, *, progress: Progress | None = None, progress_every: int = 1000) -> list[dict]:
    """Every row of the file, checked; raises ImportFailed listing each problem with its row."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise ImportFailed([Problem(1, "", "the file is not UTF-8 text (save it as “CSV UTF-8”)")]) from None
    except csv.Error as error:
        raise ImportFailed([Problem(1, "", f"the file cannot be read as CSV ({error})")]) from None
    if not records:
        raise ImportFailed([Problem(1, "", "the file is empty")])
    columns, problems = _header(records[0])
    if problems:
        raise ImportFailed(problems)

    rows: list[dict] = []
    seen: dict[str, int] = {}
    data_rows = records[1:]
    for index, values in enumerate(data_rows, start=2):
        if progress and (index - 1) % progress_every == 0:
            progress("checked", index - 1, len(data_rows))
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) != len(columns):
            problems.append(
                Problem(index, "", f"has {len(values)} values but the header has {len(columns)} columns")
            )
            continue
        form = ClinicRow(dict(zip(columns, (v.strip() for v in values), strict=True)))
        if not form.is_valid():
            problems += [Problem(index, column, " ".join(errors)) for column, errors in form.errors.items()]
            continue
        slug = form.cleaned_data["slug"]
        if slug in seen:
            problems.append(Problem(index, "name", f"the same clinic as row {seen[slug]} (same slug {slug})"))
            continue
        seen[slug] = index
        rows.append({**form.cleaned_data, "row": index})
    if problems:
        raise ImportFailed(problems)
    if not rows:
        raise ImportFailed([Problem(2, "", "the file has no clinics in it")])
    return rows


def _language(name: str, cache: dict[str, Language]) -> Language:
    key = name.lower()
    if key not in cache:
        language = Language.objects.filter(name__iexact=name).first()
        cache[key] = language or Language.objects.create(
            name=name, slug=unique_slug(name, model=Language, fallback="language")
        )
    return cache[key]


def _save(row: dict, clinic: Clinic, languages: dict[str, Language]) -> None:
    clinic.name, clinic.slug, clinic.address, clinic.city = (
        row["name"],
        row["slug"],
        row["address"],
        row["city"],
    )
    clinic.state, clinic.zip_code, clinic.phone, clinic.website = (
        row["state"],
        row["zip"],
        row["phone"],
        row["website"],
    )
    clinic.offers_dry_needling = row["offers_dry_needling"]
    clinic.accepting_new_patients = row["accepting_new_patients"]
    clinic.opening_hours, clinic.is_sample = row["opening_hours"], row["is_sample"]
    # No coordinates in the file: save() places the clinic at its (perhaps new) ZIP.
    clinic.latitude, clinic.longitude = row["latitude"], row["longitude"]
    clinic.save()
    clinic.languages.set([_language(name, languages) for name in row["languages"]])

    # The file says who works there; people still listed keep what staff added in the admin.
    current = {t.name.lower(): t for t in clinic.therapists.all()}
    for person in row["therapists"]:
        therapist = current.get(person.name.lower()) or Therapist(clinic=clinic)
        if (therapist.name, therapist.credentials) != (person.name, person.credentials):
            therapist.name, therapist.credentials = person.name, person.credentials
            therapist.save()
    clinic.therapists.exclude(name__in=[person.name for person in row["therapists"]]).delete()


@transaction.atomic
def import_clinics(
    path: Path, *, dry_run: bool = False, progress: Progress | None = None, progress_every: int = 1000
) -> ImportReport:
    """Check every row of a clinics CSV, then create or update each clinic in one transaction.

    Raises ImportFailed (and writes nothing) if any row has a problem.
    """
    rows = read_rows(path, progress=progress, progress_every=progress_every)
    existing = dict(Clinic.objects.values_list("slug", "pk"))
    languages: dict[str, Language] = {}
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        pk = existing.get(row["slug"])
        clinic = Clinic.objects.get(pk=pk) if pk else Clinic()
        _save(row, clinic, languages)
        (report.updated if pk else report.created).append(row["slug"])
        if progress and number % progress_every == 0:
            progress("saved", number, len(rows))
    if dry_run:
        transaction.set_rollback(True)
    return report
