"""python manage.py export_content [PATH]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dryneedling_site.articles.exporter import export_articles


class Command(BaseCommand):
    help = (
        "Write every article (drafts too) back to Markdown with front matter, in the schema "
        "load_content reads. Use it to keep content/ in step with edits made in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.BASE_DIR / "content" / "articles"),
            help="Folder to write .md files into (default: content/articles).",
        )

    def handle(self, *args, path: str, **options) -> None:
        written = export_articles(Path(path))
        for file in written:
            self.stdout.write(f"  wrote {file}")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} article(s) to {path}."))
