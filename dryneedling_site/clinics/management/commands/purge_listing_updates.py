"""python manage.py purge_listing_updates [--dry-run]"""

from django.core.management.base import BaseCommand, CommandParser

from dryneedling_site.clinics.listing_updates import LISTING_UPDATE_CONTACT_DAYS, purge_contacts


class Command(BaseCommand):
    help = (
        "Delete the sender's name, role and contact from listing updates closed more than "
        f"{LISTING_UPDATE_CONTACT_DAYS} days ago (what was asked and decided stays). Run it daily "
        "with purge_feedback."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        count = purge_contacts(dry_run=dry_run)
        verb = "Dry run, nothing changed: would delete" if dry_run else "Deleted"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} the sender's contact from {count} closed listing update(s).")
        )
