"""python manage.py import_nppes FILE [--state XX ...] [--dry-run] [--allow-retire]"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.clinics import geo, importer_batches
from dryneedling_site.clinics.importer import (
    MAX_PROBLEMS_SHOWN,
    EditedDuringImport,
    ImportFailed,
)
from dryneedling_site.clinics.importer_batches import BatchedImport, run_batches
from dryneedling_site.clinics.nppes import (
    TooManyRetired,
    check_retirement,
    read_registry,
)


class Command(BaseCommand):
    help = (
        "Import physical therapists and PT clinics from the CMS NPPES monthly file (the ZIP as "
        "published, or the npidata_pfile_*.csv inside it). Re-running with a newer file updates, "
        "adds and retires clinics (hidden, never deleted); fields staff edited in the admin are never "
        "changed. An import that would retire more than 5% of the clinics stops unless --allow-retire."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="NPPES_Data_Dissemination_*.zip or npidata_pfile_*.csv")
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            metavar="XX",
            help="Only practices in this state (two letters); repeat for more states.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report; write nothing.")
        parser.add_argument(
            "--file-date",
            type=datetime.date.fromisoformat,
            help="The data's date (YYYY-MM-DD) when the file name does not carry it.",
        )
        parser.add_argument(
            "--allow-retire",
            action="store_true",
            help="Retire (hide) more than 5%% of the registry clinics if the file leaves them out.",
        )
        parser.add_argument(
            "--overwrite-staff-edits",
            action="store_true",
            help="Let the file replace fields staff changed in the admin (kept by default).",
        )

    def handle(self, *args, file: str, state: list[str], dry_run: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        states = set()
        for text in state:
            code = geo.state_code(text)
            if code is None:
                raise CommandError(f"“{text}” is not a US state code (use two letters, like OR).")
            states.add(code)
        started = time.monotonic()
        refused: TooManyRetired | None = None

        def retire_check(compared: BatchedImport) -> None:
            nonlocal refused
            try:
                check_retirement(compared.retire, states=states or None, allow_retire=options["allow_retire"])
            except TooManyRetired as too_many:
                if not dry_run:
                    raise
                refused = too_many

        try:
            # The file is read whole first (a damaged row stops it before anything is compared),
            # its clinics grouped in a scratch file; then compared and written a batch at a time.
            found = read_registry(
                path,
                states=states or None,
                source_date=options["file_date"],
                progress=self._progress,
                on_disk=True,
            )
            try:
                result = run_batches(
                    found.clinic_batches(importer_batches.BATCH),
                    key_field="source_key",
                    dry_run=dry_run,
                    overwrite_staff_edits=options["overwrite_staff_edits"],
                    registry=True,
                    states=states or None,
                    gate=retire_check,
                )
            finally:
                found.close()
        except (EditedDuringImport, TooManyRetired) as stopped:
            raise CommandError(str(stopped)) from None
        except ImportFailed as failure:
            for problem in failure.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported from {path.name} (see above).") from None
        report, plan = result.report, result.retire
        counts = [len(report.created), len(report.updated), len(report.unchanged), len(plan.retired)]

        seconds = time.monotonic() - started
        self.stdout.write(
            f"Read {found.rows:,} rows in {seconds:.1f} s: {found.kept:,} physical therapists and PT "
            f"clinics{' in ' + ', '.join(sorted(states)) if states else ''} "
            f"({found.organizations:,} organizations, {found.individuals:,} individuals)."
        )
        for reason, count in sorted(found.skipped.items()):
            self.stdout.write(f"  left out: {count:,} {reason}")
        if found.file_date is None:
            self.stdout.write(self.style.WARNING("The file name carries no date; use --file-date next time."))
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{result.clinics:,} clinics: {counts[0]:,} created, "
                f"{counts[1]:,} updated, {counts[2]:,} unchanged, {counts[3]:,} retired."
            )
        )
        if plan.retired_by_state:
            shown = ", ".join(f"{code} {count:,}" for code, count in sorted(plan.retired_by_state.items()))
            verb = "Would retire" if dry_run else "Retired"
            self.stdout.write(f"{verb} {len(plan.retired):,} of {plan.managed:,} clinics, by state: {shown}")
        if refused is not None:
            self.stdout.write(self.style.WARNING(f"Without --dry-run this import would stop: {refused}"))
        kept = result.kept
        if kept and not options["overwrite_staff_edits"]:
            self.stdout.write(f"Kept staff edits on {kept:,} clinic(s).")

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(f"  {stage} {done:,} rows")
