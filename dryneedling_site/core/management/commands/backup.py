"""python manage.py backup [DIR] [--keep N]"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dryneedling_site.core.backup import BackupError, make_backup, prune


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump --format=custom on PostgreSQL, SQLite's online backup API "
        "on SQLite), the uploaded media and a manifest (app version, row counts per model, "
        "checksums) into DIR, a new folder. Without DIR: a dated folder in DJANGO_BACKUP_DIR. "
        "Safe while the site runs. The secret key is never included: keep the environment file "
        "apart. Restore with `manage.py restore DIR`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", metavar="DIR", help="A new or empty folder.")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Afterwards, delete all but the newest N complete backups in DIR's parent folder "
            "(folders with a manifest; nothing else there is touched).",
        )

    def handle(self, *args, folder: str | None, keep: int | None, **options) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more (the backup just made counts).")
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
        target = Path(folder) if folder else Path(settings.BACKUP_DIR) / stamp
        try:
            manifest = make_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows in {len(manifest['row_counts'])} tables and "
                f"{len(manifest['media'])} media files to {target} (version {manifest['app_version']})."
            )
        )
        if keep is not None:
            for old in prune(target.parent, keep):
                self.stdout.write(f"Deleted the older backup {old}.")
