"""How the clinic import commands report a refused file (one wording for every command)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper

from dryneedling_site.clinics.importer import MAX_PROBLEMS_SHOWN, ImportFailed


def refused(stderr: OutputWrapper, failure: ImportFailed, path: Path) -> CommandError:
    """Write the first problems to stderr; the error to raise says nothing was imported."""
    for problem in failure.problems[:MAX_PROBLEMS_SHOWN]:
        stderr.write(str(problem))
    hidden = len(failure.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        stderr.write(f"... and {hidden} more.")
    rows = len({p.row for p in failure.problems})
    return CommandError(
        f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} of {path.name} need fixing (see above)."
    )
