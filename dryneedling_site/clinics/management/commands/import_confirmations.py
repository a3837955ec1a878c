"""python manage.py import_confirmations FILE.csv [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.clinics.confirmations import apply_confirmations, plan_confirmations, read_confirmations
from dryneedling_site.clinics.importer import MAX_PROBLEMS_SHOWN, ImportFailed


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
            for problem in failure.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(str(problem))
            hidden = len(failure.problems) - MAX_PROBLEMS_SHOWN
            if hidden > 0:
                self.stderr.write(f"... and {hidden} more.")
            rows = len({p.row for p in failure.problems})
            raise CommandError(
                f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} of {path.name} "
                "need fixing (see above)."
            ) from None
        plan = plan_confirmations(confirmations) if dry_run else apply_confirmations(confirmations)
        for change in plan.changes:
            if change.action == "kept":
                self.stdout.write(f"  row {change.row}: {change.name} kept: {change.reason}")
        for missing in plan.not_listed[:MAX_PROBLEMS_SHOWN]:
            self.stdout.write(f"  row {missing.row}: NPI {missing.npi} is not in the directory (skipped)")
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + plan.summary()))
