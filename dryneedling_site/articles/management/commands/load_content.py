"""python manage.py load_content [PATH] [--dry-run] [--force]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.articles.loader import ContentError, load_articles


class Command(BaseCommand):
    help = (
        "Load the guide's Markdown articles into the database. Safe to re-run: unchanged files "
        "write nothing, and articles edited in the admin are skipped unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.BASE_DIR / "content" / "articles"),
            help="Folder of .md files (default: content/articles).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, then roll back.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite articles edited in the admin too."
        )

    def handle(self, *args, path: str, dry_run: bool, force: bool, **options) -> None:
        folder = Path(path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder of Markdown files.")
        try:
            report = load_articles(folder, dry_run=dry_run, force=force)
        except ContentError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None

        for slug in report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {slug}: edited in the admin since it was last loaded "
                    "(use --force to overwrite)."
                )
            )
        if options["verbosity"] > 1 or dry_run:
            for slug, grade in report.grades.items():
                self.stdout.write(f"  {slug}: reading grade {grade:.1f}")
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
            )
        )
