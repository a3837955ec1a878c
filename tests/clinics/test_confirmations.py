"""The staff import of dry needling confirmations (an association's member list)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dryneedling_site.clinics.models import Clinic, ConfirmedBy

REAL_ROWS = Path(__file__).parent / "fixtures" / "npidata_pfile_20250407-20250413.csv"
SAMPLE_CLINICS = Path(__file__).parents[2] / "content" / "clinics-sample.csv"


def with_check_digit(nine: str) -> str:
    """A valid NPI for nine digits (Luhn over "80840" + the digits), so rows look real."""
    total = 24
    for position, char in enumerate(reversed(nine)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return nine + str((10 - total % 10) % 10)


NOT_LISTED = with_check_digit("199999999")
RECENT = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def registry(db) -> Clinic:
    call_command("import_nppes", str(REAL_ROWS), stdout=io.StringIO(), stderr=io.StringIO())
    clinic = Clinic.objects.get(name__startswith="McWhorter")
    assert clinic.npi and clinic.dry_needling_unconfirmed and not clinic.offers_dry_needling
    return clinic


def run(path: Path, *options: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_confirmations", str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}\n{err.getvalue()}") from None
    return out.getvalue()


def write(tmp_path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    path = tmp_path / "members.csv"
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(("\ufeff" if bom else "").encode() + data.encode())
    return path


def test_dry_run_writes_nothing_then_the_import_confirms_and_survives_a_reimport(client, registry, tmp_path):
    path = write(
        tmp_path,
        f'"npi","offers_dry_needling","confirmed_on"\n"{registry.npi}","yes","{RECENT}"\n'
        f'"{NOT_LISTED}","yes","{RECENT}"\n',
    )
    report = run(path, "--dry-run")
    assert "Dry run, nothing saved: 1 clinic(s) confirmed" in report
    assert f"NPI {NOT_LISTED} is not in the directory" in report
    registry.refresh_from_db()
    assert registry.dry_needling_unconfirmed and registry.dry_needling_confirmed_on is None

    assert "1 clinic(s) confirmed" in run(path)
    registry.refresh_from_db()
    assert registry.offers_dry_needling and not registry.dry_needling_unconfirmed
    assert registry.dry_needling_confirmed_on.isoformat() == RECENT
    date = f"{registry.dry_needling_confirmed_on:%-d %B %Y}"
    page = client.get(registry.get_absolute_url(), {"radius": "25"}).content.decode()
    assert f"Dry needling confirmed on {date} (a professional association's member list)" in page

    call_command("import_nppes", str(REAL_ROWS), stdout=io.StringIO(), stderr=io.StringIO())
    registry.refresh_from_db()
    assert registry.offers_dry_needling and registry.dry_needling_confirmed_on.isoformat() == RECENT
    results = client.get("/find-a-pt/", {"location": "53703"}).content.decode()
    assert results.index("Clinics that offer dry needling<") < results.index("McWhorter")
    again = run(path)
    assert "0 clinic(s) confirmed" in again and "1 unchanged" in again


def test_a_spreadsheet_saved_copy_with_bom_crlf_and_extra_columns_reads(registry, tmp_path):
    therapist_npi = registry.therapists.exclude(npi="").values_list("npi", flat=True).first()
    npi = therapist_npi or registry.npi
    path = write(
        tmp_path, f"Member name,NPI,Offers dry needling,Date\nKelly,{npi},Yes,{RECENT}\n", bom=True, crlf=True
    )
    assert "1 clinic(s) confirmed" in run(path)
    registry.refresh_from_db()
    assert registry.offers_dry_needling and registry.dry_needling_confirmed_on.isoformat() == RECENT


def test_a_no_takes_the_clinic_out_of_may_offer(registry, tmp_path):
    path = write(tmp_path, f"npi,offers_dry_needling,confirmed_on\n{registry.npi},no,2026-03-01\n")
    assert "1 as not offering it" in run(path)
    registry.refresh_from_db()
    assert not registry.offers_dry_needling and not registry.dry_needling_unconfirmed
    assert registry.dry_needling_confirmed_on is None


def test_the_clinics_own_newer_word_is_kept(registry, tmp_path):
    Clinic.objects.filter(pk=registry.pk).update(
        offers_dry_needling=False,
        dry_needling_unconfirmed=False,
        dry_needling_confirmed_on="2026-04-01",
        dry_needling_confirmed_by=ConfirmedBy.CLINIC,
    )
    path = write(tmp_path, f"npi,offers_dry_needling,confirmed_on\n{registry.npi},yes,2026-03-01\n")
    report = run(path)
    assert "kept: the clinic confirmed it itself on 2026-04-01" in report
    registry.refresh_from_db()
    assert not registry.offers_dry_needling


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "npi,offers_dry_needling,confirmed_on\n{npi},yes,3/1/2026\n",
            "Row 2: confirmed_on: “3/1/2026” is not a date written YYYY-MM-DD",
        ),
        (
            "npi,offers_dry_needling,confirmed_on\n1.23457E+09,yes,2026-03-01\n",
            "a spreadsheet rewrote; was the file re-saved by a spreadsheet?",
        ),
        (
            "npi,offers_dry_needling,confirmed_on\n1234567890,yes,2026-03-01\n",
            "Row 2: npi: “1234567890” is not a 10-digit NPI",
        ),
        (
            "npi,offers_dry_needling,confirmed_on\n{npi},maybe,2026-03-01\n",
            "Row 2: offers_dry_needling: “maybe” should be yes or no",
        ),
        ("npi,offers_dry_needling,confirmed_on\n{npi},yes,2999-01-01\n", "2999-01-01 is in the future"),
        (
            "npi,offers_dry_needling,confirmed_on\n{npi},yes,2026-03-01\n{npi},no,2026-03-02\n",
            "Row 3: npi: {npi} is also on row 2",
        ),
        ("npi,offers\n{npi},yes\n", "Row 1: confirmed_on: column is missing"),
    ],
)
def test_a_wrong_row_refuses_the_whole_file_naming_row_and_column(registry, tmp_path, text, expected):
    # one good row first: it must not be written either
    path = write(tmp_path, text.format(npi=registry.npi))
    with pytest.raises(CommandError, match="Nothing was imported") as failure:
        run(path)
    assert expected.format(npi=registry.npi) in str(failure.value)
    registry.refresh_from_db()
    assert registry.dry_needling_unconfirmed and registry.dry_needling_confirmed_on is None


def test_a_wrong_file_is_refused(registry, tmp_path):
    with pytest.raises(CommandError, match="npi: column is missing"):
        run(SAMPLE_CLINICS)
    workbook = tmp_path / "members.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4\x00\x00\x00")
    with pytest.raises(CommandError, match="not UTF-8 text; save it as “CSV UTF-8”"):
        run(workbook)
    assert not Clinic.objects.filter(dry_needling_confirmed_on__isnull=False).exists()
