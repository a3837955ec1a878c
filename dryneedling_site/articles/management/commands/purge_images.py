"""python manage.py purge_images [--older-than HOURS] [--dry-run]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.articles.images import purge_unreferenced_images


class Command(BaseCommand):
    help = (
        "Delete uploaded article images that no article, site page or revision mentions, once "
        "older than HOURS (default ARTICLE_IMAGE_PURGE_HOURS, 24). Run it daily from the timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default = settings.ARTICLE_IMAGE_PURGE_HOURS
        parser.add_argument(
            "--older-than",
            type=float,
            default=default,
            metavar="HOURS",
            help=f"Grace period (default {default}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, older_than: float, dry_run: bool, **options) -> None:
        if older_than < 1:
            raise CommandError(
                "--older-than must be at least 1 hour, so an image being added is never deleted."
            )
        report = purge_unreferenced_images(older_than_hours=older_than, dry_run=dry_run)
        for name in report.removed:
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        verb = "Dry run, nothing deleted: would delete" if dry_run else "Deleted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(report.removed)} unreferenced image(s) older than {older_than:g} hours; "
                f"{report.kept} kept."
            )
        )
