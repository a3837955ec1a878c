"""purge_images: uploads no article or revision mentions go after a grace period (issue 22)."""

import io
import os
import time

from django.core.management import call_command

from tests.articles.test_editor import jpeg_bytes, stored_files, upload
from tests.factories import make_article


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_images", *args, stdout=out)
    return out.getvalue()


def age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def uploaded(client) -> str:
    return upload(client, "photo.jpg", jpeg_bytes(40, 30), "image/jpeg").json()["url"]


def test_unreferenced_old_upload_is_deleted_referenced_and_recent_ones_kept(editor_client, media_root):
    used, removed_from_text, orphan, fresh = (uploaded(editor_client) for _ in range(4))
    make_article(slug="uses-it", body=f"Look:\n\n![A needle]({used})\n")
    article = make_article(slug="used-it", body=f"![Old picture]({removed_from_text})\n")
    article.body = "No picture any more."
    article.save()  # still in the article's revision history: restorable, so kept
    for path in stored_files(media_root):
        if path.name not in fresh:
            age(path, 30)

    dry = purge("--dry-run")
    assert "would delete " + orphan.rsplit("/", 1)[1] in dry
    assert len(stored_files(media_root)) == 4

    output = purge()
    names = {p.name for p in stored_files(media_root)}
    assert "Deleted 1 unreferenced image(s)" in output
    assert names == {u.rsplit("/", 1)[1] for u in (used, removed_from_text, fresh)}


def test_leftover_partial_file_is_swept(db, media_root):
    folder = media_root / "articles"
    folder.mkdir(parents=True)
    partial = folder / ".partial-abc"
    partial.write_bytes(b"half an image")
    age(partial, 30)
    purge()
    assert not partial.exists()
