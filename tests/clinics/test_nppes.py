"""python manage.py import_nppes: the CMS NPPES provider file, as published, into clinics.

The fixture files are written here from the real 330-column header row (fixtures/), every
value double-quoted as CMS publishes them, one row for each case the import must handle.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dryneedling_site.clinics.models import Clinic, Therapist

HEADER = next(csv.reader((Path(__file__).parent / "fixtures" / "nppes-npidata-header.csv").open()))
FILE_NAME = "npidata_pfile_20260105-20260111.csv"
PRACTICE = "Provider {} Business Practice Location Address"


def row(npi: str, entity: str, taxonomies: list[str], **fields: str) -> dict[str, str]:
    values = {"NPI": npi, "Entity Type Code": entity}
    for number, code in enumerate(taxonomies, start=1):
        values[f"Healthcare Provider Taxonomy Code_{number}"] = code
    names = {
        "organization": "Provider Organization Name (Legal Business Name)",
        "last": "Provider Last Name (Legal Name)",
        "first": "Provider First Name",
        "credentials": "Provider Credential Text",
        "line1": PRACTICE.format("First Line"),
        "line2": PRACTICE.format("Second Line"),
        "city": "Provider Business Practice Location Address City Name",
        "state": "Provider Business Practice Location Address State Name",
        "postal": "Provider Business Practice Location Address Postal Code",
        "country": "Provider Business Practice Location Address Country Code (If outside U.S.)",
        "phone": "Provider Business Practice Location Address Telephone Number",
        "deactivated": "NPI Deactivation Date",
        "reactivated": "NPI Reactivation Date",
    }
    values.update({names[key]: value for key, value in fields.items()})
    return values


PORTLAND = {"line1": "100 MAIN ST", "city": "PORTLAND", "state": "OR", "postal": "972011234", "country": "US"}
NEW_YORK = {
    "line1": "200 OAK AVE",
    "line2": "SUITE 5",
    "city": "NEW YORK",
    "state": "NY",
    "postal": "100011234",
}
HOBOKEN = {"line1": "300 ELM ST", "city": "HOBOKEN", "state": "NJ", "postal": "07030", "country": "US"}
ROWS = [
    row(
        "1000000129",
        "1",
        ["225100000X"],
        first="JANE",
        last="DOE",
        credentials="PT, DPT",
        phone="5035550100",
        **PORTLAND,
    ),
    # A PT whose PT code is not the first one; same address written in another case
    row(
        "1000000202",
        "1",
        ["390200000X", "", "2251X0800X"],
        first="SAM",
        last="ROE",
        credentials="PT",
        phone="5035550100",
        **dict(PORTLAND, line1="100 Main St"),
    ),
    row(
        "1000000384",
        "2",
        ["261QP2000X"],
        organization="RIVERSIDE PHYSICAL THERAPY LLC",
        phone="2125550101",
        **NEW_YORK,
    ),
    row("1000000467", "1", ["2251S0007X"], first="ALEX", last="POE", credentials="DPT", **NEW_YORK),
    row(
        "1000000533", "1", ["225200000X"], first="PAT", last="ASSISTANT", phone="2125550102", **NEW_YORK
    ),  # PTA
    row(
        "1000000616",
        "1",
        ["225100000X"],
        first="GONE",
        last="AWAY",
        phone="2015550103",
        deactivated="01/02/2024",
        **HOBOKEN,
    ),
    row(
        "1000000798",
        "1",
        ["225100000X"],
        first="CHRIS",
        last="LEE",
        phone="201-555-0104",
        deactivated="01/02/2020",
        reactivated="03/04/2021",
        **HOBOKEN,
    ),
    row(
        "1000000871",
        "1",
        ["225100000X"],
        first="ABROAD",
        last="PT",
        phone="4165550100",
        line1="1 KING ST",
        city="TORONTO",
        state="ON",
        postal="M5H1A1",
        country="CA",
    ),
    row("1000000954", "1", ["207Q00000X"], first="FAMILY", last="DOCTOR", phone="5035550105", **PORTLAND),
]


def write_file(folder: Path, rows: list[dict], *, name: str = FILE_NAME, header: list[str] = HEADER) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for values in rows:
            writer.writerow([values.get(column, "") for column in header])
    return path


def zip_file(folder: Path, csv_path: Path) -> Path:
    bundle = folder / "NPPES_Data_Dissemination_January_2026.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, csv_path.name)
        archive.writestr(csv_path.name.replace(".csv", "_FileHeader.csv"), ",".join(HEADER))
        archive.writestr("pl_pfile_20260105-20260111.csv", "not this one")
    return bundle


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_nppes", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def failure(path: Path, *args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_nppes", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def check_fixture_clinics() -> None:
    """The clinics the fixture rows describe, and nothing else."""
    assert Clinic.objects.count() == 3
    portland = Clinic.objects.get(city="Portland")
    assert (portland.name, portland.address, portland.state, portland.zip_code) == (
        "Physical therapists at 100 Main St",
        "100 Main St",
        "OR",
        "97201",
    )
    assert portland.phone == "5035550100"
    assert [(t.name, t.credentials, t.npi) for t in portland.therapists.all()] == [
        ("Jane Doe", "PT, DPT", "1000000129"),
        ("Sam Roe", "PT", "1000000202"),
    ]
    riverside = Clinic.objects.get(npi="1000000384")
    assert (riverside.name, riverside.address, riverside.zip_code, riverside.phone) == (
        "Riverside Physical Therapy LLC",
        "200 Oak Ave, Suite 5",
        "10001",
        "2125550101",
    )
    assert [t.name for t in riverside.therapists.all()] == ["Alex Poe"]  # not the assistant
    hoboken = Clinic.objects.get(city="Hoboken")
    assert hoboken.name == "Chris Lee"  # reactivated; the deactivated PT there is left out
    assert [t.npi for t in hoboken.therapists.all()] == ["1000000798"]
    for clinic in Clinic.objects.all():
        assert clinic.source_date == datetime.date(2026, 1, 11)
        assert (clinic.offers_dry_needling, clinic.dry_needling_unconfirmed) == (False, True)
        assert not clinic.new_patients_known
        assert clinic.latitude is not None


def test_imports_the_clinics_the_fixture_rows_describe(db, tmp_path):
    out = run(write_file(tmp_path, ROWS))
    check_fixture_clinics()
    assert "Read 9 rows" in out
    assert "left out: 1 deactivated NPIs" in out
    assert "left out: 1 practice addresses outside the US states and territories" in out
    assert "3 clinics: 3 created, 0 updated, 0 unchanged, 0 retired." in out


def test_imports_the_zip_as_published(db, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    out = run(zip_file(tmp_path, write_file(folder, ROWS)))
    check_fixture_clinics()
    assert "3 clinics: 3 created" in out


def test_rerun_is_idempotent_and_a_dry_run_writes_nothing(db, tmp_path):
    path = write_file(tmp_path, ROWS)
    assert "3 created" in run(path, "--dry-run")
    assert Clinic.objects.count() == 0
    run(path)
    out = run(path)
    assert "3 clinics: 0 created, 0 updated, 3 unchanged, 0 retired." in out
    assert Therapist.objects.count() == 4
    check_fixture_clinics()


def test_next_month_updates_adds_retires_and_keeps_staff_edits(db, tmp_path):
    run(write_file(tmp_path, ROWS))
    riverside = Clinic.objects.get(npi="1000000384")
    riverside.phone, riverside.offers_dry_needling, riverside.dry_needling_unconfirmed = (
        "2125550199",
        True,
        False,
    )
    riverside.staff_edited_fields = ["dry_needling_unconfirmed", "offers_dry_needling", "phone"]
    riverside.save()
    portland = Clinic.objects.get(address="100 Main St")
    Therapist.objects.create(clinic=portland, name="Robin Staffadded", credentials="PT")  # in the admin

    later = tmp_path / "later"
    later.mkdir()
    next_month = [
        ROWS[0],  # Sam Roe has left
        dict(ROWS[2], **{"Provider Business Practice Location Address Telephone Number": "2125550111"}),
        row(
            "1000000103",
            "2",
            ["261QP2000X"],
            organization="NEW CLINIC PC",
            phone="5035550106",
            line1="1 RIVER RD",
            city="PORTLAND",
            state="OR",
            postal="97209",
        ),
        dict(
            ROWS[6], **{"NPI Deactivation Date": "01/02/2026", "NPI Reactivation Date": ""}
        ),  # Chris Lee leaves
    ]
    path = write_file(later, next_month, name="npidata_pfile_20260202-20260208.csv")
    message, _ = failure(path)  # one of three clinics leaves: more than 5%
    assert "would retire 1 of the 3 registry clinics it manages (NJ 1)" in message
    assert "--allow-retire" in message
    assert Clinic.objects.listed().count() == 3 and Clinic.objects.count() == 3
    out = run(path, "--allow-retire")
    assert "1 created, 2 updated, 0 unchanged, 1 retired." in out  # Riverside: a newer file date
    assert "Kept staff edits on 1 clinic(s)." in out
    hoboken = Clinic.objects.get(city="Hoboken")  # retired: kept, hidden from search
    assert hoboken.retired_on is not None
    assert not Clinic.objects.listed().filter(city="Hoboken").exists()
    portland = Clinic.objects.get(address="100 Main St")
    # Sam Roe (registry) is gone; the therapist staff added, who has no NPI, stays
    assert [t.name for t in portland.therapists.all()] == ["Jane Doe", "Robin Staffadded"]
    assert portland.name == "Jane Doe"  # the registry names a one-therapist address after them
    assert portland.source_date == datetime.date(2026, 2, 8)
    riverside.refresh_from_db()
    assert riverside.phone == "2125550199"  # the staff's number, not the registry's
    assert (riverside.offers_dry_needling, riverside.dry_needling_unconfirmed) == (True, False)
    assert Clinic.objects.get(npi="1000000103").name == "New Clinic PC"


def test_a_retired_clinic_keeps_its_staff_edits_and_comes_back_with_the_registry(db, tmp_path, client):
    run(write_file(tmp_path, ROWS))
    hoboken = Clinic.objects.get(city="Hoboken")
    hoboken.phone, hoboken.staff_edited_fields = "2015550188", ["phone"]  # confirmed by phone
    hoboken.save()
    later = tmp_path / "later"
    later.mkdir()
    gone = [r for r in ROWS if r is not ROWS[6]]  # the Hoboken therapist is no longer listed
    run(write_file(later, gone, name="npidata_pfile_20260202-20260208.csv"), "--allow-retire")
    hoboken.refresh_from_db()
    assert hoboken.retired_on is not None and hoboken.phone == "2015550188"
    assert client.get(hoboken.get_absolute_url()).status_code == 404
    assert "Chris Lee" not in client.get("/find-a-pt/?location=07030&dry_needling=any").content.decode()

    back = tmp_path / "back"
    back.mkdir()
    out = run(write_file(back, ROWS, name="npidata_pfile_20260302-20260308.csv"))
    assert "0 retired" in out
    hoboken.refresh_from_db()
    assert hoboken.retired_on is None and hoboken.phone == "2015550188"  # listed again, edit kept
    # (another address: the test's transaction never commits, so the cached page is not bumped)
    assert "Chris Lee" in client.get("/find-a-pt/?location=07030&dry_needling=any&radius=50").content.decode()


def test_state_filter_imports_and_retires_only_within_those_states(db, tmp_path):
    out = run(write_file(tmp_path, ROWS), "--state", "ny", "--state", "Oregon")
    assert sorted(Clinic.objects.values_list("state", flat=True)) == ["NY", "OR"]
    assert "in NY, OR" in out
    run(write_file(tmp_path, ROWS), "--state", "NJ")
    assert Clinic.objects.listed().count() == 3  # NJ added; NY and OR untouched, not retired
    only_nj = [r for r in ROWS if "HOBOKEN" in r.values()]
    out = run(write_file(tmp_path, only_nj), "--state", "NJ", "--dry-run")  # nothing outside NJ retires
    assert "0 retired" in out
    message, _ = failure(write_file(tmp_path, ROWS), "--state", "XX")
    assert "“XX” is not a US state code" in message


def test_columns_are_found_by_name_whatever_their_order_or_old_names(db, tmp_path):
    header = ["Provider Gender Code" if c == "Provider Sex Code" else c for c in reversed(HEADER)]
    run(write_file(tmp_path, ROWS, header=header))
    check_fixture_clinics()


def test_bad_files_are_reported_clearly_and_import_nothing(db, tmp_path):
    header = [c for c in HEADER if c != "NPI Deactivation Date"]
    message, err = failure(write_file(tmp_path, ROWS, header=header))
    assert "missing column “NPI Deactivation Date”" in err
    assert message == f"Nothing was imported from {FILE_NAME} (see above)."
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "the file is empty" in failure(empty)[1]
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "holds no npidata_pfile_*.csv file" in failure(other)[1]
    assert "is not a file" in failure(tmp_path / "missing.zip")[0]
    assert Clinic.objects.count() == 0


def test_imported_clinic_page_asks_instead_of_claiming(client, db, tmp_path):
    run(write_file(tmp_path, ROWS))
    page = client.get(Clinic.objects.get(city="Hoboken").get_absolute_url()).content.decode()
    assert "Ask whether they offer dry needling" in page
    assert "Ask whether they take new patients" in page
    assert "Offers dry needling" not in page and "Taking new patients" not in page
