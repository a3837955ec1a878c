"""Backup-and-restore rehearsal (not a unit test): what a clinic's recovery drill does.

    .venv/bin/python bench/backup_restore.py                      # SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/backup_restore.py   # PostgreSQL

A scratch site (its own SQLite file, or its own new database on DATABASE_URL's server) runs
under gunicorn with its own Redis. The drill:
  1. state is made: articles, clinics, visitors' votes through the site, a staff edit, an
     uploaded image; pages are read so Redis holds them;
  2. `manage.py backup` runs while the site serves;
  3. the site moves on (another edit, more votes; Redis now caches the newer pages);
  4. the database and the media folder are destroyed (the SQLite file deleted, or the
     PostgreSQL database dropped and created empty again);
  5. `manage.py restore` runs into the empty database, while gunicorn and Redis keep running;
  6. every piece is compared with the moment of the backup: every row of every table
     (`dumpdata`), every media file (SHA-256), and every public page read through gunicorn:
     none may show what changed after the backup (a stale page from Redis).
Exits non-zero on any difference. Everything binds to 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# get, scratch_database and vote are imported from here by bench/upgrade_rehearsal.py.
from bench.common import (  # noqa: E402
    SLUGS,
    get,
    gunicorn,
    manage,
    scratch_database,
    scratch_site,
    shell,
    vote,
)

__all__ = ["get", "main", "scratch_database", "vote"]

EDITED = "needles"
AFTER_BACKUP = "Changed after the backup"
IMAGE = bytes.fromhex("89504e470d0a1a0a") + b"drill image " * 64


def votes(base: str, count: int) -> int:
    """`count` votes from different visitors; how many were refused or failed."""
    return sum(vote(base, SLUGS[n % len(SLUGS)], n % 3 != 0) >= 400 for n in range(count))


def public_pages() -> list[str]:
    pages = ["/", "/articles/", "/es/", "/find-a-pt/"]
    pages += [f"/articles/{slug}/" for slug in SLUGS]
    return pages


def media_digests(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def every_row(env: dict[str, str]) -> list[dict]:
    """Every row of every table, as dumpdata writes it (sorted, so the order never differs)."""
    rows = json.loads(manage(env, "dumpdata", "--indent", "0"))
    return sorted(rows, key=lambda row: (row["model"], str(row["pk"])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=120)
    args = parser.parse_args()
    problems: list[str] = []
    figures: dict[str, object] = {}
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"

    with scratch_site() as site:
        folder = site.folder
        media = folder / "media"
        with scratch_database(folder) as (url, destroy_database):
            site.configure(
                url,
                DJANGO_MEDIA_ROOT=str(media),
                DJANGO_BACKUP_DIR=str(folder / "backups"),
                FEEDBACK_RATE_LIMIT_ADDRESS="100000",
            )
            env = site.prepare()
            # A staff edit and an uploaded image the article shows.
            (media / "articles").mkdir(parents=True)
            (media / "articles" / "drill.png").write_bytes(IMAGE)
            shell(
                env,
                "from dryneedling_site.articles.models import Article; "
                f"a = Article.objects.get(slug='{EDITED}', language='en'); "
                "a.title = 'What the needles are like (edited by staff)'; "
                "a.body += '\\n\\n![A drill image](/media/articles/drill.png)\\n'; a.save(); print('ok')",
            )
            with gunicorn(env, workers=2) as base:
                failed = votes(base, args.votes)
                if failed:
                    problems.append(f"{failed} of {args.votes} votes before the backup failed")
                for page in public_pages():
                    get(base, page)
                    status, _, cache = get(base, page)
                    if status != 200 or cache != "hit":
                        problems.append(f"{page} before the backup: {status}, cache {cache or 'none'}")

                rows_at_backup = every_row(env)
                media_at_backup = media_digests(media)
                started = time.perf_counter()
                manage(env, "backup", str(folder / "backups" / "drill"))
                figures["backup seconds"] = round(time.perf_counter() - started, 2)
                manifest = json.loads((folder / "backups" / "drill" / "manifest.json").read_text())
                figures["rows"] = sum(manifest["row_counts"].values())
                figures["tables"] = len(manifest["row_counts"])
                figures["media files"] = len(manifest["media"])
                figures["backup bytes"] = sum(
                    p.stat().st_size for p in (folder / "backups" / "drill").rglob("*") if p.is_file()
                )

                # The site moves on; Redis caches the newer pages.
                shell(
                    env,
                    "from dryneedling_site.articles.models import Article; "
                    "[a.__setattr__('title', a.title + ' (" + AFTER_BACKUP + ")') or a.save() "
                    "for a in Article.objects.all()]; print('ok')",
                )
                votes(base, 30)
                for page in public_pages():
                    get(base, page)
                    _, body, cache = get(base, page)
                    if page.startswith("/articles/") and AFTER_BACKUP not in body:
                        problems.append(f"{page}: the edit after the backup did not show")

                destroy_database()
                shutil.rmtree(media)
                started = time.perf_counter()
                output = manage(env, "restore", str(folder / "backups" / "drill"))
                figures["restore seconds"] = round(time.perf_counter() - started, 2)
                print(output.strip())

                if every_row(env) != rows_at_backup:
                    problems.append("the restored rows differ from the rows at the backup")
                if media_digests(media) != media_at_backup:
                    problems.append("the restored media differ from the media at the backup")
                stale = []
                for page in public_pages():
                    status, body, cache = get(base, page)
                    if status != 200:
                        problems.append(f"{page} after the restore: {status}")
                    if AFTER_BACKUP in body:
                        stale.append(f"{page} ({cache})")
                if stale:
                    problems.append(f"pages from after the backup served after the restore: {stale}")
                figures["stale pages after restore"] = len(stale)
                status, body, _ = get(base, f"/articles/{EDITED}/")
                if "edited by staff" not in body or "/media/articles/drill.png" not in body:
                    problems.append("the staff edit or its image is missing after the restore")
                figures["vote after restore"] = vote(base, SLUGS[0], True)
                if figures["vote after restore"] >= 400:
                    problems.append(f"a vote after the restore answered {figures['vote after restore']}")

    print(f"Backup/restore rehearsal on {engine}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("OK: every row, every media file and every page as at the backup." if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
