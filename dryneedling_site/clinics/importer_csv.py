"""Reading and checking a clinics CSV: every row, every column, before anything is compared.

CSV row numbers are the spreadsheet's: the header is row 1, the first clinic row 2. A clinic is
known by its `slug` column, or else by its name, city and state (the slug made from them).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from . import geo
from .cells import control_character, header_problems
from .importer_plan import ImportFailed, PlannedClinic, Problem, Progress, TherapistRow
from .models import clinic_slug_text
from .validators import normalise_phone, validate_ascii, validate_web_address

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
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


def _coordinate(text: str, limit: float) -> float | None:
    if not text.strip():
        return None
    validate_ascii(text)  # float() would read Arabic-Indic or full-width digits
    try:
        value = float(text)
    except ValueError:
        raise ValidationError("must be a number such as 45.5078") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ValidationError(f"must be between -{limit} and {limit}")
    return value


def _slug(text: str, places: dict) -> str:
    if text and not _SLUG.match(text):
        raise ValidationError("use lowercase letters, digits and single hyphens")
    return text


def _state(text: str, places: dict) -> str:
    code = text.strip().upper()
    if code not in _STATES:
        raise ValidationError(f"“{text}” is not a US state code (use two letters, like OR)")
    return code


def _zip(text: str, places: dict) -> str:
    validate_ascii(text)  # before any lookup: the zipcodes extension panics on "٩٧٢٠١"
    zip5 = geo.normalise_zip(text)
    if zip5 is None:
        raise ValidationError("Use a 5-digit ZIP code, like 97201.")
    if zip5 not in places:
        raise ValidationError(f"{zip5} is not a ZIP code we know.")
    return zip5


def _website(text: str, places: dict) -> str:
    if text:
        validate_web_address(text)
    return text


# Column -> (most characters, required, check). The checks take the text and the ZIP table and
# return the value to store, or raise ValidationError with what to fix. A plain loop rather
# than a Django form a row: building a form costs about half a millisecond, minutes at 300,000.
_COLUMN_RULES: dict[str, tuple[int | None, bool, Callable[[str, dict], object] | None]] = {
    "name": (150, True, None),
    "slug": (160, False, _slug),
    "address": (200, True, None),
    "city": (100, True, None),
    "state": (20, True, _state),
    "zip": (10, True, _zip),
    "phone": (30, True, lambda text, _: normalise_phone(text)),
    "website": (200, False, _website),
    "offers_dry_needling": (None, False, lambda text, _: _yes_no(text)),
    "accepting_new_patients": (None, False, lambda text, _: _yes_no(text)),
    "languages": (500, False, lambda text, _: _languages(text)),
    "therapists": (5000, False, lambda text, _: _therapists(text)),
    "opening_hours": (500, False, None),
    "latitude": (30, False, lambda text, _: _coordinate(text, 90)),
    "longitude": (30, False, lambda text, _: _coordinate(text, 180)),
    "is_sample": (None, False, lambda text, _: _yes_no(text) if text else False),
}
_STATES = frozenset(geo.State.values)


def check_row(
    row: dict[str, str], places: dict[str, tuple[float, float, str]]
) -> tuple[dict, dict[str, list[str]]]:
    """One CSV row (column -> stripped text) checked: (values, errors by column).

    Without coordinates the clinic sits at its ZIP's centre, and the ZIP must be in the state.
    """
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for column, (limit, required, check) in _COLUMN_RULES.items():
        text = row.get(column, "")
        if required and not text:
            errors[column] = ["This field is required."]
        elif limit is not None and len(text) > limit:
            errors[column] = [f"Ensure this value has at most {limit} characters (it has {len(text)})."]
        elif check is None:
            data[column] = text
        else:
            try:
                data[column] = check(text, places)
            except ValidationError as error:
                errors[column] = list(error.messages)
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = ["give both latitude and longitude, or neither"]
    zip_code, state = data.get("zip"), data.get("state")
    if lat is None and zip_code and state:
        zip_lat, zip_lon, zip_state = places[zip_code]
        if zip_state != state:
            errors.setdefault("zip", []).append(
                f"{zip_code} is in {zip_state}, not {state}; check the ZIP and state"
            )
        data["latitude"], data["longitude"] = zip_lat, zip_lon
    if data.get("name") and data.get("city") and state and not data.get("slug"):
        data["slug"] = slugify(clinic_slug_text(data["name"], data["city"], state))[:160]
    return data, errors


def _header(names: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [name.strip().lower().replace(" ", "_") for name in names]
    problems = [
        Problem(1, c, "is not a known column (see docs/find-a-pt.md)")
        for c in columns
        if c and c not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    ]
    problems += [Problem(1, c, "column is missing") for c in REQUIRED_COLUMNS if c not in columns]
    problems += [Problem(1, c, message) for c, message in header_problems(columns)]
    problems += [Problem(1, "", f"the header {m}") for name in names if (m := control_character(name))]
    return columns, problems


CsvRow = tuple[int, dict[str, str] | None, str]


def read_csv(path: Path) -> list[CsvRow]:
    """The file's rows as (row number, column -> text, problem); raises ImportFailed for a file
    that cannot be read or has wrong columns. A row with the wrong number of values comes back
    as (number, None, what is wrong), so it is reported with the others."""
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
    rows: list[CsvRow] = []
    for number, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) != len(columns):
            problem = f"has {len(values)} values but the header has {len(columns)} columns"
            rows.append((number, None, problem))
        elif bad := next(
            ((c, m) for c, v in zip(columns, values, strict=True) if (m := control_character(v))), None
        ):
            rows.append((number, None, f"{bad[0]}: {bad[1]}"))
        else:
            rows.append((number, dict(zip(columns, (v.strip() for v in values), strict=True)), ""))
    return rows


def check_rows(
    rows: list[CsvRow],
    *,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> tuple[list[PlannedClinic], list[Problem]]:
    """Every CSV row checked and placed on the map: (clinics as the file has them, problems)."""
    places = geo.zip_centres()
    planned: list[PlannedClinic] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for count, (number, values, problem) in enumerate(rows, start=1):
        if progress and count % progress_every == 0:
            progress("checked", count, len(rows))
        if values is None:
            problems.append(Problem(number, "", problem))
            continue
        data, errors = check_row(values, places)
        if errors:
            problems += [Problem(number, column, " ".join(messages)) for column, messages in errors.items()]
            continue
        slug = data["slug"]
        if slug in seen:
            problems.append(
                Problem(number, "name", f"the same clinic as row {seen[slug]} (same slug {slug})")
            )
            continue
        seen[slug] = number
        values = {
            "name": data["name"],
            "address": data["address"],
            "city": data["city"],
            "state": data["state"],
            "zip_code": data["zip"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "phone": data["phone"],
            "website": data["website"],
            "opening_hours": data["opening_hours"],
            "accepting_new_patients": data["accepting_new_patients"],
            "offers_dry_needling": data["offers_dry_needling"],
            "is_sample": data["is_sample"],
        }
        planned.append(PlannedClinic(number, slug, values, data["languages"], data["therapists"], slug=slug))
    if not rows:
        problems.append(Problem(2, "", "the file has no clinics in it"))
    return planned, problems
