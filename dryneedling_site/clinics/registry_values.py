"""How the NPI registry writes its values, turned into ours: names, NPIs, addresses as keys.

Pure text functions, apart from the file reading in nppes.py (which re-exports them).
"""

from __future__ import annotations

import re

from .names import written

# USPS street suffixes and directions people write out in full, and unit designators.
_STREET_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "PARKWAY": "PKWY",
    "COURT": "CT",
    "LANE": "LN",
    "PLACE": "PL",
    "HIGHWAY": "HWY",
    "CIRCLE": "CIR",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}
_UNIT_WORDS = frozenset({"STE", "SUITE", "UNIT", "APT", "RM", "ROOM", "NO"})
_NPI = re.compile(r"[0-9]{10}", re.ASCII)


def title(text: str) -> str:
    """ "ACME PHYSICAL THERAPY LLC" -> "Acme Physical Therapy LLC": the registry writes in capitals."""
    return written(text, business=True)


def npi_is_valid(npi: str) -> bool:
    """The NPI's check digit (Luhn over "80840" + the first nine digits), as CMS assigns them."""
    if not _NPI.fullmatch(npi):
        return False
    total = 24  # the "80840" prefix's contribution to the Luhn sum
    for position, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def address_key(text: str) -> str:
    """An address as a key that "1200 Example Pkwy, Suite 100" and "1200 EXAMPLE PARKWAY STE
    100" share: USPS abbreviations, and no unit designator before the unit's number."""
    words = re.sub(r"[^A-Z0-9]+", " ", text.upper()).split()
    words = [_STREET_WORDS.get(word, word) for word in words if word not in _UNIT_WORDS]
    return " ".join(words)
