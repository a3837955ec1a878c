"""python manage.py export_content [PATH] [--pages PATH]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dryneedling_site.articles.exporter import export_articles, export_pages


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
        parser.add_argument(
            "--pages",
            help="Folder to write the site pages (about.md, privacy.md) into. Default: content/pages, "
            "when PATH is not given either.",
        )

    def handle(self, *args, path: str, pages: str | None, **options) -> None:
        written = export_articles(Path(path))
        for file in written:
            self.stdout.write(f"  wrote {file}")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} article(s) to {path}."))
        default_articles = settings.BASE_DIR / "content" / "articles"
        if pages is None and Path(path).resolve() == default_articles.resolve():
            pages = str(settings.BASE_DIR / "content" / "pages")
        if pages is None:
            return
        written_pages = export_pages(Path(pages))
        for file in written_pages:
            self.stdout.write(f"  wrote {file}")
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written_pages)} site page(s) to {pages}."))
