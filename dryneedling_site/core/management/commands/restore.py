"""python manage.py restore DIR [--force]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from dryneedling_site.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this site's database and media folder. "
        "The database must be empty (a new one: createdb, or a deleted SQLite file) unless --force, "
        "which replaces everything in it. Checks every file against the manifest and every "
        "model's row count afterwards, then invalidates every cached page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", metavar="DIR", help="A backup folder (it has a manifest.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already has tables, and media files of the same name.",
        )

    def handle(self, *args, folder: str, force: bool, **options) -> None:
        try:
            report = restore_backup(Path(folder), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"The database refused the restore: {error}") from error
        except Exception as error:
            # The data is in place by now; only the cache could not be reached.
            if type(error).__module__.startswith(("redis", "django.core.cache")):
                raise CommandError(
                    f"Restored, but the page cache could not be invalidated ({error}). Until it is, "
                    "pages from before the restore may be served: start Redis and run "
                    "`redis-cli -n DB FLUSHDB`, or run the restore again with --force."
                ) from error
            raise
        manifest = report.manifest
        rows = sum(report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created']} (version {manifest['app_version']}): "
                f"{rows} rows, every table's count as in the manifest; {report.media_files} media files. "
                f"Cached pages invalidated ({', '.join(report.scopes_bumped) or 'no scopes'})."
            )
        )
        if not settings.REDIS_URL:
            self.stdout.write(
                "No REDIS_URL: each app process keeps its own page cache. Restart the app server "
                "so none of them serves a page from before the restore."
            )
        self.stdout.write(
            "Next: `manage.py migrate` if this code is newer than the backup, then start the site."
        )
