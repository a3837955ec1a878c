"""import_nppes on registry rows shaped as the registry really has them.

fixtures/npidata_pfile_20250407-20250413.csv: twelve fictional rows in the real 330-column
format, every value quoted as CMS ships them: PT practices registered as organizations with
225100000X, a multi-specialty group whose PT code is its sixth, a PT and an individual joining
the organization at their practice address, a deactivated NPI (blank but for NPI and date),
and rows that are not PTs. fixtures/npidata_pfile_resaved_by_pandas.csv is the same file after
pandas' read_csv/to_csv ("1.0" entity types, numbers unquoted).
"""

from __future__ import annotations

import csv
import io
import shutil
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dryneedling_site.clinics.lines import MAX_LINE_CHARS
from dryneedling_site.clinics.models import Clinic
from dryneedling_site.clinics.names import organization_name, person_name
from dryneedling_site.clinics.nppes import read_registry
from dryneedling_site.clinics.registry_values import npi_is_valid

FIXTURES = Path(__file__).parent / "fixtures"
REAL_ROWS = FIXTURES / "npidata_pfile_20250407-20250413.csv"
PANDAS_COPY = FIXTURES / "npidata_pfile_resaved_by_pandas.csv"


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_nppes", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(path: Path, *args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_nppes", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def test_pt_organizations_become_clinics_with_names_as_people_write_them(db):
    out = run(REAL_ROWS)
    assert "(4 organizations, 3 individuals)" in out
    names = sorted(Clinic.objects.values_list("name", flat=True))
    assert names == [
        "John MacDonald",
        "Lakeside Orthopaedic Group of Minnesota PA",
        "McWhorter Physical Therapy and Sports Medicine SC",
        "O'Neil Physical Therapy, PLLC",
        "Riverbend Rehabilitation Inc",
    ]
    mcwhorter = Clinic.objects.get(name__startswith="McWhorter")
    # The PT at the practice's address (written in another case) joins the organization's clinic.
    assert [t.display_name for t in mcwhorter.therapists.all()] == ["Kelly Schiller, PT, DPT"]
    assert (mcwhorter.address, mcwhorter.city) == ("1200 Example Pkwy, Ste 100", "Madison")
    riverbend = Clinic.objects.get(name="Riverbend Rehabilitation Inc")
    assert [t.display_name for t in riverbend.therapists.all()] == ["Maria O'Brien-McKay, PT"]
    assert not Clinic.objects.filter(name__icontains="assistant").exists()  # 225200000X only
    assert not Clinic.objects.filter(name__icontains="supply").exists()


def test_a_multi_specialty_group_listing_pt_says_it_also_offers_it(db, client):
    run(REAL_ROWS)
    group = Clinic.objects.get(name__startswith="Lakeside")
    assert group.multi_specialty
    assert not Clinic.objects.get(name__startswith="McWhorter").multi_specialty
    assert "Also offers physical therapy" in client.get(group.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("registry", "written"),
    [
        ("MCWHORTER PT AND SPORTS MEDICINE SC", "McWhorter PT and Sports Medicine SC"),
        ("CENTER OF EXCELLENCE FOR PT, LLC", "Center of Excellence for PT, LLC"),
        ("THE REHAB PLACE INC.", "The Rehab Place Inc."),
        ("MACK PHYSICAL THERAPY PC", "Mack Physical Therapy PC"),
    ],
)
def test_organization_names(registry, written):
    assert organization_name(registry) == written


def test_person_names():
    assert person_name("KELLY", "SCHILLER") == "Kelly Schiller"
    assert person_name("SEAN", "O'NEIL-MCDONALD") == "Sean O'Neil-McDonald"


def test_npi_check_digit():
    assert npi_is_valid("1234567893")  # the example CMS publishes
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("1234567893.0")


def test_a_file_re_saved_by_pandas_is_refused_naming_the_column(db):
    message, err = refused(PANDAS_COPY)
    assert message == f"Nothing was imported from {PANDAS_COPY.name} (see above)."
    assert "Row 2: Entity Type Code: “2.0” is not 1 or 2; was the file re-saved by a spreadsheet?" in err
    assert Clinic.objects.count() == 0


def test_dates_in_another_format_are_refused(db, tmp_path):
    text = REAL_ROWS.read_text().replace('"03/14/2019"', '"2019-03-14"')
    path = tmp_path / REAL_ROWS.name
    path.write_text(text)
    _, err = refused(path)
    assert "Row 8: NPI Deactivation Date: “2019-03-14” is not a date written MM/DD/YYYY" in err
    assert Clinic.objects.count() == 0


def test_an_npi_failing_its_check_digit_is_refused(db, tmp_path):
    rows = list(csv.reader(REAL_ROWS.open(newline="")))
    rows[3][0] = rows[3][0][:9] + str((int(rows[3][0][9]) + 1) % 10)
    path = tmp_path / REAL_ROWS.name
    with path.open("w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    _, err = refused(path)
    assert f"Row 4: NPI: “{rows[3][0]}” is not a 10-digit NPI with a valid check digit" in err


def test_a_partial_file_stops_without_allow_retire_and_retires_nothing(db, tmp_path):
    run(REAL_ROWS)
    rows = list(csv.reader(REAL_ROWS.open(newline="")))
    wisconsin_only = [rows[0], *(r for r in rows[1:] if '"MN"' not in ",".join(f'"{v}"' for v in r))]
    path = tmp_path / "npidata_pfile_20250505-20250511.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(wisconsin_only)
    out = run(path, "--dry-run")
    assert "Would retire 2 of 5 clinics, by state: MN 2" in out
    assert "Without --dry-run this import would stop" in out
    message, _ = refused(path)
    assert "would retire 2 of the 5 registry clinics it manages (MN 2), more than 5%" in message
    assert Clinic.objects.listed().count() == 5
    assert "2 retired" in run(path, "--allow-retire")
    assert Clinic.objects.listed().count() == 3 and Clinic.objects.count() == 5


def test_a_100_mb_line_is_refused_as_read_without_holding_it(db, tmp_path):
    path = tmp_path / REAL_ROWS.name
    shutil.copy(REAL_ROWS, path)
    with path.open("a", encoding="utf-8") as handle:
        chunk = "x" * (1024 * 1024)
        for _ in range(100):  # one 100 MB line after the twelve good rows
            handle.write(chunk)
        handle.write("\n")
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as caught:
            read_registry(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    problem = caught.value.problems[0]
    assert problem.row == 14  # the header, twelve rows, then the long line
    assert f"longer than {MAX_LINE_CHARS // 1024} KB" in problem.message


def test_the_default_search_near_imported_only_clinics_lists_them_as_may_offer(db, client):
    run(REAL_ROWS)  # registry rows only: nobody has confirmed dry needling anywhere
    assert not Clinic.objects.filter(offers_dry_needling=True).exists()
    response = client.get("/find-a-pt/", {"location": "53703"})  # Madison, WI: the default search
    page = response.content.decode().split("<body", 1)[1]
    assert "We found no clinics" not in page
    assert "No clinic this near has told us it offers dry needling." in page
    heading = page.index("Clinics that may offer dry needling: ask whether they offer it")
    assert heading < page.index("McWhorter Physical Therapy and Sports Medicine SC")
    assert "may offer it: ask them." in page
    assert "Ask whether they offer dry needling" in page[heading:]
    listed = [clinic.name for clinic in response.context["page"]]
    assert "McWhorter Physical Therapy and Sports Medicine SC" in listed
    assert {clinic.group for clinic in response.context["page"]} == {"may_offer"}
