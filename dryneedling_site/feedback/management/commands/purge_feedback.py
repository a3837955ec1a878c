"""python manage.py purge_feedback [--older-than DAYS] [--dry-run]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.feedback.services import feedback_purge


class Command(BaseCommand):
    help = (
        "Delete readers' comments older than DAYS (default FEEDBACK_RETENTION_DAYS, 90) and "
        "forget which visitor gave answers that old. The Yes/No answers stay, so the counts "
        "do not change. Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.FEEDBACK_RETENTION_DAYS,
            metavar="DAYS",
            help=f"Age in days (default {settings.FEEDBACK_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, older_than: int, dry_run: bool, **options) -> None:
        if older_than < 1:
            raise CommandError("--older-than must be a whole number of days, 1 or more.")
        report = feedback_purge(older_than_days=older_than, dry_run=dry_run)
        prefix = "Dry run, nothing changed: would remove" if dry_run else "Removed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} {report.comments_removed} comment{'s' if report.comments_removed != 1 else ''} "
                f"older than {older_than} days and forgot the visitor of "
                f"{report.visitors_forgotten} answer{'s' if report.visitors_forgotten != 1 else ''}. "
                "Yes/No counts are unchanged."
            )
        )
