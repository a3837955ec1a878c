"""The Spanish catalogue covers every string the interface uses, and it compiles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext is not installed (Debian package gettext; CI installs it)",
)


def untranslated(po_text: str) -> list[str]:
    """The msgids whose translation is empty or marked fuzzy (a guess gettext ignores)."""
    missing = []
    for block in po_text.split("\n\n"):
        if 'msgid ""\nmsgstr ""\n"' in block:  # the header
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[-1].split("\nmsg", 1)[0]))
        translations = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n")
        empty = not translations or any(not "".join(re.findall(r'"(.*)"', t)) for t in translations)
        if msgid and (empty or "#, fuzzy" in block):
            missing.append(msgid)
    return missing


def test_every_spanish_entry_is_translated():
    assert untranslated(CATALOGUE.read_text(encoding="utf-8")) == []


def test_untranslated_detects_empty_and_fuzzy_entries():
    po = (
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        'msgid "Home"\nmsgstr ""\n\n#, fuzzy\nmsgid "Next"\nmsgstr "Siguiente"\n'
    )
    assert untranslated(po) == ["Home", "Next"]


@needs_gettext
def test_catalogue_covers_every_string_in_templates_and_code(tmp_path):
    """Extract the strings afresh from a copy of the code (makemessages), merged with the
    committed catalogue: a new string nobody translated shows up as an empty msgstr. Staff-only
    sources (locale/staff-only.txt) are left out: the admin stays in English."""
    for name in ("dryneedling_site", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    staff_only = [
        f"--ignore={line.strip()}"
        for line in (ROOT / "locale" / "staff-only.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es",
            "--no-location",
            "--no-obsolete",
            *staff_only,
        ],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_DEBUG": "1", "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = (tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert untranslated(fresh) == [], "Run `make translations` and translate these in locale/es"


@needs_gettext
def test_catalogue_compiles_without_errors(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
