"""The distance search behind Find a PT: the clinics within a circle, nearest first.

Kept apart from the models: the SQL for the haversine, and a lazy sequence the paginator reads
a page at a time. `ClinicQuerySet.near()` is the way in.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, overload

from django.db.models.expressions import RawSQL

from . import geo

if TYPE_CHECKING:
    from .models import Clinic, ClinicQuerySet

PAGE_FETCH_CHUNK = 500
# A search lists the nearest 200 clinics (10 pages): enough to choose from, and a count that
# stops there costs the same in a city of 4,000 clinics as in a town of 40.
MAX_RESULTS = 200
# The fraction of the radius a search with more than MAX_RESULTS matches ranks first.
SMALLER_CIRCLE = 1 / 8

# The haversine of the central angle between a clinic and a point (the "a" in the haversine
# formula), in SQL with the database's own trigonometry (PostgreSQL; SQLite 3.35+ built with
# math functions, or the Python versions Django registers). Distance grows with it, so the
# search filters and sorts on it, and works out miles (2R asin sqrt a) only for the rows
# shown. One raw node rather than a tree of Func objects: building and compiling that tree
# cost more than the query. Parameters: see _haversine_params().
_HAVERSINE_A = (
    'POWER(SIN(RADIANS("clinics_clinic"."latitude" - %s) / 2), 2)'
    ' + %s * COS(RADIANS("clinics_clinic"."latitude"))'
    ' * POWER(SIN(RADIANS("clinics_clinic"."longitude" - %s) / 2), 2)'
)


def _haversine_params(latitude: float, longitude: float) -> tuple[float, float, float]:
    return (float(latitude), math.cos(math.radians(latitude)), float(longitude))


def _miles(haversine_a: float) -> float:
    return 2 * geo.EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, max(0.0, haversine_a))))


def _nearest_first(match: tuple[int, float]) -> tuple[float, int]:
    """The ranking's order, as the SQL's ORDER BY haversine, id."""
    return match[1], match[0]


class NearbyClinics(Sequence):
    """The clinics a distance search found, nearest first, read lazily a slice at a time.

    Only the nearest MAX_RESULTS are listed: len() counts no further than one past that, and
    `more` says whether the circle held more. The count reads (id, distance) of up to
    MAX_RESULTS + 1 matches, which ranks a small circle outright; in a bigger one a slice is one
    narrow query for (id, distance) in order. The location indexes answer both without reading
    rows. Then the full rows of the slice only are read, with their therapists and languages.
    Work grows with the page asked for, not with how many clinics a city has: see _ranked().
    """

    def __init__(self, clinics: ClinicQuerySet, latitude: float, longitude: float, miles: float) -> None:
        self._clinics = clinics
        self._point = (latitude, longitude)
        self._miles = miles
        self._found: int | None = None
        # The first MAX_RESULTS + 1 matches the count read, (id, haversine), in index order;
        # all of them, nearest first, when the circle holds no more than MAX_RESULTS.
        self._sample: list[tuple[int, float]] = []
        self._all: list[tuple[int, float]] | None = None

    def within(self, miles: float) -> ClinicQuerySet:
        """The clinics within `miles` of the point, each annotated with its haversine."""
        latitude, longitude = self._point
        # Fixed SQL text; the point comes in as parameters.
        haversine = RawSQL(_HAVERSINE_A, _haversine_params(latitude, longitude))  # noqa: S611
        limit = math.sin(min(math.pi / 2, miles / (2 * geo.EARTH_RADIUS_MILES))) ** 2  # a at `miles`
        return (
            self._clinics.in_box(geo.bounding_box(latitude, longitude, miles))
            .annotate(haversine=haversine)
            .filter(haversine__lte=limit)
        )

    def _count(self) -> int:
        if self._found is None:
            # Like a sliced count, this stops reading at MAX_RESULTS + 1 matches however many
            # there are; it keeps their (id, haversine), so a circle holding no more than that
            # is ranked here, in Python, and needs no second query.
            matches = self.within(self._miles).order_by().values_list("pk", "haversine")
            self._sample = list(matches[: MAX_RESULTS + 1])
            self._found = len(self._sample)
            if self._found <= MAX_RESULTS:
                self._all = sorted(self._sample, key=_nearest_first)
        return self._found

    def __len__(self) -> int:
        return min(self._count(), MAX_RESULTS)

    @property
    def more(self) -> bool:
        """Whether the circle holds more clinics than the nearest MAX_RESULTS listed."""
        return self._count() > MAX_RESULTS

    def ranking(self, miles: float | None = None) -> ClinicQuerySet:
        """(id, haversine) of every match within `miles` (the search's own by default), nearest first."""
        within = self.within(self._miles if miles is None else miles)
        return within.order_by("haversine", "pk").values_list("pk", "haversine")

    def _ranked(self, start: int, stop: int) -> list[tuple[int, float]]:
        """(id, haversine) of matches start to stop - 1 in distance order.

        A circle holding no more than MAX_RESULTS was ranked by the count. Otherwise: any circle
        round the point that holds at least `stop` matches holds the nearest `stop`. So an
        eighth of the radius is ranked first; if it holds too few, its count says how much
        wider to look; the last resort is the circle through the stop-th nearest of the
        matches the count read, which surely holds `stop`. In a dense city the first pages
        then cost a few hundred index entries instead of every clinic in the circle.
        """
        stop = min(stop, len(self))
        if start >= stop:
            return []
        if self._all is not None:
            return self._all[start:stop]
        # The count's matches are real ones: the circle through the stop-th nearest of them
        # holds at least `stop`, so ranking it is the last resort, never the whole circle.
        sure = _miles(sorted(h for _, h in self._sample)[stop - 1]) * (1 + 1e-9) + 1e-9
        fraction = SMALLER_CIRCLE
        for _ in range(2):
            if self._miles * fraction >= sure:
                break
            rows = list(self.ranking(self._miles * fraction)[:stop])
            if len(rows) == stop:
                return rows[start:]
            # Matches grow with the area: aim for twice what is needed.
            fraction *= math.sqrt(2 * stop / max(len(rows), 1))
        return list(self.ranking(min(sure, self._miles))[start:stop])

    @overload
    def __getitem__(self, index: int) -> Clinic: ...
    @overload
    def __getitem__(self, index: slice) -> list[Clinic]: ...
    def __getitem__(self, index: int | slice) -> Clinic | list[Clinic]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("NearbyClinics slices take no step.")
            return self._fetch(self._ranked(start, stop))
        position = index + len(self) if index < 0 else index
        rows = self._fetch(self._ranked(position, position + 1)) if position >= 0 else []
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[Clinic]:
        for start in range(0, len(self), PAGE_FETCH_CHUNK):
            yield from self[start : start + PAGE_FETCH_CHUNK]

    def _fetch(self, ranked: list[tuple[int, float]]) -> list[Clinic]:
        if not ranked:
            return []
        model = self._clinics.model
        rows = model.objects.filter(pk__in=[pk for pk, _ in ranked]).for_listing().in_bulk()
        clinics = []
        for pk, haversine in ranked:
            clinic = rows.get(pk)
            if clinic is not None:  # deleted since the search ran
                clinic.distance_miles = _miles(haversine)
                clinics.append(clinic)
        return clinics


# What a search asks about dry needling (the form's `dry_needling` choice).
CONFIRMED_FIRST = "yes"  # the default: clinics that offer it, then those that may (ask them)
CONFIRMED_ONLY = "confirmed"
ANY_CLINIC = "any"
# The groups a results list is made of, in the order shown.
OFFERS, MAY_OFFER, EVERY = "offers", "may_offer", "any"
# How far the no-results box looks for the nearest clinic beyond the radius.
BEYOND_MILES = 250


class ResultGroup:
    """One group of a results list: its name, its clinics (nearest first) and its counts."""

    def __init__(self, name: str, clinics: NearbyClinics) -> None:
        self.name = name
        self.clinics = clinics

    @property
    def count(self) -> int:
        return len(self.clinics)

    @property
    def more(self) -> bool:
        return self.clinics.more


class GroupedResults(Sequence):
    """Result groups one after another, for the paginator: the clinics that offer dry needling
    (up to the nearest MAX_RESULTS), then, clearly apart, those that may offer it. Each clinic
    read carries `group`. A page spanning two groups is still one fetch of full rows."""

    def __init__(self, groups: list[ResultGroup]) -> None:
        self.groups = groups

    def __len__(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def more(self) -> bool:
        return any(group.more for group in self.groups)

    @overload
    def __getitem__(self, index: int) -> Clinic: ...
    @overload
    def __getitem__(self, index: slice) -> list[Clinic]: ...
    def __getitem__(self, index: int | slice) -> Clinic | list[Clinic]:
        if not isinstance(index, slice):
            position = index + len(self) if index < 0 else index
            rows = self[position : position + 1] if position >= 0 else []
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, _ = index.indices(len(self))
        ranked: list[tuple[int, float]] = []
        names: dict[int, str] = {}
        offset = 0
        for group in self.groups:
            size = group.count
            if start < offset + size and stop > offset:
                rows = group.clinics._ranked(max(start - offset, 0), min(stop - offset, size))
                ranked += rows
                names.update((pk, group.name) for pk, _ in rows)
            offset += size
        if not ranked:
            return []
        clinics = self.groups[0].clinics._fetch(ranked)
        for clinic in clinics:
            clinic.group = names[clinic.pk]
        return clinics

    def __iter__(self) -> Iterator[Clinic]:
        for start in range(0, len(self), PAGE_FETCH_CHUNK):
            yield from self[start : start + PAGE_FETCH_CHUNK]


def find_near(
    clinics: ClinicQuerySet, mode: str, latitude: float, longitude: float, miles: float
) -> GroupedResults:
    """The search: `clinics` (already filtered by new patients, language, name) near a point,
    grouped by what they say about dry needling."""
    if mode == ANY_CLINIC:
        groups = [ResultGroup(EVERY, clinics.near(latitude, longitude, miles))]
    else:
        groups = [ResultGroup(OFFERS, clinics.offering_dry_needling().near(latitude, longitude, miles))]
        if mode != CONFIRMED_ONLY:
            maybe = clinics.may_offer_dry_needling().near(latitude, longitude, miles)
            groups.append(ResultGroup(MAY_OFFER, maybe))
    return GroupedResults(groups)


def nearest_beyond(results: GroupedResults, miles: float = BEYOND_MILES) -> Clinic | None:
    """The nearest clinic any group of an empty search would list within `miles`, for the
    no-results box ("the nearest is ..., 37 miles away"), or None."""
    nearest = None
    for group in results.groups:
        wider = NearbyClinics(group.clinics._clinics, *group.clinics._point, miles)
        found = wider[0] if len(wider) else None
        if found is not None and (nearest is None or found.distance_miles < nearest.distance_miles):
            found.group = group.name
            nearest = found
    return nearest
