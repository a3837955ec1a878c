"""Article images: accept only real photos and drawings, and store clean copies.

The bytes decide, not the file name or the browser's content type: Pillow must recognise a
JPEG (or MPO, a phone's multi-picture JPEG, read as its first picture), PNG or WebP. The image
is re-encoded from its pixels, which drops EXIF (GPS position, camera serial) and anything
hidden after the image data, and is stored under a random name.

Memory is bounded before any pixel is decoded: `Image.open` only reads the header, so each
side, the aspect ratio and the pixel count are checked first, per format (a 38 KB PNG can claim
39,000,000 x 1 pixels). JPEGs are decoded already reduced (`draft`), and the one copy kept is
the reduced one, so a worker's peak stays within budget (bench/upload_memory.py measures it).

Writing is all or nothing: the clean copy goes to a temporary name in the same folder and is
renamed into place only when complete, so a full disk leaves no truncated image that the web
server would serve.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
# MPO is a JPEG with extra pictures after the first; the stored copy is a plain JPEG.
SAVED_AS = {"MPO": "JPEG"}
UPLOAD_FOLDER = "articles"
# EXIF orientations that turn the picture a quarter: its displayed width is its stored height.
_QUARTER_TURNS = {5, 6, 7, 8}
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageRejected(ValueError):
    """An upload that is not stored; the message is shown to the staff member."""


class StorageFull(OSError):
    """The disk (or quota) is full: nothing was stored; the message is shown to staff."""


def _check_header(probe: Image.Image) -> None:
    """Refuse what would not fit the memory budget, from the header alone (nothing decoded)."""
    if probe.format not in FORMATS:
        raise ImageRejected("Only JPEG, PNG or WebP images can be added.")
    if probe.format != "MPO" and getattr(probe, "n_frames", 1) > 1:
        raise ImageRejected("Animated images cannot be added; save one picture as a JPEG, PNG or WebP.")
    width, height = probe.size
    max_side = settings.ARTICLE_IMAGE_MAX_SIDE
    max_pixels = (
        settings.ARTICLE_IMAGE_MAX_PIXELS_WEBP
        if probe.format == "WEBP"
        else settings.ARTICLE_IMAGE_MAX_PIXELS
    )
    max_aspect = settings.ARTICLE_IMAGE_MAX_ASPECT
    if width < 1 or height < 1:
        raise ImageRejected("This image file is damaged or incomplete.")
    if width > max_side or height > max_side:
        raise ImageRejected(
            f"The image is {width} × {height} pixels; each side can be at most {max_side:,} pixels."
        )
    if max(width, height) > max_aspect * min(width, height):
        raise ImageRejected(
            f"The image is {width} × {height} pixels, too long and thin for a page; "
            f"the longer side can be at most {max_aspect} times the shorter."
        )
    # A JPEG is decoded already reduced by 2, 4 or 8 a side (draft), so it is budgeted after that.
    decoded = _drafted_pixels(probe) if probe.format in ("JPEG", "MPO") else width * height
    if decoded > max_pixels:
        kind = "a WebP image" if probe.format == "WEBP" else "an image"
        raise ImageRejected(
            f"The image is {width} × {height} pixels; the limit for {kind} is {max_pixels:,} pixels in all. "
            "Please make it smaller (the page shows it at most 1600 pixels wide)."
        )


def _target_size(probe: Image.Image) -> tuple[int, int]:
    """The stored size: at most ARTICLE_IMAGE_MAX_WIDTH wide once turned upright."""
    width, height = probe.size
    orientation = probe.getexif().get(0x0112, 1)
    shown_width = height if orientation in _QUARTER_TURNS else width
    max_width = settings.ARTICLE_IMAGE_MAX_WIDTH
    if shown_width <= max_width:
        return width, height
    scale = max_width / shown_width
    return max(1, round(width * scale)), max(1, round(height * scale))


def _drafted_pixels(probe: Image.Image) -> int:
    """How many pixels a JPEG decodes to once `draft` reduces it (by 1, 2, 4 or 8 a side)."""
    width, height = probe.size
    target_width, target_height = _target_size(probe)
    scale = 1
    while scale < 8 and width // (scale * 2) >= target_width and height // (scale * 2) >= target_height:
        scale *= 2
    return -(-width // scale) * -(-height // scale)


def _open(data: bytes) -> tuple[Image.Image, str]:
    """The decoded picture, already reduced to its stored size, and the format to save it as."""
    max_pixels = settings.ARTICLE_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))  # reads the header only
            _check_header(probe)
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image_format = SAVED_AS.get(image.format or "", image.format or "")
            target = _target_size(image)
            if image_format == "JPEG":
                image.draft("RGB", target)  # decode at 1/2, 1/4 or 1/8 size: far less memory
            image.load()
            orientation = image.getexif().get(0x0112, 1)
            if image.size != target:
                # reducing_gap shrinks by whole factors first (cheap), then resamples the small copy.
                image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
            if turn := _TURNS.get(orientation):
                image = image.transpose(turn)  # upright, on the small copy
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"The image has too many pixels; the limit is {max_pixels:,} in all.") from None
    except UnidentifiedImageError:
        raise ImageRejected("This file is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected("This image file is damaged or incomplete.") from None
    return image, image_format


def _clean_copy(image: Image.Image, image_format: str) -> Image.Image:
    """Pixels only (no metadata), in a mode the format can store."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    if image_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _write_bytes(handle: io.BufferedWriter, data: bytes) -> None:
    """One place the bytes hit the disk (tests make it fail as a full disk would)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def save_atomically(name: str, data: bytes) -> str:
    """Store `data` under `name` (a storage name) only when all of it is written; return the name.

    On a filesystem storage the bytes go to a hidden temporary file in the same folder and are
    renamed into place (atomic on one filesystem); any error removes the temporary file. A full
    disk raises StorageFull. Other storages save, and delete what they kept if saving failed.
    """
    try:
        final = Path(default_storage.path(name))
    except NotImplementedError:
        try:
            return default_storage.save(name, ContentFile(data))
        except OSError as error:
            with contextlib.suppress(Exception):
                default_storage.delete(name)
            raise _full(error) from error
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(dir=final.parent, prefix=".partial-", delete=False) as handle:
            temporary = Path(handle.name)
            _write_bytes(handle, data)  # type: ignore[arg-type]
        os.chmod(temporary, 0o644)
        os.replace(temporary, final)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise _full(error) from error
    return name


def _full(error: OSError) -> OSError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull(error.errno, "The server's disk is full, so the image was not saved.")
    return error


def store_article_image(upload: UploadedFile) -> str:
    """Check, clean and store an uploaded image; return its public URL.

    Raises ImageRejected with a message for staff, or StorageFull; nothing is stored then.
    """
    max_bytes = settings.ARTICLE_IMAGE_MAX_BYTES
    # The declared size is checked before reading; the bytes read are checked in case it lied.
    data = None if upload.size is None or upload.size > max_bytes else upload.read(max_bytes + 1)
    if data is None or len(data) > max_bytes:
        raise ImageRejected(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB. Please use a smaller one."
        )
    image, image_format = _open(data)
    clean = _clean_copy(image, image_format)
    del image
    output = io.BytesIO()
    options = {"quality": 85, "optimize": True} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(output, format=image_format, **options)
    del clean
    name = save_atomically(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.{FORMATS[image_format]}", output.getvalue())
    return default_storage.url(name)


_STORED_NAME = re.compile(rf"{UPLOAD_FOLDER}/([0-9a-f]{{32}}\.(?:jpg|png|webp))")


def referenced_image_names() -> set[str]:
    """File names of uploads that any article, site page or revision of either mentions.

    Every text column of every model in the articles app is read, historical (revision)
    tables included, so an image removed from the text but still in a revision that can be
    restored is kept.
    """
    from django.apps import apps
    from django.db import models

    names: set[str] = set()
    for model in apps.get_app_config("articles").get_models():
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.TextField, models.CharField))
        ]
        if not columns:
            continue
        for row in model._default_manager.values_list(*columns).iterator(chunk_size=500):
            for text in row:
                if text and f"{UPLOAD_FOLDER}/" in text:
                    names.update(_STORED_NAME.findall(text))
    return names


@dataclass(frozen=True)
class ImagePurge:
    """What purge_unreferenced_images found: files deleted (or that would be) and kept."""

    removed: list[str]
    kept: int


def purge_unreferenced_images(
    *, older_than_hours: float, dry_run: bool = False, now: float | None = None
) -> ImagePurge:
    """Delete uploads no article or revision mentions, once older than `older_than_hours`.

    The grace period covers an editor who uploaded an image and has not saved the article yet.
    Leftover temporary files (a worker killed mid-write) older than that go too.
    """
    folder = Path(default_storage.path(UPLOAD_FOLDER))
    if not folder.is_dir():
        return ImagePurge([], 0)
    cutoff = (now if now is not None else time.time()) - older_than_hours * 3600
    referenced = referenced_image_names()
    removed: list[str] = []
    kept = 0
    for path in sorted(folder.iterdir()):
        try:
            old = path.is_file() and path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue
        if (
            not old
            or path.name in referenced
            or not (
                _STORED_NAME.fullmatch(f"{UPLOAD_FOLDER}/{path.name}") or path.name.startswith(".partial-")
            )
        ):
            kept += path.is_file()
            continue
        removed.append(path.name)
        if not dry_run:
            path.unlink(missing_ok=True)
    return ImagePurge(removed, kept)
