"""Test data for Find a PT: clinics, and points at a known distance from a start."""

from __future__ import annotations

import math
from itertools import count

from dryneedling_site.clinics import geo
from dryneedling_site.clinics.models import Clinic, Language, Therapist

_numbers = count(1)


def point_at(latitude: float, longitude: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` away on a compass bearing (the standard spherical "destination" formula)."""
    angle = miles / geo.EARTH_RADIUS_MILES
    phi, lam, theta = math.radians(latitude), math.radians(longitude), math.radians(bearing)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def make_clinic(*, therapists=(), languages=(), at: tuple[float, float] | None = None, **fields) -> Clinic:
    """A clinic in New York (10001) unless told otherwise; therapists as (name, credentials)."""
    number = next(_numbers)
    values = {
        "name": f"Test Clinic {number}",
        "address": f"{number} Test Street",
        "city": "New York",
        "state": "NY",
        "zip_code": "10001",
        "phone": "2125550100",
        "website": f"https://example.com/clinic-{number}",
    }
    values.update(fields)
    if at is not None:
        values["latitude"], values["longitude"] = at
    clinic = Clinic.objects.create(**values)
    for name, credentials in therapists:
        Therapist.objects.create(clinic=clinic, name=name, credentials=credentials)
    for language in languages:
        clinic.languages.add(Language.objects.get_or_create(name=language)[0])
    return clinic
