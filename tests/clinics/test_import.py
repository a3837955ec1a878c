"""python manage.py import_clinics: every row checked, all or nothing, re-import updates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dryneedling_site.clinics.importer import REQUIRED_COLUMNS, import_clinics
from dryneedling_site.clinics.models import Clinic, Language, Therapist

SAMPLE_CSV = Path(settings.BASE_DIR) / "content" / "clinics-sample.csv"
COLUMNS = [*REQUIRED_COLUMNS, "opening_hours", "latitude", "longitude"]
GOOD_ROWS = [
    {
        "name": "Harbor Physical Therapy",
        "address": "12 Example St",
        "city": "Portland",
        "state": "OR",
        "zip": "97201",
        "phone": "(503) 555-0134",
        "website": "https://example.com/harbor",
        "offers_dry_needling": "yes",
        "accepting_new_patients": "no",
        "languages": "English; spanish",
        "therapists": "Jordan Example, PT, DPT; Casey Sample, PT",
        "opening_hours": "Mon-Fri 8am-6pm",
    },
    {
        "name": "Hoboken Rehab",
        "address": "1 Sample Ave, Suite 2",
        "city": "Hoboken",
        "state": "nj",
        "zip": "07030-1234",
        "phone": "201.555.0101",
        "website": "",
        "offers_dry_needling": "No",
        "accepting_new_patients": "Yes",
        "languages": "",
        "therapists": "",
        "latitude": "40.7440",
        "longitude": "-74.0300",
    },
    {
        "name": "Midtown PT",
        "address": "5 Placeholder Rd",
        "city": "New York",
        "state": "NY",
        "zip": "10001",
        "phone": "+1 212 555 0199",
        "website": "http://example.com/midtown",
        "offers_dry_needling": "true",
        "accepting_new_patients": "1",
        "languages": "English, Mandarin",
        "therapists": "Riley Placeholder, PT, DPT, OCS",
    },
]


def write_csv(path: Path, rows: list[dict], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in columns} for row in rows)
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clinics", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failure(path: Path, *args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_clinics", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def test_import_a_good_file(db, tmp_path):
    out, err = run(write_csv(tmp_path / "clinics.csv", GOOD_ROWS))
    assert "3 clinics: 3 created, 0 updated, 0 unchanged." in out
    assert err == ""

    harbor = Clinic.objects.get(slug="harbor-physical-therapy-portland-or")
    assert (harbor.phone, harbor.phone_display) == ("5035550134", "(503) 555-0134")
    assert (harbor.latitude, harbor.longitude) == (45.5078, -122.6897)  # from ZIP 97201
    assert harbor.offers_dry_needling is True
    assert harbor.accepting_new_patients is False
    assert harbor.opening_hours == "Mon-Fri 8am-6pm"
    assert [str(t) for t in harbor.therapists.all()] == ["Casey Sample, PT", "Jordan Example, PT, DPT"]
    assert [language.name for language in harbor.languages.all()] == ["English", "Spanish"]

    hoboken = Clinic.objects.get(name="Hoboken Rehab")
    assert (hoboken.state, hoboken.zip_code) == ("NJ", "07030")  # upper-cased; ZIP+4 trimmed
    assert (hoboken.latitude, hoboken.longitude) == (40.744, -74.03)  # given in the file
    assert hoboken.offers_dry_needling is False
    assert hoboken.therapists.count() == 0

    midtown = Clinic.objects.get(name="Midtown PT")
    assert midtown.therapists.get().display_name == "Riley Placeholder, PT, DPT, OCS"
    assert sorted(Language.objects.values_list("slug", flat=True)) == ["english", "mandarin", "spanish"]


def test_reimporting_the_same_file_updates_and_never_duplicates(db, tmp_path):
    path = write_csv(tmp_path / "clinics.csv", GOOD_ROWS)
    run(path)
    harbor = Clinic.objects.get(name="Harbor Physical Therapy")
    jordan = harbor.therapists.get(name="Jordan Example")
    jordan.dry_needling_training = "Level 1 and 2, 54 hours"  # added by staff in the admin
    jordan.save()

    out, _ = run(path)
    assert "3 clinics: 0 created, 0 updated, 3 unchanged." in out
    assert Clinic.objects.count() == 3
    assert Therapist.objects.count() == 3
    assert Language.objects.count() == 3

    changed = [dict(GOOD_ROWS[0], phone="503-555-0177", therapists="Jordan Example, PT, DPT, OCS")]
    out, _ = run(write_csv(tmp_path / "changed.csv", changed))
    assert "1 clinic: 0 created, 1 updated, 0 unchanged." in out
    harbor.refresh_from_db()
    assert harbor.pk == Clinic.objects.get(name="Harbor Physical Therapy").pk
    assert harbor.phone == "5035550177"
    jordan = harbor.therapists.get()  # Casey is no longer listed
    assert (jordan.credentials, jordan.dry_needling_training) == ("PT, DPT, OCS", "Level 1 and 2, 54 hours")


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(db, tmp_path):
    bad_rows = [
        GOOD_ROWS[0],  # row 2 is fine, but is not imported either
        dict(GOOD_ROWS[1], state="ZZ"),  # row 3
        dict(GOOD_ROWS[2], zip="99999"),  # row 4
        dict(GOOD_ROWS[2], name="Phone PT", phone="555-0123"),  # row 5
        dict(GOOD_ROWS[2], name="Web PT", website="javascript:alert(1)"),  # row 6
        dict(GOOD_ROWS[2], name="Yes PT", offers_dry_needling="maybe"),  # row 7
        dict(GOOD_ROWS[2], name="Wrong State PT", state="CA"),  # row 8: 10001 is in New York
        dict(GOOD_ROWS[0]),  # row 9: the same clinic as row 2
        dict(GOOD_ROWS[2], name="", therapists=", PT"),  # row 10: two problems
        dict(GOOD_ROWS[2], name="Coordinates PT", latitude="95", longitude="-74"),  # row 11
    ]
    message, err = failure(write_csv(tmp_path / "bad.csv", bad_rows))
    assert message == "Nothing was imported: 9 rows of bad.csv need fixing (see above)."
    assert Clinic.objects.count() == 0
    assert Therapist.objects.count() == 0
    assert Language.objects.count() == 0
    lines = err.splitlines()
    assert "Row 3: state: “ZZ” is not a US state code (use two letters, like OR)" in lines
    assert "Row 4: zip: 99999 is not a ZIP code we know." in lines
    assert "Row 5: phone: Use a 10-digit US phone number, like (503) 555-0123." in lines
    assert "Row 6: website: Use a full web address starting with https:// or http://." in lines
    assert "Row 7: offers_dry_needling: write yes or no" in lines
    assert "Row 8: zip: 10001 is in NY, not CA; check the ZIP and state" in lines
    assert "Row 9: name: the same clinic as row 2 (same slug harbor-physical-therapy-portland-or)" in lines
    assert "Row 10: name: This field is required." in lines
    assert "Row 10: therapists: “, PT” has no name before the comma" in lines
    assert "Row 11: latitude: must be between -90 and 90" in lines
    assert not any(line.startswith("Row 2:") for line in lines)


def test_missing_and_unknown_columns_are_reported_before_any_row(db, tmp_path):
    columns = [c for c in COLUMNS if c != "phone"] + ["fax"]
    message, err = failure(write_csv(tmp_path / "columns.csv", GOOD_ROWS[:1], columns))
    assert "Row 1: fax: is not a known column (see docs/find-a-pt.md)" in err
    assert "Row 1: phone: column is missing" in err
    assert message.startswith("Nothing was imported")


def test_dry_run_checks_and_reports_but_saves_nothing(db, tmp_path):
    out, _ = run(write_csv(tmp_path / "clinics.csv", GOOD_ROWS), "--dry-run")
    assert "Dry run, nothing saved: 3 clinics: 3 created, 0 updated, 0 unchanged." in out
    assert Clinic.objects.count() == 0


def test_progress_is_shown_for_large_files(db, tmp_path):
    rows = [
        dict(GOOD_ROWS[2], name=f"Clinic {number}", phone=f"212555{number:04d}", therapists="")
        for number in range(1200)
    ]
    out, _ = run(write_csv(tmp_path / "large.csv", rows))
    assert "  checked 1,000 of 1,200 rows" in out
    assert "  saved 1,200 of 1,200 rows" in out
    assert Clinic.objects.count() == 1200
    small, _ = run(write_csv(tmp_path / "small.csv", GOOD_ROWS), "--dry-run")
    assert "checked" not in small


def test_progress_callback_reports_each_step(db, tmp_path):
    calls = []
    import_clinics(
        write_csv(tmp_path / "clinics.csv", GOOD_ROWS),
        progress=lambda *args: calls.append(args),
        progress_every=2,
    )
    assert calls == [("checked", 2, 3), ("saved", 3, 3)]


def test_files_that_cannot_be_read(db, tmp_path):
    missing, _ = failure(tmp_path / "nope.csv")
    assert missing == f"{tmp_path / 'nope.csv'} is not a file."
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(",".join(COLUMNS).encode() + b"\nCl\xednica,1 St,Portland,OR,97201\n")
    _, err = failure(latin1)
    assert "Row 1: the file is not UTF-8 text" in err
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(COLUMNS) + "\n")
    _, err = failure(empty)
    assert "the file has no clinics in it" in err


def test_short_row_is_reported(db, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(",".join(COLUMNS) + "\nHarbor PT,12 Example St\n")
    _, err = failure(path)
    assert f"Row 2: has 2 values but the header has {len(COLUMNS)} columns" in err


def test_shipped_sample_clinics_import_cleanly_and_are_clearly_fictional(db):
    out, _ = run(SAMPLE_CSV)
    clinics = list(Clinic.objects.prefetch_related("therapists"))
    assert 25 <= len(clinics) <= 35
    assert f"{len(clinics)} clinics: {len(clinics)} created" in out
    assert len({c.state for c in clinics}) >= 8
    for clinic in clinics:
        assert clinic.is_sample
        assert clinic.name.startswith("Sample ")
        assert clinic.phone[3:8] == "55501"  # 555-0100 to 555-0199 are reserved for fiction
        assert clinic.website.startswith("https://example.com/")
        for therapist in clinic.therapists.all():
            assert therapist.name.split()[-1] in {"Example", "Sample", "Placeholder", "Fictional", "Demo"}
    assert Clinic.objects.filter(offers_dry_needling=False).exists()
    assert Clinic.objects.filter(accepting_new_patients=False).exists()
    # Springfield is in three states, to show the city chooser.
    assert Clinic.objects.filter(city="Springfield").count() == 3


# --- Imports that never block the site, and never undo staff edits ---------------------------


def many_rows(count: int, prefix: str = "Clinic") -> list[dict]:
    return [
        dict(GOOD_ROWS[2], name=f"{prefix} {n}", phone=f"212555{n:04d}", therapists=f"Therapist {n}, PT")
        for n in range(count)
    ]


def statements_in_write_transaction(path: Path) -> tuple[int, list[str]]:
    """Run an import; count the SQL statements sent while the write transaction was open, and
    return the statements sent before it (which must only read)."""
    from django.db import connection

    inside, before = [], []

    def record(execute, sql, params, many, context):
        opening = sql.startswith("BEGIN")  # SQLite takes its write lock here (IMMEDIATE)
        (inside if connection.in_atomic_block or opening else before).append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        import_clinics(path)
    return len(inside), before


@pytest.mark.django_db(transaction=True)
def test_write_transaction_is_a_fixed_handful_of_statements_however_many_rows(tmp_path):
    import_clinics(write_csv(tmp_path / "first.csv", many_rows(1, "First")))  # languages exist now
    small, small_reads = statements_in_write_transaction(write_csv(tmp_path / "small.csv", many_rows(20)))
    assert Clinic.objects.count() == 21
    rows = many_rows(1200, "Large")
    large, large_reads = statements_in_write_transaction(write_csv(tmp_path / "large.csv", rows))
    assert Clinic.objects.count() == 1221 and Therapist.objects.count() == 1221
    # 20 or 1,200 new clinics: the same few statements (one executemany a table) while SQLite
    # holds the write lock; all the checking happened before, and only read.
    assert large == small <= 8
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in small_reads + large_reads)


def test_one_page_cache_bump_per_import_after_commit(
    db, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from dryneedling_site.core import pagecache

    bumps = []
    monkeypatch.setattr(pagecache, "bump_content_version", lambda *a, **k: bumps.append(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_clinics(write_csv(tmp_path / "clinics.csv", many_rows(50)))
    assert bumps == []  # nothing invalidated before the commit
    for callback in callbacks:
        callback()
    assert bumps == [1]


def test_reimport_keeps_what_staff_edited_unless_told_to_overwrite(db, tmp_path):
    from dryneedling_site.clinics.importer import check_rows, plan_import, read_csv

    path = write_csv(tmp_path / "clinics.csv", GOOD_ROWS)
    run(path)
    harbor = Clinic.objects.get(name="Harbor Physical Therapy")
    harbor.phone, harbor.staff_edited_fields = "5035550999", ["phone"]  # as the admin saves it
    harbor.save()

    changed = write_csv(
        tmp_path / "changed.csv", [dict(GOOD_ROWS[0], phone="503-555-0177", opening_hours="Mon 9-5")]
    )
    plan = plan_import(check_rows(read_csv(changed))[0])
    [planned] = plan.changed
    assert planned.changes == {
        "phone": ("5035550999", "5035550177"),
        "opening_hours": ("Mon-Fri 8am-6pm", "Mon 9-5"),
    }
    assert planned.kept == ["phone"]

    out, _ = run(changed)
    assert "Kept staff edits on 1 clinic(s)" in out
    harbor.refresh_from_db()
    assert (harbor.phone, harbor.opening_hours) == ("5035550999", "Mon 9-5")

    run(changed, "--overwrite-staff-edits")
    harbor.refresh_from_db()
    assert (harbor.phone, harbor.staff_edited_fields) == ("5035550177", [])


def test_an_admin_edit_made_while_the_file_was_compared_is_never_overwritten(db, tmp_path, monkeypatch):
    from dryneedling_site.clinics import importer_plan as importer

    run(write_csv(tmp_path / "clinics.csv", GOOD_ROWS))
    changed = write_csv(
        tmp_path / "changed.csv",
        [dict(GOOD_ROWS[0], phone="503-555-0177"), dict(GOOD_ROWS[1], phone="201-555-0177")],
    )
    real_plan = importer.plan_import

    def plan_then_someone_saves(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        harbor = Clinic.objects.get(name="Harbor Physical Therapy")
        harbor.phone, harbor.staff_edited_fields = "5035550999", ["phone"]  # as the admin saves it
        harbor.save()
        return plan

    monkeypatch.setattr(importer, "plan_import", plan_then_someone_saves)
    message, _ = failure(changed)
    assert message.startswith("1 clinic(s) were changed in the admin while this import was being checked")
    assert message.endswith("Nothing was written; run the import again.")
    assert Clinic.objects.get(name="Harbor Physical Therapy").phone == "5035550999"
    assert Clinic.objects.get(name="Hoboken Rehab").phone == "2015550101"  # all or nothing

    monkeypatch.setattr(importer, "plan_import", real_plan)
    run(changed)  # compared afresh: the staff's number is kept, the rest written
    assert Clinic.objects.get(name="Harbor Physical Therapy").phone == "5035550999"
    assert Clinic.objects.get(name="Hoboken Rehab").phone == "2015550177"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("zip", "٩٧٢٠١"),  # Arabic-Indic digits: the zipcodes extension panics on these
        ("zip", "９７２０１"),  # full-width
        ("phone", "５０３５５５０１３４"),
        ("latitude", "٤٥.٥"),
    ],
)
def test_non_ascii_digits_in_csv_are_a_clear_problem(db, tmp_path, column, value):
    row = dict(GOOD_ROWS[0], **{column: value})
    if column == "latitude":
        row["longitude"] = "-122.6"
    message, err = failure(write_csv(tmp_path / "unicode.csv", [row]))
    assert message.startswith("Nothing was imported")
    assert f"Row 2: {column}: Type this with the digits 0-9" in err
    assert Clinic.objects.count() == 0


def test_clinics_with_non_latin_names_in_one_city_stay_apart(db, tmp_path):
    rows = [dict(GOOD_ROWS[2], name="北京理疗"), dict(GOOD_ROWS[2], name="Физиотерапия")]
    path = write_csv(tmp_path / "names.csv", rows)
    run(path)
    assert Clinic.objects.count() == 2
    assert len(set(Clinic.objects.values_list("slug", flat=True))) == 2
    out, _ = run(path)  # the same file again finds the same two clinics
    assert "0 created, 0 updated, 2 unchanged" in out


def test_reimport_replaces_languages_unless_staff_set_them(db, tmp_path):
    run(write_csv(tmp_path / "clinics.csv", GOOD_ROWS))
    changed = [dict(GOOD_ROWS[0], languages="Vietnamese"), dict(GOOD_ROWS[2], languages="French")]
    midtown = Clinic.objects.get(name="Midtown PT")
    midtown.staff_edited_fields = ["languages"]
    midtown.save()
    out, _ = run(write_csv(tmp_path / "changed.csv", changed))
    assert "1 updated, 1 unchanged" in out and "Kept staff edits on 1 clinic(s)" in out
    harbor = Clinic.objects.get(name="Harbor Physical Therapy")
    assert [language.name for language in harbor.languages.all()] == ["Vietnamese"]
    midtown = Clinic.objects.get(name="Midtown PT")
    assert [language.name for language in midtown.languages.all()] == ["English", "Mandarin"]
