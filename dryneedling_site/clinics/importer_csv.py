"""Reading and checking a clinics CSV: every row, every column, before anything is compared.

CSV row numbers are the spreadsheet's: the header is row 1, the first clinic row 2. A clinic is
known by its `slug` column, or else by its name, city and state (the slug made from them).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Iterator
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
    return list(iter_csv(path))


def iter_csv(path: Path) -> Iterator[CsvRow]:
    """read_csv's rows one at a time, read from the file as they are needed (a national file
    never held whole). Raises ImportFailed as read_csv does, when the fault is reached."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ImportFailed([Problem(1, "", "the file is empty")])
            columns, problems = _header(header)
            if problems:
                raise ImportFailed(problems)
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue  # a blank line
                if len(values) != len(columns):
                    problem = f"has {len(values)} values but the header has {len(columns)} columns"
                    yield (number, None, problem)
                elif bad := next(
                    ((c, m) for c, v in zip(columns, values, strict=True) if (m := control_character(v))),
                    None,
                ):
                    yield (number, None, f"{bad[0]}: {bad[1]}")
                else:
                    yield (number, dict(zip(columns, (v.strip() for v in values), strict=True)), "")
        except UnicodeDecodeError:
            raise ImportFailed(
                [Problem(1, "", "the file is not UTF-8 text (save it as “CSV UTF-8”)")]
            ) from None
        except csv.Error as error:
            raise ImportFailed([Problem(1, "", f"the file cannot be read as CSV ({error})")]) from None


def count_rows(path: Path) -> int:
    """How many rows iter_csv will give at most (for "checked 1,000 of 300,000"), in one quick
    pass that keeps nothing; 0 if the file cannot be read (the real pass says why)."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            return max(sum(1 for values in csv.reader(handle) if any(v.strip() for v in values)) - 1, 0)
    except (UnicodeDecodeError, csv.Error):
        return 0


class _Checker:
    """Checks rows one at a time, remembering each slug's row to refuse a clinic listed twice."""

    def __init__(self) -> None:
        self.places = geo.zip_centres()
        self.seen: dict[str, int] = {}

    def check(
        self, number: int, values: dict[str, str] | None, problem: str
    ) -> PlannedClinic | list[Problem]:
        if values is None:
            return [Problem(number, "", problem)]
        data, errors = check_row(values, self.places)
        if errors:
            return [Problem(number, column, " ".join(messages)) for column, messages in errors.items()]
        slug = data["slug"]
        if slug in self.seen:
            return [Problem(number, "name", f"the same clinic as row {self.seen[slug]} (same slug {slug})")]
        self.seen[slug] = number
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
        return PlannedClinic(number, slug, values, data["languages"], data["therapists"], slug=slug)


def check_rows(
    rows: list[CsvRow],
    *,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> tuple[list[PlannedClinic], list[Problem]]:
    """Every CSV row checked and placed on the map: (clinics as the file has them, problems)."""
    planned: list[PlannedClinic] = []
    problems: list[Problem] = []
    for batch in checked_batches(
        rows, problems, total=len(rows), progress=progress, progress_every=progress_every
    ):
        planned += batch
    return planned, problems


def checked_batches(
    rows: Iterable[CsvRow],
    problems: list[Problem],
    *,
    size: int = 2000,
    total: int = 0,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> Iterator[list[PlannedClinic]]:
    """The checked clinics, `size` at a time, as the rows are read; each row's problems are
    added to `problems` (which also says when the file has no clinics at all)."""
    checker = _Checker()
    batch: list[PlannedClinic] = []
    count = 0
    for count, (number, values, problem) in enumerate(rows, start=1):
        if progress and count % progress_every == 0:
            progress("checked", count, total)
        checked = checker.check(number, values, problem)
        if isinstance(checked, list):
            problems += checked
            continue
        batch.append(checked)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
    if not count:
        problems.append(Problem(2, "", "the file has no clinics in it"))
