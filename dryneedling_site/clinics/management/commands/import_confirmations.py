"""python manage.py import_confirmations FILE.csv [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.clinics.confirmations import apply_confirmations, plan_confirmations, read_confirmations
from dryneedling_site.clinics.importer import MAX_PROBLEMS_SHOWN, ImportFailed
from dryneedling_site.clinics.management.commands._failures import refused


class Command(BaseCommand):
    help = (
        "Import dry needling confirmations (an association's member list: npi, "
        "offers_dry_needling, confirmed_on). Every row is checked first; if any row has a "
        "problem nothing is written. Run with --dry-run first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A CSV file, UTF-8, with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            confirmations = read_confirmations(path)
        except ImportFailed as failure:
            raise refused(self.stderr, failure, path) from None
        plan = plan_confirmations(confirmations) if dry_run else apply_confirmations(confirmations)
        for change in plan.changes:
            if change.action == "kept":
                self.stdout.write(f"  row {change.row}: {change.name} kept: {change.reason}")
        for missing in plan.not_listed[:MAX_PROBLEMS_SHOWN]:
            self.stdout.write(f"  row {missing.row}: NPI {missing.npi} is not in the directory (skipped)")
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + plan.summary()))
