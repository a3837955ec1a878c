"""Image uploads within a memory budget, all-or-nothing on disk, and rate limited (issue 22)."""

import errno
import io
import json
import subprocess
import sys

from PIL import Image

from bench.upload_memory import long_png, measure
from dryneedling_site.articles import images
from tests.articles.test_editor import jpeg_bytes, stored_files, upload

MEMORY_BUDGET_MB = 200


def test_png_of_39_million_by_1_pixels_is_refused_from_its_header(editor_client, media_root):
    data = long_png()
    assert len(data) < 64 * 1024  # the 38 KB file
    response = upload(editor_client, "line.png", data, "image/png")
    assert response.status_code == 400
    assert "each side can be at most" in response.json()["error"]
    assert stored_files(media_root) == []


def test_too_long_and_thin_image_is_refused(editor_client, media_root):
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 100)).save(buffer, format="PNG")
    response = upload(editor_client, "strip.png", buffer.getvalue(), "image/png")
    assert response.status_code == 400
    assert "too long and thin" in response.json()["error"]
    assert stored_files(media_root) == []


def test_large_png_over_the_pixel_budget_is_refused(editor_client, media_root):
    buffer = io.BytesIO()
    Image.new("L", (5000, 3000)).save(buffer, format="PNG")
    response = upload(editor_client, "big.png", buffer.getvalue(), "image/png")
    assert response.status_code == 400
    assert "12,000,000 pixels" in response.json()["error"]


def test_big_phone_jpeg_is_decoded_reduced_and_stored_1600_wide(editor_client, media_root):
    response = upload(editor_client, "phone.jpg", jpeg_bytes(6300, 6300, quality=70), "image/jpeg")
    assert response.status_code == 200, response.content
    (stored,) = stored_files(media_root)
    with Image.open(stored) as image:
        assert image.size == (1600, 1600)


def test_peak_memory_of_the_39_million_pixel_png_stays_within_budget(tmp_path):
    path = tmp_path / "line.png"
    path.write_bytes(long_png())
    row = measure(path, tmp_path / "media")
    assert row["outcome"].startswith("refused"), row
    assert row["peak_mb"] < MEMORY_BUDGET_MB, row


def test_peak_memory_of_6300_square_jpeg_stays_within_budget(tmp_path):
    path = tmp_path / "square.jpg"
    code = "import sys; from PIL import Image; Image.new('RGB', (6300, 6300)).save(sys.argv[1], quality=90)"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    row = measure(path, tmp_path / "media")
    assert row["outcome"].startswith("stored"), row
    assert row["peak_mb"] < MEMORY_BUDGET_MB, row


def test_portrait_mode_mpo_photo_is_stored_as_its_first_picture(editor_client, media_root):
    first, second = Image.new("RGB", (300, 200), (200, 0, 0)), Image.new("RGB", (300, 200), (0, 0, 200))
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    response = upload(editor_client, "portrait.jpg", buffer.getvalue(), "image/jpeg")
    assert response.status_code == 200, response.content
    assert response.json()["url"].endswith(".jpg")
    (stored,) = stored_files(media_root)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert getattr(image, "n_frames", 1) == 1
        red, _, blue = image.convert("RGB").getpixel((150, 100))
        assert red > 150 > blue


def test_animated_png_is_refused_with_a_reason(editor_client, media_root):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    response = upload(editor_client, "anim.png", buffer.getvalue(), "image/png")
    assert response.status_code == 400
    assert "Animated images" in response.json()["error"]
    assert stored_files(media_root) == []


def test_sideways_phone_photo_is_stored_upright_and_1600_wide(editor_client, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to show
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 3200)).save(buffer, format="JPEG", exif=exif)
    response = upload(editor_client, "side.jpg", buffer.getvalue(), "image/jpeg")
    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    with Image.open(stored) as image:
        assert image.size == (1600, 1200)


def test_full_disk_answers_json_507_and_leaves_no_file(editor_client, media_root, monkeypatch):
    def half_then_full(handle, data):
        handle.write(data[: len(data) // 2])
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(images, "_write_bytes", half_then_full)
    response = upload(editor_client, "photo.jpg", jpeg_bytes(400, 300), "image/jpeg")
    assert response.status_code == 507
    assert "disk is full" in json.loads(response.content)["error"]
    assert stored_files(media_root) == []


def test_other_write_failure_answers_json_503_and_leaves_no_file(editor_client, media_root, monkeypatch):
    def broken(handle, data):
        handle.write(data[:10])
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(images, "_write_bytes", broken)
    response = upload(editor_client, "photo.jpg", jpeg_bytes(400, 300), "image/jpeg")
    assert response.status_code == 503
    assert "could not be saved" in response.json()["error"]
    assert stored_files(media_root) == []


def test_uploads_are_rate_limited_per_editor(editor_client, media_root, settings, django_user_model):
    settings.ARTICLE_IMAGE_RATE_LIMIT = 2
    for _ in range(2):
        assert upload(editor_client, "a.jpg", jpeg_bytes(20, 20), "image/jpeg").status_code == 200
    refused = upload(editor_client, "a.jpg", jpeg_bytes(20, 20), "image/jpeg")
    assert refused.status_code == 429
    assert "Too many images" in refused.json()["error"]
    assert refused["Retry-After"] == str(settings.ARTICLE_IMAGE_RATE_WINDOW)
    assert len(stored_files(media_root)) == 2
