"""Random and hostile Find a PT searches never cause a server error or change the directory."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling_site.clinics.forms import SEARCH_PARAMETERS
from dryneedling_site.clinics.models import Clinic

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "10001",
            "00000",
            "99999",
            "12345-6789",
            "Springfield",
            "springfield, il",
            "Portland, OR",
            "Nowhere, ZZ",
            ",",
            " , ",
            "5",
            "25",
            "100",
            "1000",
            "-1",
            "nan",
            "inf",
            "1e309",
            "90.0001",
            "-180.5",
            "0",
            "on",
            "off",
            "yes",
            "<script>",
            "' OR 1=1 --",
            "x" * 3000,
            "\x00",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)
SAMPLE_CSV = Path(__file__).resolve().parents[2] / "content" / "clinics-sample.csv"
QUERIES = st.dictionaries(st.sampled_from((*SEARCH_PARAMETERS, "page", "junk")), VALUES, max_size=6)


@pytest.fixture
def sample_clinics(db) -> int:
    call_command("import_clinics", str(SAMPLE_CSV), stdout=StringIO())
    return Clinic.objects.count()


@FUZZ
@given(query=QUERIES)
def test_search_never_fails(client, sample_clinics, query):
    response = client.get("/find-a-pt/", query)
    assert response.status_code == 200, (query, response.status_code)
    assert Clinic.objects.count() == sample_clinics


@FUZZ
@given(slug=TEXT)
def test_clinic_pages_with_odd_slugs(client, db, slug):
    from urllib.parse import quote

    response = client.get("/find-a-pt/" + quote(slug, safe="") + "/")
    assert response.status_code in (200, 301, 404), response.status_code


def test_search_with_non_utf8_query(client, db):
    response = client.generic("GET", "/find-a-pt/", QUERY_STRING="location=%ff%fe&radius=%c0%ae&name=%00")
    assert response.status_code == 200
