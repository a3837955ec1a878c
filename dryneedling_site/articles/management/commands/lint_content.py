"""python manage.py lint_content [--references PATH] [--pages PATH] [PATH]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.articles.lint import ReferenceListError, default_references_path, lint_content


class Command(BaseCommand):
    help = (
        "Check every article (the Markdown files and the database rows): reading grade, references "
        "from the allowed list, internal links, image alt text, summary length, key points, and the "
        "'When to get help' box on safety pages. Exits non-zero if any rule is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.BASE_DIR / "content" / "articles"),
            help="Folder of article .md files (default: content/articles).",
        )
        parser.add_argument(
            "--references",
            default=str(default_references_path()),
            help="YAML list of the references articles may cite (default: content/references.yaml).",
        )
        parser.add_argument(
            "--pages",
            default=str(settings.BASE_DIR / "content" / "pages"),
            help="Folder of site pages, so links to /about/ and /privacy/ count (default: content/pages).",
        )

    def handle(self, *args, path: str, references: str, pages: str, **options) -> None:
        folder = Path(path)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder of Markdown files.")
        try:
            report = lint_content(folder, Path(references), Path(pages))
        except ReferenceListError as error:
            raise CommandError(str(error)) from None
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        for finding in report.findings:
            self.stdout.write(str(finding))
        if report.findings:
            articles = len({f.article for f in report.findings})
            raise CommandError(
                f"{len(report.findings)} problem(s) in {articles} article(s); "
                f"{report.checked} article(s) checked."
            )
        self.stdout.write(self.style.SUCCESS(f"All {report.checked} article(s) pass the content checks."))
