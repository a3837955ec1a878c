"""Checks of a clinic CSV's header names and cell text that the dry run makes (issue 22).

A duplicated column would let the last copy silently win, and an empty name hides a column
nobody can see in the dry run. A NUL byte or another control character would pass the dry run
and then fail the confirm on PostgreSQL (which refuses NUL in text) with a traceback, so they
are refused here, naming the row and column. Tab and line breaks inside a quoted cell are
ordinary text and allowed.
"""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def header_problems(columns: list[str]) -> list[tuple[str, str]]:
    """(column, message) for each empty or repeated header name (names already normalised)."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.append(
                ("", f"column {position} of the header has no name; name it or delete the column")
            )
        elif name in seen:
            problems.append((name, "appears more than once in the header; keep one column of each name"))
        seen.add(name)
    return problems


def control_character(text: str) -> str:
    """A description of the first control character in `text`, or "" when there is none."""
    found = _CONTROL.search(text)
    if not found:
        return ""
    character = found.group()
    name = "a NUL byte" if character == "\0" else f"a control character (U+{ord(character):04X})"
    return f"contains {name}, which cannot be stored; retype the cell or save the file again as “CSV UTF-8”"
