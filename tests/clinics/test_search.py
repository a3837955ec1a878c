"""Distance search (Clinic.objects.near and its filters) and the search page's form and view."""

from __future__ import annotations

import pytest

from dryneedling_site.clinics import geo
from dryneedling_site.clinics.models import Clinic, Language
from tests.clinics.conftest import point_at

NYC = geo.zip_place("10001")  # 40.7484, -73.9967


def names(results) -> list[str]:
    return [clinic.name for clinic in results]


# --- Clinic.objects.near -------------------------------------------------------------------


def test_near_sorts_by_distance_and_reports_it(make_clinic):
    for miles, name in [(12, "Twelve"), (3, "Three"), (20, "Twenty"), (7, "Seven")]:
        make_clinic(name=name, at=point_at(NYC.latitude, NYC.longitude, miles, bearing=miles * 40))
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 25)
    assert names(results) == ["Three", "Seven", "Twelve", "Twenty"]
    assert [round(c.distance_miles, 1) for c in results] == [3.0, 7.0, 12.0, 20.0]


@pytest.mark.parametrize("miles", [5, 10, 25, 50, 100])
@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 225, 270, 315])
def test_radius_boundary_in_every_direction(make_clinic, miles, bearing):
    # Just inside and just outside the circle; the diagonals sit near the bounding box's corners.
    make_clinic(name="inside", at=point_at(NYC.latitude, NYC.longitude, miles - 0.05, bearing))
    make_clinic(name="outside", at=point_at(NYC.latitude, NYC.longitude, miles + 0.05, bearing))
    assert names(Clinic.objects.near(NYC.latitude, NYC.longitude, miles)) == ["inside"]


def test_search_crosses_state_lines(make_clinic):
    make_clinic(name="Hoboken PT", city="Hoboken", state="NJ", zip_code="07030")
    make_clinic(name="Manhattan PT", zip_code="10001")
    make_clinic(name="Albany PT", city="Albany", state="NY", zip_code="12207")
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 5)
    assert names(results) == ["Manhattan PT", "Hoboken PT"]
    assert results[1].distance_miles == pytest.approx(1.91, abs=0.05)  # see KNOWN_PAIRS in test_geo


def test_search_across_the_180th_meridian(make_clinic):
    # Adak (Aleutians) sits at 176.6 W; a clinic 20 miles west of 179.9 W lies in the east longitudes.
    start = (51.8, -179.9)
    make_clinic(name="over the line", at=point_at(*start, 20, 270), zip_code="99546", state="AK")
    assert point_at(*start, 20, 270)[1] > 179
    assert names(Clinic.objects.near(*start, 25)) == ["over the line"]


def test_clinics_without_coordinates_are_never_found(make_clinic):
    clinic = make_clinic(name="nowhere")
    Clinic.objects.filter(pk=clinic.pk).update(latitude=None, longitude=None)
    assert len(Clinic.objects.near(NYC.latitude, NYC.longitude, 100)) == 0


def test_name_search_matches_clinic_or_therapist_once(make_clinic):
    make_clinic(name="Harbor Physical Therapy")
    make_clinic(name="Uptown Rehab", therapists=[("Morgan Harbison", "PT, DPT"), ("Harbor Example", "PT")])
    make_clinic(name="Elsewhere PT", therapists=[("Sam Other", "PT")])
    found = Clinic.objects.named("HARB").near(NYC.latitude, NYC.longitude, 25)
    assert sorted(names(found)) == ["Harbor Physical Therapy", "Uptown Rehab"]


def test_filters(make_clinic):
    make_clinic(name="needles, new, spanish", languages=["English", "Spanish"])
    make_clinic(name="needles, full", accepting_new_patients=False, languages=["English"])
    make_clinic(name="no needles, new", offers_dry_needling=False, languages=["Spanish"])
    spanish = Language.objects.get(name="Spanish")

    def search(**filters) -> list[str]:
        return sorted(names(Clinic.objects.matching(**filters).near(NYC.latitude, NYC.longitude, 25)))

    assert search() == ["needles, full", "needles, new, spanish"]  # dry needling on by default
    assert search(dry_needling=False) == ["needles, full", "needles, new, spanish", "no needles, new"]
    assert search(new_patients=True) == ["needles, new, spanish"]
    assert search(dry_needling=False, language=spanish) == ["needles, new, spanish", "no needles, new"]
    assert search(name="full") == ["needles, full"]


def test_results_are_fetched_a_page_at_a_time_with_therapists(make_clinic, django_assert_num_queries):
    for number in range(30):
        make_clinic(
            therapists=[(f"Therapist {number}", "PT")], at=point_at(NYC.latitude, NYC.longitude, number, 0)
        )
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 50)
    assert len(results) == 30
    with django_assert_num_queries(3):  # clinics, therapists, languages
        page = results[20:30]
        assert [t.name for c in page for t in c.therapists.all()] == [f"Therapist {n}" for n in range(20, 30)]
