"""manage.py backup and restore: a backup that restores everything, and a restore that refuses
what would lose data or serve stale pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dryneedling_site.articles.models import Article
from dryneedling_site.core import backup
from dryneedling_site.feedback.models import Feedback
from tests.factories import make_article

# Backup reads the database from another connection (pg_dump) or through SQLite's backup API:
# the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

IMAGE = b"\x89PNG\r\n\x1a\n fixture image bytes"


@pytest.fixture
def site(media_root: Path) -> Article:
    article = make_article(slug="knee-care", title="Caring for your knee")
    Feedback.objects.create(article=article, helpful=True, comment="Clear, thank you.")
    Feedback.objects.create(article=article, helpful=False)
    (media_root / "articles").mkdir(parents=True)
    (media_root / "articles" / "knee.png").write_bytes(IMAGE)
    return article


def run_backup(folder: Path) -> dict:
    call_command("backup", str(folder))
    return json.loads((folder / "manifest.json").read_text())


def test_restore_brings_back_rows_and_media_as_they_were(site, media_root, tmp_path):
    manifest = run_backup(tmp_path / "backup")
    assert manifest["row_counts"]["articles.Article"] == 1
    assert manifest["row_counts"]["feedback.Feedback"] == 2
    assert list(manifest["media"]) == ["articles/knee.png"]

    # Everything changes after the backup: an edit, a deletion, a new article, a lost image.
    Article.objects.filter(pk=site.pk).update(title="Edited after the backup")
    Feedback.objects.filter(helpful=False).delete()
    make_article(slug="made-later")
    (media_root / "articles" / "knee.png").unlink()

    call_command("restore", str(tmp_path / "backup"), "--force")

    assert list(Article.objects.values_list("slug", "title")) == [("knee-care", "Caring for your knee")]
    assert sorted(Feedback.objects.values_list("helpful", "comment")) == [
        (False, ""),
        (True, "Clear, thank you."),
    ]
    assert (media_root / "articles" / "knee.png").read_bytes() == IMAGE
    assert backup.row_counts() == manifest["row_counts"]


def test_a_page_cached_after_the_backup_is_not_served_after_the_restore(site, client, tmp_path):
    run_backup(tmp_path / "backup")
    site.title = "A title from after the backup"
    site.save()
    assert "A title from after the backup" in client.get("/articles/knee-care/").content.decode()
    assert client.get("/articles/knee-care/")["X-Page-Cache"] == "hit"

    call_command("restore", str(tmp_path / "backup"), "--force")

    page = client.get("/articles/knee-care/")
    assert page["X-Page-Cache"] == "miss"
    assert "Caring for your knee" in page.content.decode()
    assert "A title from after the backup" not in page.content.decode()


def test_restore_refuses_a_database_that_has_tables_and_changes_nothing(site, tmp_path):
    run_backup(tmp_path / "backup")
    make_article(slug="kept")

    with pytest.raises(CommandError, match="not empty.*--force"):
        call_command("restore", str(tmp_path / "backup"))

    assert Article.objects.filter(slug="kept").exists()


def test_restore_refuses_a_damaged_copy(site, tmp_path):
    manifest = run_backup(tmp_path / "backup")
    dump = tmp_path / "backup" / manifest["database"]["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path / "backup"), "--force")
    assert Article.objects.filter(slug="knee-care").exists()


def test_restore_refuses_a_backup_from_a_newer_release(site, tmp_path):
    folder = tmp_path / "backup"
    manifest = run_backup(folder)
    manifest["database"]["migrations"].append(["articles", "9999_from_the_future"])
    (folder / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="newer version.*articles.9999_from_the_future"):
        call_command("restore", str(folder), "--force")


def test_restore_of_a_folder_without_manifest_says_so(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("restore", str(tmp_path / "half"))


def test_only_the_sites_user_can_read_a_backup_and_restored_images_are_readable_again(
    site, media_root, tmp_path
):
    folder = tmp_path / "backup"
    run_backup(folder)
    files = [path for path in folder.rglob("*") if path.is_file()]
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    assert {path.name for path in files} >= {"manifest.json", "knee.png"}
    assert {path.stat().st_mode & 0o777 for path in files} == {0o600}
    assert {path.stat().st_mode & 0o777 for path in folders} == {0o700}

    (media_root / "articles" / "knee.png").unlink()
    call_command("restore", str(folder), "--force")
    restored = media_root / "articles" / "knee.png"
    assert restored.read_bytes() == IMAGE
    assert restored.stat().st_mode & 0o044 == 0o044  # nginx (another user) serves it


def test_backup_never_overwrites_a_folder_and_never_holds_the_secret_key(site, tmp_path, settings):
    settings.SECRET_KEY = "a-very-secret-key-that-must-stay-in-the-env-file"
    folder = tmp_path / "backup"
    run_backup(folder)
    for path in folder.rglob("*"):
        if path.is_file():
            assert settings.SECRET_KEY.encode() not in path.read_bytes()

    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))


def test_keep_deletes_only_older_complete_backups(site, tmp_path):
    parent = tmp_path / "backups"
    (parent / "notes").mkdir(parents=True)
    for name in ("2026-01-01", "2026-01-02", "2026-01-03"):
        run_backup(parent / name)
    # The manifests' times, not the folder names, decide which is older.
    for day, name in enumerate(("2026-01-01", "2026-01-02", "2026-01-03"), start=1):
        manifest_path = parent / name / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["created"] = f"2026-01-0{day}T03:00:00+00:00"
        manifest_path.write_text(json.dumps(manifest))

    call_command("backup", str(parent / "2026-01-04"), "--keep", "2")

    assert sorted(p.name for p in parent.iterdir()) == ["2026-01-03", "2026-01-04", "notes"]
    assert backup.newest_backup_time(parent).year == 2026


def test_backup_without_folder_goes_to_the_backup_dir(site, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "nightly"
    call_command("backup")
    [folder] = list(settings.BACKUP_DIR.iterdir())
    assert (folder / "manifest.json").is_file()
    assert backup.newest_backup_time(settings.BACKUP_DIR) is not None


def test_media_that_would_be_overwritten_counts_as_not_empty(site, media_root, tmp_path):
    run_backup(tmp_path / "backup")
    (media_root / "articles" / "knee.png").write_bytes(b"a different image")

    problems = backup.conflicting_media(backup.read_manifest(tmp_path / "backup"))

    assert problems == ["articles/knee.png"]
