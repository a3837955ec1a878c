"""Offline US geography for Find a PT: ZIP and city lookup, bounding boxes, distance.

Everything comes from the ``zipcodes`` package, which ships its data, so a search never calls
a geocoding service. A migration copies its ZIP and city centres into two indexed tables
(`load_places`), so a lookup is one indexed query and no worker holds the data in memory (the
package itself is only imported to load them). Its records hold latitude and longitude as
strings, and its Rust extension panics on non-ASCII digits: only ASCII `[0-9]{5}` ever reaches
a lookup.

The ZIP and city tables' models are looked up in the app registry, not imported: the models
import this module (for the State choices), and an import back would make a circle.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

EARTH_RADIUS_MILES = 3958.8  # mean radius
MILES_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_MILES / 180

_ZIP = re.compile(r"([0-9]{5})(?:-?[0-9]{4})?")
_DIGITS = re.compile(r"[\d\s-]+")  # any script's digits: "a ZIP has 5 digits", not a 500
# The data spells these words out ("Saint Louis", "Fort Worth"); patients often abbreviate.
_FIRST_WORD = {"ST": "SAINT", "FT": "FORT", "MT": "MOUNT"}


class State(models.TextChoices):
    """US states, DC and the territories with civilian ZIP codes."""

    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AS = "AS", "American Samoa"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    GU = "GU", "Guam"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    MP = "MP", "Northern Mariana Islands"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    PR = "PR", "Puerto Rico"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    VI = "VI", "U.S. Virgin Islands"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"


_STATE_BY_NAME = {label.upper(): code for code, label in State.choices}


@dataclass(frozen=True)
class Place:
    """A point a search starts from, with the name the patient sees ("Portland, OR")."""

    label: str
    latitude: float
    longitude: float
    state: str = ""


class LocationError(ValueError):
    """Text that names no place we know. `choices` holds places the patient may have meant."""

    def __init__(self, message: str, choices: tuple[Place, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.choices = message, choices


@dataclass(frozen=True)
class BoundingBox:
    """Latitude and longitude ranges that contain every point within a radius.

    `longitudes` holds two ranges when the circle crosses the 180th meridian (western Alaska).
    """

    min_latitude: float
    max_latitude: float
    longitudes: tuple[tuple[float, float], ...]


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine), latitude first."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, miles: float) -> BoundingBox:
    """The smallest latitude/longitude box around a circle on the sphere, for an indexed prefilter.

    Longitude half-width is asin(sin(r) / cos(lat)), the circle's true widest point (a little
    poleward of its centre), so no clinic inside the radius falls outside the box.
    """
    angle = miles / EARTH_RADIUS_MILES
    delta_lat = math.degrees(angle)
    min_lat, max_lat = latitude - delta_lat, latitude + delta_lat
    if max_lat >= 90 or min_lat <= -90 or math.sin(angle) >= math.cos(math.radians(latitude)):
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), ((-180.0, 180.0),))
    delta_lon = math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(latitude))))
    west, east = longitude - delta_lon, longitude + delta_lon
    if west < -180:
        ranges: tuple[tuple[float, float], ...] = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(min_lat, max_lat, ranges)


def _usable(record: dict) -> bool:
    """Active ZIPs with real coordinates (military APO/FPO codes sit at 0, 0)."""
    if not record["active"] or record["zip_code_type"] == "MILITARY":
        return False
    return float(record["lat"]) != 0.0 and float(record["long"]) != 0.0


def normalise_zip(text: str) -> str | None:
    """The 5-digit ZIP in "97201" or a ZIP+4 "97201-1234", else None."""
    match = _ZIP.fullmatch(text.strip())
    return match.group(1) if match else None


def zip_place(zip_code: str) -> Place | None:
    """Where a ZIP code is (the centre the data gives), or None for an unknown or retired ZIP."""
    zips = apps.get_model("clinics", "ZipCode")._default_manager
    zip5 = normalise_zip(zip_code)
    if zip5 is None:
        return None
    row = zips.filter(zip_code=zip5).values_list("city", "state", "latitude", "longitude").first()
    if row is None:
        return None
    city, state, lat, lon = row
    return Place(f"{zip5} ({city}, {state})", lat, lon, state)


def zip_centres() -> dict[str, tuple[float, float, str]]:
    """Every ZIP -> (latitude, longitude, state) in one query, for imports that place many rows."""
    zips = apps.get_model("clinics", "ZipCode")._default_manager
    return {
        z: (lat, lon, st)
        for z, lat, lon, st in zips.values_list("zip_code", "latitude", "longitude", "state")
    }


def city_key(city: str) -> str:
    """How we compare city names: case, dots, hyphens, spaces and "St"/"Saint" do not matter."""
    words = re.sub(r"[.'’]", "", city).replace("-", " ").upper().split()
    if words and words[0] in _FIRST_WORD:
        words[0] = _FIRST_WORD[words[0]]
    return " ".join(words)


def load_places(zip_model: type[models.Model], city_model: type[models.Model]) -> tuple[int, int]:
    """Fill the ZIP and city tables from the zipcodes package (run by a migration); returns counts.

    A city's centre is the mean of its standard (street-delivery) ZIPs; a town that only has
    PO box ZIPs falls back to those.
    """
    import zipcodes

    zips: dict[str, dict] = {}
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in zipcodes.list_all():
        if _usable(record) and record["state"] in State.values:
            zips.setdefault(record["zip_code"], record)
            groups[(city_key(record["city"]), record["state"])].append(record)
    zip_model._default_manager.all().delete()
    city_model._default_manager.all().delete()
    zip_model._default_manager.bulk_create(
        zip_model(
            zip_code=code,
            city=r["city"],
            state=r["state"],
            latitude=float(r["lat"]),
            longitude=float(r["long"]),
        )
        for code, r in sorted(zips.items())
    )
    cities = []
    for (key, state), records in sorted(groups.items()):
        chosen = [r for r in records if r["zip_code_type"] == "STANDARD"] or records
        lat = sum(float(r["lat"]) for r in chosen) / len(chosen)
        lon = sum(float(r["long"]) for r in chosen) / len(chosen)
        cities.append(
            city_model(
                key=f"{key}|{state}",
                city_key=key,
                state=state,
                label=f"{chosen[0]['city']}, {state}",
                latitude=round(lat, 4),
                longitude=round(lon, 4),
            )
        )
    city_model._default_manager.bulk_create(cities)
    return len(zips), len(cities)


def _city(row: tuple[str, str, float, float]) -> Place:
    label, state, lat, lon = row
    return Place(label, lat, lon, state)


_CITY_COLUMNS = ("label", "state", "latitude", "longitude")


def city_place(city: str, state: str) -> Place | None:
    """The centre of a city's ZIP codes ("Portland", "OR"), or None if the state has no such city."""
    centres = apps.get_model("clinics", "CityCentre")._default_manager
    row = centres.filter(key=f"{city_key(city)}|{state.upper()}").values_list(*_CITY_COLUMNS).first()
    return _city(row) if row else None


