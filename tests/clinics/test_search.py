"""Distance search (Clinic.objects.near and its filters) and the search page's form and view."""

from __future__ import annotations

import re

import pytest

from dryneedling_site.clinics import geo
from dryneedling_site.clinics import search as clinic_search
from dryneedling_site.clinics.models import Clinic, Language
from tests.clinics.factories import point_at

NYC = geo.Place("10001 (New York, NY)", 40.7484, -73.9967, "NY")  # as the ZIP table has it


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
    # The count read the 30 (id, distance) pairs already: clinics, therapists, languages.
    with django_assert_num_queries(3):
        page = list(results[20:30])
        assert [t.name for c in page for t in c.therapists.all()] == [f"Therapist {n}" for n in range(20, 30)]


def test_only_the_nearest_are_listed_when_there_are_more(make_clinic, monkeypatch):
    monkeypatch.setattr(clinic_search, "MAX_RESULTS", 5)
    for miles in range(1, 13):
        make_clinic(
            name=f"At {miles:02d}", at=point_at(NYC.latitude, NYC.longitude, miles, bearing=miles * 29)
        )
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 25)
    assert len(results) == 5 and results.more
    assert names(results) == ["At 01", "At 02", "At 03", "At 04", "At 05"]
    assert names(results[3:9]) == ["At 04", "At 05"]  # nothing past the fifth
    few = Clinic.objects.near(NYC.latitude, NYC.longitude, 4.5)
    assert len(few) == 4 and not few.more


def test_a_crowded_search_ranks_a_smaller_circle_and_finds_the_same_clinics(make_clinic, monkeypatch):
    # Many clinics close in, fewer far out, and two at the very same spot (ties go by id).
    monkeypatch.setattr(clinic_search, "MAX_RESULTS", 12)
    layout = [(0.2 * n, n * 47) for n in range(1, 10)] + [(3.0, 100), (3.0, 100)]
    layout += [(4.0 + 1.5 * n, n * 47) for n in range(14)]
    made = [
        make_clinic(name=f"Clinic {n:02d}", at=point_at(NYC.latitude, NYC.longitude, miles, bearing))
        for n, (miles, bearing) in enumerate(layout)
    ]

    def distance(clinic: Clinic) -> float:
        return geo.distance_miles(NYC.latitude, NYC.longitude, clinic.latitude, clinic.longitude)

    expected = [c.name for c in sorted(made, key=lambda c: (distance(c), c.pk))]
    radii: list[float] = []
    real_ranking = clinic_search.NearbyClinics.ranking

    def ranking(self, miles=None):
        radii.append(self._miles if miles is None else miles)
        return real_ranking(self, miles)

    monkeypatch.setattr(clinic_search.NearbyClinics, "ranking", ranking)
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 25)
    assert len(results) == 12 and results.more
    for start in range(12):
        radii.clear()
        assert names(results[start : start + 3]) == expected[start : start + 3][: 12 - start]
        assert radii[-1] < 25  # never the whole circle: the nearest 12 lie within 11 miles
    radii.clear()
    assert names(results[0:2]) == expected[:2]
    # The first page of a crowded search is one query that reads only the centre.
    assert len(radii) == 1 and radii[0] <= 25 / 8


def test_matches_only_near_the_edge_are_found_in_the_circle_the_count_vouches_for(make_clinic, monkeypatch):
    monkeypatch.setattr(clinic_search, "MAX_RESULTS", 3)
    for n, miles in enumerate([24.5, 20, 23, 21.5, 22]):
        make_clinic(name=f"At {miles}", at=point_at(NYC.latitude, NYC.longitude, miles, bearing=n * 70))
    radii: list[float] = []
    real_ranking = clinic_search.NearbyClinics.ranking

    def ranking(self, miles=None):
        radii.append(self._miles if miles is None else miles)
        return real_ranking(self, miles)

    monkeypatch.setattr(clinic_search.NearbyClinics, "ranking", ranking)
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 25)
    assert results.more
    assert names(results) == ["At 20", "At 21.5", "At 22"]
    assert names(results[1:3]) == ["At 21.5", "At 22"]
    # The count read four of the five: the third nearest of those is at most 24.5 miles away,
    # so the last try ranks that circle, not the whole 25 miles.
    assert radii and max(radii) < 24.6


