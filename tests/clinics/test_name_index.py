"""Name search is indexed on PostgreSQL (a trigram index on the expression icontains uses)."""

import pytest
from django.db import connection

from dryneedling_site.clinics.models import Clinic

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")


def test_name_contains_uses_the_trigram_index(db):
    query = Clinic.objects.filter(name__icontains="harbor").values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an empty test table would always be scanned
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clinics_clinic_name_trgm" in plan, plan
