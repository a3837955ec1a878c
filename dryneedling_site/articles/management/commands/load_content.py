"""python manage.py load_content [PATH] [--pages PATH] [--dry-run] [--force]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dryneedling_site.articles.loader import (
    ContentError,
    LoadReport,
    load_articles,
    load_pages,
    translation_folders,
)


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
        parser.add_argument(
            "--pages",
            help="Folder of site pages (about.md, privacy.md). Default: content/pages, "
            "when PATH is not given either.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, then roll back.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite articles edited in the admin too."
        )

    def handle(self, *args, path: str, pages: str | None, dry_run: bool, force: bool, **options) -> None:
        folder = Path(path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder of Markdown files.")
        pages_folder = self._pages_folder(path, pages)
        try:
            # One transaction: a bad page file leaves the articles untouched too.
            with transaction.atomic():
                report = load_articles(folder, force=force)
                # Translations after the English they name: content/articles/<language>/.
                for language in translation_folders(folder):
                    _merge(report, load_articles(language, force=force))
                page_report = load_pages(pages_folder, force=force) if pages_folder else None
                if dry_run:  # the whole load, rolled back at once (translations need the English)
                    transaction.set_rollback(True)
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
        self.stdout.write(self.style.SUCCESS(f"{prefix}{_counts(report)}"))
        if page_report:
            for slug in page_report.skipped:
                self.stdout.write(
                    self.style.WARNING(
                        f"Skipped page {slug}: edited in the admin (use --force to overwrite)."
                    )
                )
            self.stdout.write(self.style.SUCCESS(f"{prefix}Site pages: {_counts(page_report)}"))

    @staticmethod
    def _pages_folder(path: str, pages: str | None) -> Path | None:
        """An explicit --pages must exist; the default is used only with the default articles folder."""
        if pages:
            folder = Path(pages)
            if not folder.is_dir():
                raise CommandError(f"{folder} is not a folder of Markdown files.")
            return folder
        default = settings.BASE_DIR / "content" / "pages"
        if (
            Path(path).resolve() == (settings.BASE_DIR / "content" / "articles").resolve()
            and default.is_dir()
        ):
            return default
        return None


def _counts(report: LoadReport) -> str:
    return (
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
    )


def _merge(report: LoadReport, more: LoadReport) -> None:
    """Add a translation folder's results to the English report."""
    for name in ("created", "updated", "unchanged", "skipped"):
        getattr(report, name).extend(getattr(more, name))
    report.grades.update(more.grades)
