"""Offline geography: ZIP and city lookup, distances, bounding boxes."""

from __future__ import annotations

import math

import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from dryneedling_site.clinics import geo

# Expected distances: the spherical law of cosines (a different formula from the haversine under
# test) on the coordinates the zipcodes package ships, Earth radius 3958.8 miles, worked out
# once by hand in a Python shell and pasted here.
KNOWN_PAIRS = [
    ("10001", "07030", 1.91),  # Manhattan, NY -> Hoboken, NJ (across the Hudson and a state line)
    ("97201", "98660", 9.27),  # Portland, OR -> Vancouver, WA
    ("64101", "66101", 1.78),  # Kansas City, MO -> Kansas City, KS
    ("60601", "46402", 24.47),  # Chicago, IL -> Gary, IN
    ("02108", "02903", 41.20),  # Boston, MA -> Providence, RI
    ("10001", "90012", 2445.38),  # New York -> Los Angeles
]


def _destination(lat: float, lon: float, miles: float, bearing_degrees: float) -> tuple[float, float]:
    """The point `miles` away on a bearing (standard spherical formula), to probe the box."""
    angle = miles / geo.EARTH_RADIUS_MILES
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end", "expected"), KNOWN_PAIRS)
def test_distance_between_known_zip_pairs(start, end, expected):
    a, b = geo.zip_place(start), geo.zip_place(end)
    assert geo.distance_miles(a.latitude, a.longitude, b.latitude, b.longitude) == pytest.approx(
        expected, abs=0.5
    )


@pytest.mark.django_db
def test_distance_agrees_with_the_packages_own_haversine_which_takes_longitude_first():
    a, b = geo.zip_place("97201"), geo.zip_place("98660")
    theirs = zipcodes.haversine(a.longitude, a.latitude, b.longitude, b.latitude)
    assert geo.distance_miles(a.latitude, a.longitude, b.latitude, b.longitude) == pytest.approx(
        theirs, abs=0.05
    )


@pytest.mark.django_db
def test_zip_place_gives_latitude_then_longitude_as_numbers():
    place = geo.zip_place("10001")
    assert place.latitude == pytest.approx(40.7484)
    assert place.longitude == pytest.approx(-73.9967)
    assert place.label == "10001 (New York, NY)"


@pytest.mark.django_db
def test_zip_plus_four_is_read_as_its_five_digit_zip():
    assert geo.locate("10001-1234") == geo.zip_place("10001")


@pytest.mark.django_db
@pytest.mark.parametrize("zip_code", ["99999", "00000", "09001", "01195"])
def test_unknown_military_and_retired_zips_are_not_places(zip_code):
    # 09001 is an overseas military code at (0, 0); 01195 is a retired Springfield, MA ZIP.
    assert geo.zip_place(zip_code) is None
    with pytest.raises(geo.LocationError, match=f"could not find the ZIP code {zip_code}"):
        geo.locate(zip_code)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1234", "123456", "12 34"])
def test_wrong_number_of_digits_says_a_zip_has_five(text):
    with pytest.raises(geo.LocationError, match="5 digits"):
        geo.locate(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["Portland, OR", "portland, or", "  Portland ,   OR ", "Portland OR", "Portland, Oregon"]
)
def test_city_and_state_in_any_case_or_spacing(text):
    place = geo.locate(text)
    assert place.label == "Portland, OR"
    downtown = geo.zip_place("97201")
    assert geo.distance_miles(place.latitude, place.longitude, downtown.latitude, downtown.longitude) < 10


@pytest.mark.django_db
def test_saint_and_st_are_the_same_city():
    assert geo.locate("St. Louis, MO") == geo.locate("Saint Louis, MO")


@pytest.mark.django_db
def test_city_found_in_one_state_needs_no_state():
    assert geo.locate("albuquerque").label == "Albuquerque, NM"


