"""python manage.py import_clinics FILE.csv [--dry-run] [--overwrite-staff-edits]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.clinics.importer import (
    EditedDuringImport,
    ImportFailed,
    import_clinics,
)
from dryneedling_site.clinics.management.commands._failures import refused


class Command(BaseCommand):
    help = (
        "Import clinics from a CSV file (columns in docs/find-a-pt.md). Every row is checked "
        "first; if any row has a problem nothing is imported. Re-importing a file updates its clinics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A CSV file, UTF-8, with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--overwrite-staff-edits",
            action="store_true",
            help="Let the file replace fields staff changed in the admin (kept by default).",
        )

    def handle(self, *args, file: str, dry_run: bool, overwrite_staff_edits: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            report = import_clinics(
                path, dry_run=dry_run, overwrite_staff_edits=overwrite_staff_edits, progress=self._progress
            )
        except EditedDuringImport as edited:
            raise CommandError(str(edited)) from None
        except ImportFailed as failure:
            raise refused(self.stderr, failure, path) from None

        prefix = "Dry run, nothing saved: " if dry_run else ""
        clinics = "clinic" if report.total == 1 else "clinics"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{report.total} {clinics}: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        )
        if report.kept_staff_edits:
            self.stdout.write(
                f"Kept staff edits on {report.kept_staff_edits} clinic(s); "
                "--overwrite-staff-edits replaces them."
            )

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(f"  {stage} {done:,} of {total:,} rows")
