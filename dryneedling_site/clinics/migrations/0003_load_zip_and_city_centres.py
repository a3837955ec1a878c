"""Create and fill the ZIP and city centre tables from the zipcodes package's data.

The tables belong to unmanaged models (reference data a test flush must keep), so this
migration creates them with portable SQL (SQLite and PostgreSQL) and indexes the city name.
"""

from django.db import migrations

CREATE = [
    """CREATE TABLE clinics_zipcode (
        zip_code varchar(5) NOT NULL PRIMARY KEY,
        city varchar(100) NOT NULL,
        state varchar(2) NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL
    )""",
    """CREATE TABLE clinics_citycentre (
        key varchar(110) NOT NULL PRIMARY KEY,
        city_key varchar(100) NOT NULL,
        state varchar(2) NOT NULL,
        label varchar(110) NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL
    )""",
    "CREATE INDEX clinics_citycentre_city_key ON clinics_citycentre (city_key)",
]
DROP = ["DROP TABLE clinics_citycentre", "DROP TABLE clinics_zipcode"]


def load(apps, schema_editor) -> None:
    from dryneedling_site.clinics.geo import load_places

    load_places(apps.get_model("clinics", "ZipCode"), apps.get_model("clinics", "CityCentre"))


class Migration(migrations.Migration):
    dependencies = [("clinics", "0002_nppes_import_state_rules_geography")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