def places_named(city: str) -> tuple[Place, ...]:
    """Every place with this city name, in state-code order ("Springfield, IL", "... MA", ...)."""
    centres = apps.get_model("clinics", "CityCentre")._default_manager
    rows = centres.filter(city_key=city_key(city)).order_by("state").values_list(*_CITY_COLUMNS)
    return tuple(_city(row) for row in rows)


def state_code(text: str) -> str | None:
    """ "or", "OR" or "Oregon" -> "OR"; None if it is not a US state or territory."""
    text = text.strip().replace(".", "").upper()
    if text in State.values:
        return text
    return _STATE_BY_NAME.get(text)


def _split_state(text: str) -> tuple[str, str | None]:
    """ "Portland, OR" -> ("Portland", "OR"); "Portland OR" too when OR has a Portland."""
    if "," in text:
        city, _, state = text.rpartition(",")
        return city.strip(), state.strip() or None
    city, _, last = text.rpartition(" ")
    code = state_code(last) if len(last) == 2 else None
    if city and code and city_place(city, code):
        return city, code
    return text, None


def locate(text: str) -> Place:
    """Turn what a patient typed (a ZIP code, "City, ST" or a city) into a Place.

    Raises LocationError with a plain-language message; for a city in several states the error
    carries those places as choices, so the page can offer "Springfield, IL / MA / MO ...".
    A ZIP+4 is accepted as its 5-digit ZIP.
    """
    text = " ".join(text.split())
    if not text:
        raise LocationError(_("Type a ZIP code, or a city and state such as Portland, OR."))
    zip5 = normalise_zip(text)
    if zip5:
        place = zip_place(zip5)
        if place is None:
            raise LocationError(
                _(
                    "We could not find the ZIP code {zip}. Check the number, or type your city and state."
                ).format(zip=zip5)
            )
        return place
    if _DIGITS.fullmatch(text):
        raise LocationError(_("A ZIP code has 5 digits, like 97201."))

    city, state_text = _split_state(text)
    if state_text is not None:
        code = state_code(state_text)
        if code is None:
            raise LocationError(
                _("“{state}” is not a US state. Use its two-letter code, like OR for Oregon.").format(
                    state=state_text
                )
            )
        place = city_place(city, code)
        if place is None:
            raise LocationError(
                _("We could not find {city} in {state}. Check the spelling, or use a ZIP code.").format(
                    city=city, state=code
                ),
                choices=places_named(city),
            )
        return place

    matches = places_named(city)
    if not matches:
        raise LocationError(
            _(
                "We could not find a place called “{city}”. Try a ZIP code, or a city and state "
                "such as Portland, OR."
            ).format(city=city)
        )
    if len(matches) > 1:
        name = matches[0].label.rsplit(",", 1)[0]
        message = _("There is more than one {place}. Choose the state you mean.").format(place=name)
        raise LocationError(message, choices=matches)
    return matches[0]
