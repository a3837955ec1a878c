"""Backups that restore: the database, the uploaded media and a manifest that proves both.

A backup is one folder:
    manifest.json       what was saved: app version, database vendor, applied migrations, the
                        row count of every model, and a SHA-256 of every file below
    database.dump       PostgreSQL: `pg_dump --format=custom`, from the same snapshot as the counts
    database.sqlite3    SQLite: a copy made through SQLite's online backup API (safe while the
                        site runs, WAL included; a plain file copy is not)
    media/...           every uploaded file under MEDIA_ROOT

The secret key is never in a backup: it lives in the environment file, kept apart (see
docs/deployment.md, "Recovery"). The folder is written as DIR.partial and renamed when complete,
so a folder with a manifest is always a whole backup.

A restore goes into an empty database (or, when forced, replaces everything in it), checks each
file against the manifest, compares every model's row count afterwards, and finally bumps every
page-cache scope in the shared cache, so that no page rendered from the data that was replaced
is served again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from . import pagecache

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do."""


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict
    counts: dict[str, int]
    media_files: int
    scopes_bumped: list[str]


def app_version() -> str:
    """The installed package version, and the git commit when the code is a checkout."""
    try:
        version = metadata.version("dryneedling-site")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        commit = subprocess.run(  # noqa: S603
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+{commit}" if commit else version


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _models_with_tables(alias: str) -> list:
    tables = set(connections[alias].introspection.table_names())
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in tables
    ]


def _count_rows(cursor, models: list) -> dict[str, int]:
    quote = connections["default"].ops.quote_name
    counts = {}
    for model in models:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")  # noqa: S608 (table names)
        counts[model._meta.label] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def row_counts(alias: str = "default") -> dict[str, int]:
    """Rows per model (auto-created many-to-many tables too), as the database holds them now."""
    with connections[alias].cursor() as cursor:
        return _count_rows(cursor, _models_with_tables(alias))


def _applied_migrations(alias: str) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connections[alias]).applied_migrations())


def _pg_env(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore (the password goes in the environment)."""
    conf = connections[alias].settings_dict
    args = []
    if conf.get("HOST"):
        args += ["--host", conf["HOST"]]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", conf["USER"]]
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    return [*args, "--dbname", conf["NAME"]], env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    if not shutil.which(command[0]):
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{command[0]} failed:\n{result.stderr.strip()}")


def _dump_postgres(alias: str, target: Path) -> dict[str, int]:
    """pg_dump from the very snapshot the row counts were taken in, so they always agree."""
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, _models_with_tables(alias))
            args, env = _pg_env(alias)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target),
                    *args,
                ],
                env,
            )
        raw.rollback()
    finally:
        raw.autocommit = previous
    return counts


def _dump_sqlite(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # Counted in the copy itself: the live database may take a vote meanwhile.
        cursor = copy.cursor()
        counts = _count_rows(cursor, _models_with_tables(alias))
        cursor.close()
    finally:
        copy.close()
    return counts


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def _owner_only(folder: Path) -> None:
    """The dump holds password hashes, second-factor secrets and sessions: only the site's
    user may read a backup (folders 700, files 600), whatever the umask it ran under."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)


def make_backup(target: Path, *, alias: str = "default") -> dict:
    """Write a complete backup into `target` (which must not exist or be empty); its manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new folder for each backup.")
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    database_file = DATABASE_FILES[vendor]
    dump = _dump_postgres if vendor == "postgresql" else _dump_sqlite
    counts = dump(alias, partial / database_file)

    media_root = Path(settings.MEDIA_ROOT)
    media = {}
    for source in _media_files(media_root):
        relative = source.relative_to(media_root).as_posix()
        copy = partial / "media" / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
        media[relative] = {"bytes": copy.stat().st_size, "sha256": sha256_file(copy)}

    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": app_version(),
        "database": {
            "vendor": vendor,
            "file": database_file,
            "sha256": sha256_file(partial / database_file),
            "migrations": _applied_migrations(alias),
        },
        "row_counts": counts,
        "media": media,
    }
    # Written last: a folder with a manifest is a whole backup.
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _owner_only(partial)
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return manifest


def read_manifest(folder: Path) -> dict:
    """The folder's manifest, checked for form; a BackupError says what is wrong."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST}: it is not a complete backup made by `manage.py backup`."
        )
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not readable JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest of format {FORMAT}.")
    return manifest


