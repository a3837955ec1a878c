"""Registry names written as people write them: "MCWHORTER" -> "McWhorter", "ACME PT AND
SPORTS MEDICINE SC" -> "Acme PT and Sports Medicine SC".

The NPI registry stores names in capitals. Plain title case reads like a database ("Mcwhorter",
"Clinic Sc", "And Sports Medicine"), so business suffixes and initialisms stay in capitals,
small joining words go lower case, and Mc, Mac, O' and hyphens start a new capital.
"""

from __future__ import annotations

import re

# Kept in capitals: business forms, credentials and initialisms found in PT practice names.
UPPER_WORDS = frozenset(
    [
        "PT",
        "DPT",
        "OT",
        "OTR",
        "SLP",
        "ATC",
        "LLC",
        "PLLC",
        "PC",
        "PA",
        "SC",
        "LLP",
        "LP",
        "USA",
        "US",
        "II",
        "III",
        "IV",
        "NW",
        "NE",
        "SW",
        "SE",
        "MD",
        "DO",
        "PLC",
    ]
)
# Written the way the business form is usually spelled.
SPELLED = {"INC": "Inc", "LTD": "Ltd", "CO": "Co", "CORP": "Corp"}
SMALL_WORDS = frozenset(["and", "of", "the", "for", "at", "in", "on", "by", "to", "a", "an", "or", "with"])
# "Mac" + a capital is a prefix only in names like MacDonald; these common names start with it.
_NOT_MAC = frozenset(
    [
        "MACE",
        "MACEY",
        "MACH",
        "MACHADO",
        "MACHIN",
        "MACIAS",
        "MACIEL",
        "MACK",
        "MACKEY",
        "MACKIE",
        "MACKIN",
        "MACKLIN",
        "MACON",
        "MACY",
    ]
)
_WORD = re.compile(r"[A-Za-z]+|[^A-Za-z]+")


def _cap(part: str) -> str:
    """One run of letters, in a person's or business's own capitals."""
    upper = part.upper()
    if len(upper) > 3 and upper.startswith("MC"):
        return "Mc" + upper[2].upper() + upper[3:].lower()
    if len(upper) > 5 and upper.startswith("MAC") and upper not in _NOT_MAC and upper[3] not in "AEIOU":
        return "Mac" + upper[3] + upper[4:].lower()
    return upper[:1] + upper[1:].lower()


def _word(word: str, *, first: bool, business: bool) -> str:
    bare = word.strip(".,()&").upper()
    if business and bare in UPPER_WORDS:
        return word.upper()
    if business and bare in SPELLED:
        return word.upper().replace(bare, SPELLED[bare])
    if not first and bare.lower() in SMALL_WORDS:
        return word.lower()
    pieces = _WORD.findall(word)
    out = []
    for index, piece in enumerate(pieces):
        if not piece.isalpha():
            out.append(piece)
            continue
        after_apostrophe = index >= 2 and pieces[index - 1] == "'"
        # O'Brien, D'Angelo: one letter before the apostrophe. Patient's: a long word before it.
        if after_apostrophe and len(pieces[index - 2]) > 1:
            out.append(piece.lower())
        else:
            out.append(_cap(piece))
    return "".join(out)


def written(text: str, *, business: bool = False) -> str:
    """A registry name in people's capitals; `business` keeps LLC, PC, PT... in capitals."""
    words = text.split()
    return " ".join(_word(word, first=index == 0, business=business) for index, word in enumerate(words))


def person_name(first: str, last: str) -> str:
    """ "KELLY", "O'NEIL-SMITH" -> "Kelly O'Neil-Smith"."""
    return written(f"{first.strip()} {last.strip()}")


def organization_name(text: str) -> str:
    """ "MCWHORTER PT AND SPORTS MEDICINE SC" -> "McWhorter PT and Sports Medicine SC"."""
    return written(text, business=True)