def test_a_small_group_is_ranked_from_its_count_alone(make_clinic, django_assert_num_queries):
    made = {miles: make_clinic(at=point_at(NYC.latitude, NYC.longitude, miles, 0)) for miles in (3, 1, 2)}
    results = Clinic.objects.near(NYC.latitude, NYC.longitude, 25)
    with django_assert_num_queries(1):
        assert len(results) == 3 and not results.more
        assert [pk for pk, _ in results._ranked(0, 3)] == [made[miles].pk for miles in (1, 2, 3)]


# --- The search page -----------------------------------------------------------------------

SEARCH = "/find-a-pt/"


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_empty_search_page_shows_the_form_with_dry_needling_on(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Find a physical therapist</h1>" in page
    assert 'method="get"' in page
    assert 'value="yes" id="id_dry_needling_0" checked' in page
    assert '<option value="25" selected>25 miles</option>' in page
    assert "within" not in page  # no results yet
    assert "find-a-pt.js" in page
    assert "Please check your search" not in page


def test_search_by_zip_lists_clinics_nearest_first_with_their_details(client, make_clinic):
    make_clinic(
        name="Hoboken Sample PT",
        address="1 Example St",
        city="Hoboken",
        state="NJ",
        zip_code="07030",
        phone="2015550142",
        website="https://example.com/hoboken",
        therapists=[("Avery Example", "PT, DPT"), ("Blake Sample", "PT")],
        languages=["English", "Spanish"],
        is_sample=True,
    )
    make_clinic(name="Midtown PT", zip_code="10001")
    make_clinic(name="Far Away PT", city="Albany", zip_code="12207")
    response = client.get(SEARCH, {"location": "10001"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Physical therapists within 25 miles of 10001 (New York, NY)" in page
    assert "2 offer dry needling." in page and "0 may offer it: ask them." in page
    assert page.index("Midtown PT") < page.index("Hoboken Sample PT")
    assert "Far Away PT" not in page
    assert "<strong>0.0 miles</strong> away" in page
    assert "<strong>1.9 miles</strong> away" in page  # 10001 -> 07030, see test_geo
    assert "Avery Example, PT, DPT; Blake Sample, PT" in page
    assert "1 Example St<br>Hoboken, NJ 07030" in page
    assert 'href="tel:+12015550142">Call (201) 555-0142' in page
    assert 'href="https://example.com/hoboken" rel="noopener noreferrer">Website: example.com' in page
    assert (
        'href="https://www.google.com/maps/search/?api=1&amp;query=1+Example+St%2C+Hoboken%2C+NJ+07030"'
        ' rel="noopener noreferrer">Directions (opens Google Maps)'
    ) in page
    assert "Speaks English, Spanish" in page
    assert page.count("Sample listing") == 1
    assert 'href="/find-a-pt/hoboken-sample-pt-hoboken-nj/?location=10001"' in page


def test_city_search_and_case_insensitive_state(client, make_clinic):
    make_clinic(name="Portland PT", city="Portland", state="OR", zip_code="97201")
    page = client.get(SEARCH, {"location": "portland, or"}).content.decode()
    assert "Physical therapists within 25 miles of Portland, OR" in page
    assert "1 offers dry needling." in page
    assert "Portland PT" in page


def test_ambiguous_city_offers_a_chooser_that_keeps_the_other_choices(client, make_clinic):
    make_clinic(name="Springfield PT", city="Springfield", state="IL", zip_code="62701")
    response = client.get(SEARCH, {"location": "Springfield", "radius": "50", "new_patients": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is more than one Springfield. Choose the state you mean." in page
    assert "Springfield PT" not in page
    link = '<a href="?location=Springfield%2C+IL&amp;radius=50&amp;new_patients=on">Springfield, IL</a>'
    assert link in page
    for state in ("MA", "MO"):
        assert f">Springfield, {state}</a>" in page
    chosen = client.get(SEARCH, {"location": "Springfield, IL", "radius": "50", "new_patients": "on"})
    assert "Springfield PT" in chosen.content.decode()


def test_each_filter_from_the_address_bar(client, make_clinic):
    make_clinic(name="Needles New Spanish", languages=["Spanish"], therapists=[("Quinn Harbor", "PT")])
    make_clinic(name="Needles Full", accepting_new_patients=False, languages=["English"])
    make_clinic(name="No Needles", offers_dry_needling=False, languages=["Spanish"])

    def found(**params) -> list[str]:
        response = client.get(SEARCH, {"location": "10001", **params})
        assert response.status_code == 200
        return sorted(c.name for c in response.context["page"])

    assert found() == ["Needles Full", "Needles New Spanish"]
    assert found(dry_needling="yes") == ["Needles Full", "Needles New Spanish"]
    assert found(dry_needling="any") == ["Needles Full", "Needles New Spanish", "No Needles"]
    assert found(new_patients="on") == ["Needles New Spanish"]
    assert found(language="spanish") == ["Needles New Spanish"]
    assert found(language="spanish", dry_needling="any") == ["Needles New Spanish", "No Needles"]
    assert found(name="harbor") == ["Needles New Spanish"]
    assert found(name="needles full") == ["Needles Full"]


def test_language_list_offers_only_languages_some_clinic_speaks(client, make_clinic):
    make_clinic(languages=["Vietnamese"])
    Language.objects.create(name="Klingon")
    page = client.get(SEARCH).content.decode()
    assert '<option value="vietnamese">Vietnamese</option>' in page
    assert "Klingon" not in page


def test_browser_location_searches_from_coordinates(client, make_clinic):
    make_clinic(name="Midtown PT", zip_code="10001")
    page = client.get(SEARCH, {"lat": "40.75", "lon": "-73.99"}).content.decode()
    assert "Physical therapists within 25 miles of your location" in page
    assert "Midtown PT" in page


def test_typed_location_wins_over_browser_location(client, make_clinic):
    make_clinic(name="Portland PT", city="Portland", state="OR", zip_code="97201")
    page = client.get(SEARCH, {"location": "97201", "lat": "40.75", "lon": "-73.99"}).content.decode()
    assert "Portland PT" in page


def test_paging_through_results(client, make_clinic):
    for number in range(45):
        make_clinic(name=f"Clinic {number:02d}", at=point_at(NYC.latitude, NYC.longitude, number * 0.5, 90))
    first = client.get(SEARCH, {"location": "10001"})
    assert [c.name for c in first.context["page"]] == [f"Clinic {n:02d}" for n in range(20)]
    page = first.content.decode()
    assert "45 offer dry needling." in page
    assert "Showing 1 to 20 of 45" in page
    assert "Page 1 of 3" in page
    assert '<a rel="next" href="?location=10001&amp;page=2">' in page
    third = client.get(SEARCH, {"location": "10001", "page": "3"})
    assert [c.name for c in third.context["page"]] == [f"Clinic {n:02d}" for n in range(40, 45)]
    assert '<ol class="results-list" start="41">' in third.content.decode()


def test_a_crowded_search_says_more_and_lists_the_nearest(client, make_clinic, monkeypatch):
    monkeypatch.setattr(clinic_search, "MAX_RESULTS", 25)
    for number in range(30):
        make_clinic(name=f"Clinic {number:02d}", at=point_at(NYC.latitude, NYC.longitude, number * 0.5, 90))
    page = client.get(SEARCH, {"location": "10001"}).content.decode()
    assert "More than 25 offer dry needling." in page
    assert (
        "We list the nearest 25 that offer dry needling. For a shorter list, choose a smaller distance"
        in page
    )
    confirmed_only = client.get(SEARCH, {"location": "10001", "dry_needling": "confirmed"}).content.decode()
    assert (
        "More than 25 clinics that offer dry needling within 25 miles of 10001 (New York, NY)"
        in confirmed_only
    )
    assert "We list the nearest 25. For a shorter list, choose a smaller distance" in confirmed_only
    assert "Page 1 of 2" in page
    last = client.get(SEARCH, {"location": "10001", "page": "2"})
    assert [c.name for c in last.context["page"]] == [f"Clinic {n:02d}" for n in range(20, 25)]
    spanish = client.get("/es" + SEARCH, {"location": "10001"}).content.decode()
    assert "Fisioterapeutas a 25 millas o menos de 10001 (New York, NY)" in spanish
    assert "Más de 25 ofrecen punción seca." in spanish
    assert "Mostramos las 25 más cercanas que ofrecen punción seca." in spanish
    assert '<a href="#results-heading">Go to the results</a>' in page  # on a phone they are below the form
    assert '<a href="#results-heading">Ir a los resultados</a>' in spanish
    assert "Go to the results" not in client.get(SEARCH).content.decode()
    few = client.get(SEARCH, {"location": "10001", "radius": "10"}).content.decode()
    assert "21 offer dry needling." in few and "More than" not in few and "We list the nearest" not in few


@pytest.mark.parametrize(
    ("requested", "shown"),
    [("abc", 1), ("9999", 2), ("0", 2), ("-1", 2), ("1.5", 1), ("٢", 1), ("２", 1), ("𝟐", 1)],
)
def test_a_page_that_does_not_exist_shows_a_real_page_and_says_so(client, make_clinic, requested, shown):
    for number in range(25):
        make_clinic(at=point_at(NYC.latitude, NYC.longitude, number * 0.5, 0))
    response = client.get(SEARCH, {"location": "10001", "page": requested})
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert f"so here is page {shown}." in response.content.decode()


def test_no_results_names_the_nearest_clinic_beyond_the_radius(client, make_clinic):
    make_clinic(name="Albany PT", city="Albany", zip_code="12207")  # about 136 miles from 10001
    page = client.get(SEARCH, {"location": "10001", "radius": "10", "name": "albany"}).content.decode()
    assert "We found no clinics within 10 miles of 10001 (New York, NY) that match all your choices." in page
    assert (
        'The nearest we found is <a href="/find-a-pt/albany-pt-albany-ny/"><bdi>Albany PT</bdi></a>' in page
    )
    assert re.search(r"in Albany, NY, 13[0-9] miles away.", page)
    assert "Search within" not in page  # 136 miles is beyond every distance offered
    assert 'href="?location=10001&amp;radius=10">Search again without the name' in page
    assert 'href="?location=10001&amp;radius=10&amp;name=albany&amp;dry_needling=any">Search any' in page


def test_no_results_offers_the_distance_that_reaches_the_nearest(client, make_clinic):
    make_clinic(name="Shore PT", at=point_at(NYC.latitude, NYC.longitude, 40, 200))
    page = client.get(SEARCH, {"location": "10001", "radius": "25"}).content.decode()
    assert "The nearest we found is" in page and "40 miles away." in page
    assert '<a href="?location=10001&amp;radius=50">Search within 50 miles instead</a>' in page
    only = client.get(SEARCH, {"location": "10001", "radius": "25", "dry_needling": "confirmed"})
    assert "Include clinics that may offer dry needling" in only.content.decode()


def test_no_results_at_the_largest_radius_offers_no_larger_one(client, db):
    page = client.get(SEARCH, {"location": "10001", "radius": "100"}).content.decode()
    assert "We found no clinics within 100 miles" in page
    assert "Search within" not in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"location": ""}, "location", "Type a ZIP code, or a city and state"),
        ({"location": "abc"}, "location", "We could not find a place called “abc”"),
        ({"location": "00000"}, "location", "We could not find the ZIP code 00000"),
        ({"location": "99999"}, "location", "We could not find the ZIP code 99999"),
        ({"location": "1234"}, "location", "A ZIP code has 5 digits"),
        ({"location": "Nowhere, ZZ"}, "location", "“ZZ” is not a US state"),
        ({"location": "x" * 101}, "location", "That is too long"),
        ({"location": "a\x00b"}, "location", "Null characters are not allowed."),
        ({"location": "10001", "radius": "7"}, "radius", "Choose 5, 10, 25, 50 or 100 miles."),
        ({"location": "10001", "radius": "1000"}, "radius", "Choose 5, 10, 25, 50 or 100 miles."),
        ({"location": "10001", "radius": "abc"}, "radius", "Choose 5, 10, 25, 50 or 100 miles."),
        ({"location": "10001", "name": "n" * 101}, "name", "That is too long"),
        ({"location": "10001", "language": "klingon"}, "language", "Choose a language from the list."),
        ({"location": "10001", "dry_needling": "sometimes"}, "dry_needling", "Choose one of the options."),
        ({"lat": "91", "lon": "-73.99"}, "location", "We could not use your location"),
        ({"lat": "40.7", "lon": "-181"}, "location", "We could not use your location"),
        ({"lat": "40.7"}, "location", "We could not use your location"),
        ({"lat": "nan", "lon": "inf"}, "location", "We could not use your location"),
        ({"lat": "north", "lon": "west"}, "location", "We could not use your location"),
        ({"lat": "٤٠.٧", "lon": "-٧٣.٩٩"}, "location", "We could not use your location"),
        ({"lat": "４０.７", "lon": "-73.99"}, "location", "We could not use your location"),
        ({"lat": "4e1", "lon": "-73.99"}, "location", "We could not use your location"),
        ({"location": "٩٧٢٠١"}, "location", "with the digits 0 to 9"),
        ({"location": "９７２０１"}, "location", "with the digits 0 to 9"),
        ({"location": "𝟗𝟕𝟐𝟎𝟏"}, "location", "with the digits 0 to 9"),
        ({"location": "Portland, ＯＲ"}, "location", "with the digits 0 to 9"),
        ({"location": "10001", "radius": "２５"}, "radius", "Choose 5, 10, 25, 50 or 100 miles."),
        ({"location": "10001", "radius": "٢٥"}, "radius", "Choose 5, 10, 25, 50 or 100 miles."),
    ],
)
def test_bad_input_is_a_form_error_next_to_its_field(client, make_clinic, params, field, message):
    make_clinic(name="Midtown PT")
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and message in errors[0]
    page = response.content.decode()
    assert "Midtown PT" not in page
    assert page.count("Please check your search") == 1
    assert "<title>Error: " in page
    # The message is tied to its field for screen readers, and the field is marked invalid.
    assert f'id="id_{field}_error"' in page
    if field != "dry_needling":  # radio buttons carry it on their fieldset instead
        assert 'aria-invalid="true"' in page


def test_search_page_query_count_does_not_grow_with_results(
    client, make_clinic, django_assert_max_num_queries
):
    for number in range(30):
        make_clinic(
            therapists=[(f"Therapist {number}", "PT"), (f"Other {number}", "PT, DPT")],
            languages=["English", "Spanish"],
            at=point_at(NYC.latitude, NYC.longitude, number * 0.5, 180),
        )
    # ZIP, language options, language check, state rule, a count for each group (offers, may
    # offer), the page's ids and distances, its clinics, therapists, languages
    with django_assert_max_num_queries(10):
        response = client.get(SEARCH, {"location": "10001", "language": "spanish", "name": "therapist"})
    assert len(response.context["page"]) == 20


@pytest.mark.parametrize(
    ("params", "folded"),
    [
        ({}, True),
        ({"location": "10001"}, True),
        ({"location": "10001", "dry_needling": "yes"}, True),
        ({"location": "10001", "dry_needling": "any"}, False),
        ({"location": "10001", "new_patients": "on"}, False),
        ({"location": "10001", "name": "harbor"}, False),
        ({"location": "10001", "language": "klingon"}, False),  # an error must be seen
    ],
)
def test_optional_choices_are_folded_away_unless_in_use(client, db, params, folded):
    page = client.get(SEARCH, params).content.decode()
    assert ('<details class="more-choices">' in page) is folded
    assert ('<details class="more-choices" open>' in page) is not folded


# --- Unconfirmed dry needling and state rules ------------------------------------------------


def test_default_search_lists_confirmed_clinics_first_then_those_that_may_offer(client, make_clinic):
    make_clinic(name="Registry PT", offers_dry_needling=False, dry_needling_unconfirmed=True)
    make_clinic(name="Confirmed PT", at=point_at(NYC.latitude, NYC.longitude, 5, 90))
    make_clinic(name="No Needles PT", offers_dry_needling=False)
    default = client.get(SEARCH, {"location": "10001"})
    assert names(default.context["page"]) == ["Confirmed PT", "Registry PT"]  # nearer, but may offer
    page = default.content.decode()
    assert page.index("Clinics that offer dry needling<") < page.index("Confirmed PT")
    heading = "Clinics that may offer dry needling: ask whether they offer it"
    assert page.index("Confirmed PT") < page.index(heading) < page.index("Registry PT")
    assert "1 offers dry needling." in page and "1 may offer it: ask them." in page
    assert "Ask whether they offer dry needling" in page
    bookmarked = client.get(SEARCH, {"location": "10001", "dry_needling": "maybe"})  # the old choice
    assert names(bookmarked.context["page"]) == ["Confirmed PT", "Registry PT"]
    confirmed = client.get(SEARCH, {"location": "10001", "dry_needling": "confirmed"})
    assert names(confirmed.context["page"]) == ["Confirmed PT"]
    every = client.get(SEARCH, {"location": "10001", "dry_needling": "any"})
    assert names(every.context["page"]) == ["Registry PT", "No Needles PT", "Confirmed PT"]


def test_an_imported_only_area_still_shows_someone_to_call(client, make_clinic):
    make_clinic(name="Registry PT", offers_dry_needling=False, dry_needling_unconfirmed=True)
    page = client.get(SEARCH, {"location": "10001"}).content.decode()
    assert "No clinic this near has told us it offers dry needling." in page
    assert "Registry PT" in page and "We found no clinics" not in page
    assert "You can ask any clinic whether it offers an interpreter." in page


def test_state_rule_is_shown_with_its_source_and_date_only_for_its_state(client, make_clinic):
    import datetime

    from dryneedling_site.clinics.models import StateRule

    make_clinic(name="Midtown PT")
    assert StateRule.objects.count() == 0  # shipped empty: no invented facts
    StateRule.objects.create(
        state="NY",
        status=StateRule.Status.UNCLEAR,
        source_url="https://board.example.org/ny-rules",
        checked_on=datetime.date(2026, 3, 2),
    )
    page = client.get(SEARCH, {"location": "10001"}).content.decode()
    assert "Dry needling rules in New York: The rules are unclear." in page
    assert "2 March 2026" in page and "https://board.example.org/ny-rules" in page
    elsewhere = client.get(SEARCH, {"location": "97201"}).content.decode()
    assert "Dry needling rules in" not in elsewhere


def test_distance_is_worked_out_in_the_database_and_matches_python(make_clinic):
    for miles in (1, 9.5, 24.9, 25.2):
        make_clinic(name=f"At {miles}", at=point_at(NYC.latitude, NYC.longitude, miles, bearing=miles * 30))
    results = list(Clinic.objects.near(NYC.latitude, NYC.longitude, 25))
    assert names(results) == ["At 1", "At 9.5", "At 24.9"]
    for clinic in results:
        expected = geo.distance_miles(NYC.latitude, NYC.longitude, clinic.latitude, clinic.longitude)
        assert clinic.distance_miles == pytest.approx(expected, abs=0.001)
