"""Peak memory of one article image upload (a benchmark, not a unit test).

    .venv/bin/python bench/upload_memory.py [--limit-mb 200]

Each image is handed to the upload code (articles/images.py, as the editor endpoint calls it)
in a fresh Python process, which then reports its peak resident memory (VmHWM) and what
it had before the upload, so one measurement cannot inherit another's heap. The images are
the ones from issue 22: a 38 KB PNG that claims 39,000,000 x 1 pixels, and 6300 x 6300 px as
a PNG and as a JPEG; plus an ordinary 4000 x 3000 phone photo and the
largest PNG and WebP accepted (12 and 6 million pixels). Exits 1 when any peak is over
the limit (200 MB, the budget docs/security.md gives), or a 5xx-like crash happens.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys


def high_water_mb():
    # VmHWM belongs to this program's memory map, which exec started afresh; ru_maxrss would
    # carry the parent's peak over exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling_site.settings")
import django
django.setup()
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from dryneedling_site.articles.images import ImageRejected, store_article_image
settings.MEDIA_ROOT = sys.argv[2]
data = open(sys.argv[1], "rb").read()
before = high_water_mb()
try:
    outcome = "stored " + store_article_image(SimpleUploadedFile("x", data))
except ImageRejected as refusal:
    outcome = "refused: " + str(refusal)
print(json.dumps({"before_mb": before, "peak_mb": high_water_mb(), "outcome": outcome}))
"""


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def long_png(width: int = 39_000_000, height: int = 1) -> bytes:
    """A valid greyscale PNG of width x height built row by row (never held as pixels)."""
    compressor = zlib.compressobj(9)
    row = b"\0" + b"\0" * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _pillow_file(path: Path, size: tuple[int, int], image_format: str, mode: str = "RGB") -> None:
    """Written by a child process, so this process's memory stays small."""
    code = (
        "import sys; from PIL import Image; "
        f"Image.new({mode!r}, {size!r}).save(sys.argv[1], format={image_format!r}, quality=90)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def make_images(folder: Path) -> dict[str, Path]:
    """The benchmark's images, written into `folder`; name -> path."""
    images = {"png-39000000x1": folder / "long.png"}
    images["png-39000000x1"].write_bytes(long_png())
    for name, size, image_format, mode in [
        ("png-6300x6300", (6300, 6300), "PNG", "RGB"),
        ("jpeg-6300x6300", (6300, 6300), "JPEG", "RGB"),
        ("jpeg-4000x3000", (4000, 3000), "JPEG", "RGB"),
        # The largest PNG and WebP accepted (12 and 6 million pixels), with transparency.
        ("png-4000x3000-rgba", (4000, 3000), "PNG", "RGBA"),
        ("webp-3000x2000-rgba", (3000, 2000), "WEBP", "RGBA"),
    ]:
        images[name] = folder / f"{name}.{image_format.lower()}"
        _pillow_file(images[name], size, image_format, mode)
    return images


def measure(path: Path, media_root: Path) -> dict:
    """One upload in a fresh process: its peak memory (MB) and what the upload code answered."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(media_root)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if result.returncode != 0:
        return {"before_mb": 0, "peak_mb": 0, "outcome": "crashed: " + result.stderr.strip()[-300:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit-mb", type=float, default=200.0)
    arguments = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, path in make_images(folder).items():
            row = measure(path, folder / "media")
            over = row["peak_mb"] > arguments.limit_mb or row["outcome"].startswith("crashed")
            failed |= over
            print(
                f"{name:20} {path.stat().st_size / 1024:8.0f} KB  peak {row['peak_mb']:7.1f} MB "
                f"(before upload {row['before_mb']:.1f} MB)  {'OVER ' if over else ''}{row['outcome'][:90]}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