def verify_files(folder: Path, manifest: dict) -> None:
    """Every file the manifest names is there with the same SHA-256 (a damaged copy stops here)."""
    folder = Path(folder)
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected.update({f"media/{name}": item["sha256"] for name, item in manifest["media"].items()})
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path} is missing: the backup is incomplete.")
        if sha256_file(path) != digest:
            raise BackupError(f"{path} differs from its manifest checksum: the copy is damaged.")


def backups_in(parent: Path) -> list[tuple[datetime, Path]]:
    """Complete backups (folders with a readable manifest) in `parent`, oldest first."""
    found: list[tuple[datetime, Path]] = []
    if not Path(parent).is_dir():
        return found
    for folder in Path(parent).iterdir():
        if not folder.is_dir():
            continue
        try:
            created = datetime.fromisoformat(read_manifest(folder)["created"])
        except (BackupError, KeyError, ValueError):
            continue
        found.append((created, folder))
    return sorted(found)


def newest_backup_time(parent: Path) -> datetime | None:
    """When the newest complete backup in `parent` was made (None: there is none)."""
    found = backups_in(parent)
    return found[-1][0] if found else None


def prune(parent: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups in `parent`; the folders deleted.
    Folders without a manifest are never touched."""
    found = backups_in(parent)
    doomed = [folder for _, folder in found[: max(len(found) - keep, 0)]]
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed


def _check_migrations(manifest: dict) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}" for app, name in manifest["database"]["migrations"] if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"This backup was made by a newer version of the site ({manifest.get('app_version')}): "
            f"this code does not know the migrations {', '.join(unknown[:5])}. Install that version "
            "(or newer) first, then restore."
        )


def _drop_everything(alias: str) -> None:
    connection = connections[alias]
    tables = connection.introspection.table_names(include_views=False)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def tables_in_database(alias: str = "default") -> int:
    """How many tables the database has: a restore goes into one with none."""
    return len(connections[alias].introspection.table_names())


def conflicting_media(manifest: dict) -> list[str]:
    """Files under MEDIA_ROOT that a restore would overwrite with different content (files that
    are identical, or that the backup does not name, are left as they are)."""
    media_root = Path(settings.MEDIA_ROOT)
    return [
        name
        for name, item in manifest["media"].items()
        if (media_root / name).is_file() and sha256_file(media_root / name) != item["sha256"]
    ]


def bump_every_page_scope() -> list[str]:
    """Give every page-cache scope a new version in the shared cache itself (no breaker: a
    restore must know whether old pages can still be served). Raises when the cache is down."""
    scopes = pagecache.registered_scopes()
    cache = caches["default"]
    now = time.time()
    for scope in scopes:
        cache.set(pagecache.VERSION_KEY.format(scope=scope), now, timeout=None)
    return scopes


def restore_backup(folder: Path, *, force: bool = False, alias: str = "default") -> RestoreReport:
    """Restore `folder` into this site's database and MEDIA_ROOT (see the module's docstring)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    connection = connections[alias]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This backup holds a {vendor} database; this site runs on {connection.vendor}. "
            "Point DATABASE_URL at the same kind of database."
        )
    verify_files(folder, manifest)
    _check_migrations(manifest)
    tables, files = tables_in_database(alias), conflicting_media(manifest)
    if (tables or files) and not force:
        raise BackupError(
            f"The target is not empty ({tables} tables in the database; {len(files)} files in "
            f"{settings.MEDIA_ROOT} that differ from the backup's). Restore into a new, empty "
            "database, or pass --force to replace everything in it."
        )

    database_file = folder / manifest["database"]["file"]
    if vendor == "postgresql":
        if tables:
            _drop_everything(alias)
        connection.close()
        args, env = _pg_env(alias)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(database_file),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(database_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()

    media_root = Path(settings.MEDIA_ROOT)
    for name in manifest["media"]:
        destination = media_root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Not copy2: the backup's owner-only mode would hide the image from nginx.
        shutil.copyfile(folder / "media" / name, destination)

    counts = row_counts(alias)
    wrong = {
        label: (expected, counts.get(label))
        for label, expected in manifest["row_counts"].items()
        if counts.get(label) != expected
    }
    if wrong:
        details = ", ".join(f"{label}: {got} rows, backup had {want}" for label, (want, got) in wrong.items())
        raise BackupError(f"The restored database differs from the manifest: {details}.")
    return RestoreReport(manifest, counts, len(manifest["media"]), bump_every_page_scope())
