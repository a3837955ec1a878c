"""Checks shared by the admin, the model and the CSV import, so each says the same thing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator

from . import geo

_NOT_DIGIT = re.compile(r"[^0-9]")
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")

# North American numbers: area code and exchange never start with 0 or 1.
validate_phone_digits = RegexValidator(
    r"^[2-9]\d{2}[2-9]\d{6}$", "Use a 10-digit US phone number, like (503) 555-0123."
)
validate_web_address = URLValidator(
    schemes=["http", "https"], message="Use a full web address starting with https:// or http://."
)


def normalise_phone(text: str) -> str:
    """ "(503) 555-0123", "503.555.0123" or "+1 503 555 0123" -> "5035550123"; else ValidationError."""
    validate_ascii(text or "")
    digits = _NOT_DIGIT.sub("", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    validate_phone_digits(digits)
    return digits


def validate_ascii(value: str) -> None:
    """Numbers and codes in plain ASCII: "٩٧٢٠١" or full-width "９７２０１" would otherwise be read
    as digits by Python (or crash the ZIP library) although no US system would accept them."""
    if _NON_ASCII_DIGIT.search(value or ""):
        raise ValidationError(
            "Type this with the digits 0-9 and plain letters (check your keyboard's language).",
            code="not_ascii",
        )


def format_phone(digits: str) -> str:
    """ "5035550123" -> "(503) 555-0123", the way patients read a number."""
    if len(digits) != 10:
        return digits
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def validate_zip_code(value: str) -> None:
    """A 5-digit ZIP the offline ZIP data knows, so every clinic can be placed on the map."""
    if not re.fullmatch(r"[0-9]{5}", value or ""):
        raise ValidationError("Use a 5-digit ZIP code, like 97201.", code="invalid")
    if geo.zip_place(value) is None:
        raise ValidationError(f"{value} is not a ZIP code we know.", code="unknown")
