"""Personal data taken out of a reader's comment before it is stored (issue 22).

Comments are read by staff and exported; a reader who types an email address or a phone
number ("call me on ...") has given contact details nobody asked for. They are replaced by a
marker before the comment is saved, so no copy of them exists. Patterns are deliberately
broad: a false "[phone removed]" in a comment about "3 sessions in 2024" costs little, a kept
phone number costs a reader's privacy. Dates, years and short numbers (under 7 digits) are kept.
"""

from __future__ import annotations

import re

EMAIL_REMOVED = "[email removed]"
PHONE_REMOVED = "[phone removed]"

# Also "name at example dot com" is left alone: no pattern would catch every spelling.
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 7 to 15 digits, optionally led by + and grouped by spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,3}\d){6,14}(?![\w])")


_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _phone(match: re.Match[str]) -> str:
    return match.group() if _DATE.fullmatch(match.group()) else PHONE_REMOVED


def redact_personal_data(text: str) -> tuple[str, bool]:
    """The comment with emails and phone numbers replaced; and whether anything was replaced."""
    redacted = _EMAIL.sub(EMAIL_REMOVED, text)
    redacted = _PHONE.sub(_phone, redacted)
    return redacted, redacted != text
