"""The admin editor's preview and image upload: staff only, images only, clean copies only."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dryneedling_site.articles.markdown import ALLOWED_TAGS
from tests.html import assert_safe_html, elements

PREVIEW = "/editor/markdownify/"
UPLOAD = "/editor/upload/"


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def png_with_gps(width=40, height=30) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS info
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    return buffer.getvalue()


def jpeg_bytes(width: int, height: int, quality: int = 95) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type: str):
    return client.post(
        UPLOAD,
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def test_anonymous_preview_and_upload_are_refused_without_revealing_the_admin(client, db, media_root):
    for response in [
        client.post(PREVIEW, {"content": "hi"}),
        upload(client, "a.png", png_with_gps(), "image/png"),
    ]:
        assert response.status_code == 403
        assert "Location" not in response
        assert "/admin/" not in response.content.decode()
    assert stored_files(media_root) == []


def test_staff_without_article_permission_is_refused(client, db, media_root):
    client.force_login(User.objects.create_user("clerk", password="x", is_staff=True))
    assert client.post(PREVIEW, {"content": "hi"}).status_code == 403
    assert upload(client, "a.png", png_with_gps(), "image/png").status_code == 403
    assert stored_files(media_root) == []


def test_preview_needs_post(editor_client):
    assert editor_client.get(PREVIEW).status_code == 405


def test_preview_uses_the_page_renderer_and_strips_danger(editor_client):
    response = editor_client.post(
        PREVIEW,
        {
            "content": "## Hi\n\n<script>alert(1)</script> <img src=x onerror=alert(1)> "
            '[x](javascript:alert(1)) <a href="javascript:alert(2)" onclick="x()">y</a>'
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="hi">Hi</h2>' in html
    assert_safe_html(html, ALLOWED_TAGS)
    assert ("a", {}) in elements(html)  # the javascript: link lost its href


def test_staff_upload_of_real_png_is_reencoded_without_exif(editor_client, media_root):
    original = png_with_gps()
    assert b"SpyCam" in original
    response = upload(editor_client, "holiday.png", original, "image/png")
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![describe the image](/media/articles/") and code.endswith(".png)")
    [stored] = stored_files(media_root)
    assert stored.suffix == ".png" and stored.name != "holiday.png"
    data = stored.read_bytes()
    assert data != original
    assert b"SpyCam" not in data
    with Image.open(stored) as image:
        assert image.format == "PNG"
        assert image.size == (40, 30)
        assert not image.getexif()


def test_wide_jpeg_is_resized_to_1600_and_named_by_its_real_type(editor_client, media_root):
    response = upload(editor_client, "photo.gif", jpeg_bytes(3200, 1000), "image/gif")
    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.suffix == ".jpg"
    with Image.open(stored) as image:
        assert image.size == (1600, 500)


def test_webp_is_accepted(editor_client, media_root):
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, format="WEBP")
    assert upload(editor_client, "x.webp", buffer.getvalue(), "image/webp").status_code == 200


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (5, 5)).save(buffer, format="GIF")
    return buffer.getvalue()


def bomb() -> bytes:
    # A tiny PNG that claims 20000 x 20000 pixels (400 million): decompression bomb.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make_data", "content_type", "message"),
    [
        (
            "page.gif",
            lambda: b"<html><script>alert(1)</script></html>",
            "image/gif",
            "not a JPEG, PNG or WebP",
        ),
        ("drawing.svg", svg, "image/svg+xml", "not a JPEG, PNG or WebP"),
        ("notes.png", lambda: b"just some text, not an image\n" * 20, "image/png", "not a JPEG, PNG or WebP"),
        ("anim.gif", gif, "image/gif", "Only JPEG, PNG or WebP"),
        (
            "huge.jpg",
            lambda: jpeg_bytes(16, 16) + b"\0" * (6 * 1024 * 1024),
            "image/jpeg",
            "larger than 5 MB",
        ),
        ("bomb.png", bomb, "image/png", "pixels"),
        ("cut.png", lambda: png_with_gps()[:60], "image/png", "damaged"),
    ],
)
def test_bad_uploads_get_400_with_message_and_leave_no_file(
    editor_client, media_root, name, make_data, content_type, message
):
    data = make_data()
    response = upload(editor_client, name, data, content_type)
    assert response.status_code == 400
    assert message in json.loads(response.content)["error"]
    assert stored_files(media_root) == []


def test_upload_without_file_is_400(editor_client, media_root):
    response = editor_client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "Choose an image" in response.json()["error"]
