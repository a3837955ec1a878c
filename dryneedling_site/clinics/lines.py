"""Reading a text file line by line with a ceiling on a line's length.

A CSV reader asks for whole lines; a damaged or hostile file can hold one line of a gigabyte
(a ZIP of 1 MB can unpack to that), which would be read into memory before anything could
refuse it. `bounded_lines` reads at most MAX_LINE_CHARS + 1 characters at a time and stops
with the line's row number as soon as a line is longer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TextIO

from .importer import ImportFailed, Problem

MAX_LINE_CHARS = 64 * 1024


class LineTooLong(ImportFailed):
    """A line over the limit: refused as read, never held whole."""


def bounded_lines(handle: TextIO | io.TextIOBase, limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The handle's lines; raises LineTooLong (row 1 = the first line) for one over `limit`."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            raise LineTooLong(
                [
                    Problem(
                        number,
                        "",
                        f"the line is longer than {limit // 1024} KB, so it cannot be a row of this "
                        "file; was it damaged or re-saved?",
                    )
                ]
            )
        yield line
