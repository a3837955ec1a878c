"""Import clinics: check every row first, then write all of them or none, in one short transaction.

Three modules, one step each, so other screens (an admin CSV upload, the NPI registry import)
can share them: importer_csv reads and checks a file, importer_plan compares it with what is
stored, importer_write writes a plan through the bulk writer importer_sql, importer_batches runs a
file a batch at a time; this module runs the whole import (everything is importable from
here, as before).

- `plan_import(rows)` reads and checks every row, places it on the map from the ZIP table,
  and compares it with what is stored. It only reads, so on SQLite (which takes the write lock
  at BEGIN) the site keeps answering votes and edits however long the file is.
- `apply_import(plan)` then writes what changed in one transaction with a fixed number of
  statements (one executemany a table), so the write lock is held for about a second even at
  hundreds of thousands of rows, and bumps the page cache once, after the commit. Bulk writes
  send no model signals, so no cache write happens per row.

Fields staff changed in the admin (`Clinic.staff_edited_fields`) are never overwritten unless
`overwrite_staff_edits=True` is asked for.

CSV row numbers are the spreadsheet's: the header is row 1, the first clinic row 2. A clinic is
known by its `slug` column, or else by its name, city and state, so importing the same file
again updates those clinics instead of adding copies.
"""

from __future__ import annotations

from pathlib import Path

from . import importer_batches
from .importer_csv import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    check_row,
    check_rows,
    checked_batches,
    count_rows,
    iter_csv,
    read_csv,
)
from .importer_plan import (
    LOOKUP_CHUNK,
    MAX_PROBLEMS_SHOWN,
    EditedDuringImport,
    ImportFailed,
    ImportPlan,
    ImportReport,
    PlannedClinic,
    Problem,
    Progress,
    TherapistRow,
    plan_import,
)
from .importer_write import apply_import

__all__ = [
    "LOOKUP_CHUNK",
    "MAX_PROBLEMS_SHOWN",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "EditedDuringImport",
    "ImportFailed",
    "ImportPlan",
    "ImportReport",
    "PlannedClinic",
    "Problem",
    "Progress",
    "TherapistRow",
    "apply_import",
    "check_row",
    "check_rows",
    "import_clinics",
    "plan_import",
    "read_csv",
]


def import_clinics(
    path: Path,
    *,
    dry_run: bool = False,
    overwrite_staff_edits: bool = False,
    progress: Progress | None = None,
    progress_every: int = 1000,
) -> ImportReport:
    """Check every row of a clinics CSV, then create or update its clinics in one transaction.

    Read, checked and compared a batch at a time (importer_batches), so memory stays flat at
    any file size. Raises ImportFailed (and writes nothing) if any row has a problem.
    """
    problems: list[Problem] = []
    total = count_rows(path) if progress else 0
    batches = checked_batches(
        iter_csv(path),
        problems,
        size=importer_batches.BATCH,
        total=total,
        progress=progress,
        progress_every=progress_every,
    )
    result = importer_batches.run_batches(
        batches, problems=problems, dry_run=dry_run, overwrite_staff_edits=overwrite_staff_edits
    )
    if progress and not dry_run:
        progress("saved", result.report.total, result.report.total)
    return result.report
