"""Name search indexed on PostgreSQL: trigram indexes for "name contains" (any case).

`Clinic.objects.named()` filters with `icontains`, which PostgreSQL runs as
`UPPER(name::text) LIKE UPPER('%text%')`; a GIN index of `pg_trgm` trigrams on that same
expression answers it without reading every row. SQLite has no trigram index: there the name
filter runs inside the location box, which the location index already narrows.
pg_trgm is a trusted extension (PostgreSQL 13+), so the database's owner may create it; where
that is refused the search still works, only unindexed, and the migration says so.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)
INDEXES = {
    "clinics_clinic_name_trgm": "clinics_clinic",
    "clinics_therapist_name_trgm": "clinics_therapist",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        logger.warning("pg_trgm is not available: name search works without a trigram index")
        return
    for index, table in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            'USING gin ((UPPER("name"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [("clinics", "0004_latitude_band_location_index")]
    operations = [migrations.RunPython(create, drop)]
