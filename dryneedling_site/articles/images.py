"""Article images: accept only real photos and drawings, and store clean copies.

The bytes decide, not the file name or the browser's content type: Pillow must recognise a
JPEG, PNG or WebP. The image is re-encoded from its pixels, which drops EXIF (GPS position,
camera serial) and anything hidden after the image data, and is stored under a random name.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
UPLOAD_FOLDER = "articles"


class ImageRejected(ValueError):
    """An upload that is not stored; the message is shown to the staff member."""


def _open(data: bytes) -> Image.Image:
    max_pixels = settings.ARTICLE_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageRejected("Only JPEG, PNG or WebP images can be added.")
            width, height = probe.size
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image is {width} × {height} pixels; the limit is {max_pixels:,} pixels in all."
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"The image has too many pixels; the limit is {max_pixels:,} in all.") from None
    except UnidentifiedImageError:
        raise ImageRejected("This file is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected("This image file is damaged or incomplete.") from None
    return image


def _clean_copy(image: Image.Image, image_format: str) -> Image.Image:
    """Upright, at most ARTICLE_IMAGE_MAX_WIDTH wide, pixels only (no metadata)."""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    if image_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    max_width = settings.ARTICLE_IMAGE_MAX_WIDTH
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    return Image.frombytes(image.mode, image.size, image.tobytes())


def store_article_image(upload: UploadedFile) -> str:
    """Check, clean and store an uploaded image; return its public URL.

    Raises ImageRejected with a message for staff; nothing is stored then.
    """
    max_bytes = settings.ARTICLE_IMAGE_MAX_BYTES
    # The declared size is checked before reading; the bytes read are checked in case it lied.
    data = None if upload.size is None or upload.size > max_bytes else upload.read(max_bytes + 1)
    if data is None or len(data) > max_bytes:
        raise ImageRejected(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB. Please use a smaller one."
        )
    image = _open(data)
    image_format = image.format
    clean = _clean_copy(image, image_format)
    output = io.BytesIO()
    options = {"quality": 85, "optimize": True} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(output, format=image_format, **options)
    name = default_storage.save(
        f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.{FORMATS[image_format]}", ContentFile(output.getvalue())
    )
    return default_storage.url(name)
