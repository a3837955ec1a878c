"""A clinic's page, and the ways into Find a PT from the rest of the site."""

from __future__ import annotations

import pytest

from tests.html import all_sitemaps, json_ld


@pytest.fixture
def riverside(make_clinic):
    return make_clinic(
        name="Riverside Physical Therapy",
        address="12 Example Ave, Suite 3",
        city="Portland",
        state="OR",
        zip_code="97201",
        phone="5035550134",
        website="https://example.com/riverside",
        opening_hours="Mon-Fri 7am-6pm\nSat 8am-noon",
        therapists=[("Jordan Example", "PT, DPT"), ("Casey Sample", "PT")],
        languages=["English", "Spanish"],
    )


def test_clinic_page_shows_how_to_reach_the_clinic_and_who_works_there(
    client, riverside, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # clinic, therapists, languages
        response = client.get("/find-a-pt/riverside-physical-therapy-portland-or/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 id="clinic-name"><bdi>Riverside Physical Therapy</bdi></h1>' in page
    assert "12 Example Ave, Suite 3<br>Portland, OR 97201" in page
    assert 'href="tel:+15035550134">Call (503) 555-0134' in page
    assert "Directions (opens Google Maps)" in page
    assert "<strong>Casey Sample, PT</strong>" in page
    assert "<strong>Jordan Example, PT, DPT</strong>" in page
    assert "Mon-Fri 7am-6pm<br>Sat 8am-noon" in page
    assert "<iframe" not in page  # no embedded map
    assert "Sample listing" not in page
    assert (
        '<link rel="canonical" href="https://guide.example.org/find-a-pt/riverside-physical-therapy-portland-or/">'
        in page
    )


def test_clinic_page_describes_the_clinic_for_search_engines(client, riverside):
    data = json_ld(client.get(riverside.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalClinic"
    assert data["name"] == "Riverside Physical Therapy"
    assert data["url"] == "https://guide.example.org/find-a-pt/riverside-physical-therapy-portland-or/"
    assert data["telephone"] == "+1-503-555-0134"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 Example Ave, Suite 3",
        "addressLocality": "Portland",
        "addressRegion": "OR",
        "postalCode": "97201",
        "addressCountry": "US",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 45.5078, "longitude": -122.6897}
    assert data["isAcceptingNewPatients"] is True
    assert data["knowsLanguage"] == ["English", "Spanish"]
    assert data["availableService"] == {"@type": "MedicalTherapy", "name": "Dry needling"}
    assert data["medicalSpecialty"] == "https://schema.org/Physiotherapy"
    assert {
        "@type": "Person",
        "name": "Jordan Example",
        "jobTitle": "Physical therapist",
        "honorificSuffix": "PT, DPT",
    } in data["employee"]


def test_json_ld_cannot_be_broken_out_of_by_clinic_text(client, make_clinic):
    clinic = make_clinic(name="</script><script>alert(1)</script>")
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert json_ld(page)["name"] == "</script><script>alert(1)</script>"


def test_sample_clinic_is_labelled_and_kept_out_of_search_engines(client, make_clinic):
    clinic = make_clinic(name="Sample Harbor PT", is_sample=True)
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "Sample listing" in page
    assert "This clinic and its staff are not real. Its phone number and website are placeholders." in page
    assert '<meta name="robots" content="noindex">' in page
    assert json_ld(page)["description"].startswith("Sample listing")
    sitemap = all_sitemaps(client)
    assert "/sitemap-clinics-1.xml" in sitemap
    assert "sample-harbor-pt" not in sitemap


def test_a_right_to_left_name_is_isolated_from_the_text_around_it(client, make_clinic):
    # Arabic or Hebrew names must not reorder "Call (212) 555-0100 (...)" or the breadcrumb.
    clinic = make_clinic(name="مركز العلاج الطبيعي")
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert '<h1 id="clinic-name"><bdi>مركز العلاج الطبيعي</bdi></h1>' in page
    assert 'aria-current="page"><bdi>مركز العلاج الطبيعي</bdi></a>' in page
    assert "(<bdi>مركز العلاج الطبيعي</bdi>)" in page
    results = client.get("/find-a-pt/", {"location": "10001"}).content.decode()
    assert '?location=10001"><bdi>مركز العلاج الطبيعي</bdi></a></h4>' in results


def test_back_to_results_returns_to_the_same_search(client, riverside):
    query = "location=97201&radius=10&new_patients=on&page=1"
    page = client.get(f"{riverside.get_absolute_url()}?{query}").content.decode()
    assert f'<a href="/find-a-pt/?{query.replace("&", "&amp;")}">Back to results</a>' in page


def test_back_link_keeps_only_search_parameters(client, riverside):
    page = client.get(riverside.get_absolute_url(), {"location": "97201", "evil": "x"}).content.decode()
    assert '<a href="/find-a-pt/?location=97201">Back to results</a>' in page


def test_clinic_page_without_a_search_offers_one(client, riverside):
    page = client.get(riverside.get_absolute_url()).content.decode()
    assert "Back to results" not in page
    assert '<a href="/find-a-pt/">Search for a physical therapist</a>' in page


def test_unknown_clinic_is_not_found(client, db):
    assert client.get("/find-a-pt/no-such-clinic/").status_code == 404


def test_sitemap_lists_the_search_and_real_clinics(client, riverside):
    sitemap = all_sitemaps(client)
    assert "<loc>https://guide.example.org/find-a-pt/</loc>" in sitemap
    assert "<loc>https://guide.example.org/find-a-pt/riverside-physical-therapy-portland-or/</loc>" in sitemap


def test_main_navigation_marks_find_a_pt_as_current_only_on_the_search(client, riverside):
    search = client.get("/find-a-pt/").content.decode()
    assert '<a href="/find-a-pt/" aria-current="page">Find a PT</a>' in search
    home = client.get("/").content.decode()
    assert '<a href="/find-a-pt/">Find a PT</a>' in home


def test_every_article_sends_the_reader_to_find_a_pt(client, guide):
    assert guide, "the shipped articles should load"
    for slug in guide:
        page = client.get(f"/articles/{slug}/").content.decode()
        assert '<h2 id="find-a-pt-cta">Find a physical therapist near you</h2>' in page, slug
        assert '<a class="button" href="/find-a-pt/">Find a PT near you</a>' in page, slug


def test_home_page_search_box_leads_to_a_dry_needling_search(client, make_clinic):
    make_clinic(name="Midtown PT")
    make_clinic(name="No Needles PT", offers_dry_needling=False)
    home = client.get("/").content.decode()
    assert '<form class="home-find-a-pt" method="get" action="/find-a-pt/"' in home
    assert 'name="location"' in home
    results = client.get("/find-a-pt/", {"location": "10001"}).content.decode()  # what the form sends
    assert "Midtown PT" in results
    assert "No Needles PT" not in results


def test_clinic_edit_and_new_therapist_show_on_next_request(make_clinic, django_capture_on_commit_callbacks):
    from dryneedling_site.clinics.models import Therapist

    clinic = make_clinic(name="Harbor PT", zip_code="97201", city="Portland", state="OR")
    from django.test import Client

    visitor = Client()
    url = clinic.get_absolute_url()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"
    clinic.phone = "5035550199"
    with django_capture_on_commit_callbacks(execute=True):  # pages are invalidated on commit
        clinic.save()
    assert "(503) 555-0199" in visitor.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Therapist.objects.create(clinic=clinic, name="Robin Newcomer", credentials="PT, DPT")
    assert "Robin Newcomer" in visitor.get(url).content.decode()

    search = "/find-a-pt/?location=97201&radius=25"
    assert "Harbor PT" in visitor.get(search).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        clinic.delete()
    assert "Harbor PT" not in visitor.get(search).content.decode()