@pytest.mark.django_db
def test_city_in_several_states_offers_a_choice_of_states():
    with pytest.raises(geo.LocationError, match="more than one Springfield") as caught:
        geo.locate("springfield")
    labels = [place.label for place in caught.value.choices]
    assert {"Springfield, IL", "Springfield, MA", "Springfield, MO"} <= set(labels)
    assert labels == sorted(labels)
    chosen = geo.locate("Springfield, IL")
    assert chosen in caught.value.choices
    assert chosen.latitude == pytest.approx(39.8, abs=0.2)  # Illinois, not Massachusetts (42.1)


@pytest.mark.django_db
def test_unknown_state_code_is_named_in_the_error():
    with pytest.raises(geo.LocationError, match="“ZZ” is not a US state"):
        geo.locate("Nowhere, ZZ")


@pytest.mark.django_db
def test_city_missing_from_the_given_state_suggests_where_it_is():
    with pytest.raises(geo.LocationError, match="could not find Albuquerque in OR") as caught:
        geo.locate("Albuquerque, OR")
    assert [p.label for p in caught.value.choices] == ["Albuquerque, NM"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["abc", "", "   ", "<script>"])
def test_text_that_names_no_place_is_an_error(text):
    with pytest.raises(geo.LocationError):
        geo.locate(text)


@pytest.mark.parametrize(
    ("lat", "lon", "miles"),
    [
        (40.75, -73.99, 25),
        (45.5, -122.7, 100),
        (64.8, -147.7, 100),
        (71.3, -156.8, 100),  # Utqiagvik, Alaska: the circle is widest well north of its centre
        (52.0, 179.6, 100),
        (25.0, -80.2, 5),
    ],
)
def test_bounding_box_holds_every_point_of_the_circle(lat, lon, miles):
    box = geo.bounding_box(lat, lon, miles)
    for tenth in range(0, 3600):
        point_lat, point_lon = _destination(lat, lon, miles * 0.99999, tenth / 10)
        assert box.min_latitude <= point_lat <= box.max_latitude
        assert any(west <= point_lon <= east for west, east in box.longitudes), tenth / 10


def test_bounding_box_is_tight_enough_to_be_a_useful_prefilter():
    box = geo.bounding_box(40.75, -73.99, 25)
    ((west, east),) = box.longitudes
    assert box.max_latitude - box.min_latitude == pytest.approx(2 * 25 / geo.MILES_PER_DEGREE_LATITUDE)
    assert east - west < 1.0  # about 0.95 degrees of longitude at 40.75 N


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(min_value=-80, max_value=80),
    lon=st.floats(min_value=-180, max_value=180),
    miles=st.sampled_from([5, 10, 25, 50, 100]),
    fraction=st.one_of(st.just(0.9999), st.floats(min_value=0, max_value=0.9999)),
    bearing=st.floats(min_value=0, max_value=360),
)
def test_any_point_within_the_radius_is_inside_the_box(lat, lon, miles, fraction, bearing):
    point_lat, point_lon = _destination(lat, lon, miles * fraction, bearing)
    assert geo.distance_miles(lat, lon, point_lat, point_lon) <= miles
    box = geo.bounding_box(lat, lon, miles)
    assert box.min_latitude <= point_lat <= box.max_latitude
    assert any(west <= point_lon <= east for west, east in box.longitudes)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["٩٧٢٠١", "９７２０１", "97２01", "۹۷۲۰۱"])
def test_non_ascii_digits_never_reach_a_lookup_and_read_as_a_zip_error(text):
    assert geo.normalise_zip(text) is None
    assert geo.zip_place(text) is None
    with pytest.raises(geo.LocationError, match="A ZIP code has 5 digits"):
        geo.locate(text)


@pytest.mark.django_db
def test_zip_and_city_tables_hold_the_packages_places():
    from dryneedling_site.clinics.models import CityCentre, ZipCode

    assert ZipCode.objects.count() > 40_000
    assert CityCentre.objects.filter(city_key="SPRINGFIELD").count() >= 20
    assert ZipCode.objects.filter(zip_code="10001").get().state == "NY"
