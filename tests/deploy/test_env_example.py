"""`.env.example` and docs/configuration.md name every environment variable the site reads.

An operator builds the server's environment file from `.env.example`; a variable missing there
is one they never learn to set (as DJANGO_EMAIL_BACKEND once was).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(
    r"""(?:os\.environ(?:\.get)?\(|os\.environ\[|env_bool\(|env_list\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Read only to refuse it (settings.py stops with the replacement's name).
REFUSED = {"FEEDBACK_TRUSTED_PROXY_HEADER"}


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in [*(ROOT / "dryneedling_site").rglob("*.py"), ROOT / "deploy" / "gunicorn.conf.py"]:
        names |= set(READS.findall(path.read_text()))
    return names - REFUSED


def test_the_scan_finds_the_variables_it_should():
    names = _variables_read()
    assert {"DJANGO_SECRET_KEY", "DJANGO_EMAIL_HOST", "REDIS_URL", "WEB_CONCURRENCY"} <= names


def test_env_example_sets_or_shows_every_variable():
    text = (ROOT / ".env.example").read_text()
    shown = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert _variables_read() - shown == set()


def test_the_configuration_guide_documents_every_variable():
    docs = "".join(path.read_text() for path in (ROOT / "docs").glob("*.md"))
    missing = {name for name in _variables_read() if f"`{name}`" not in docs}
    assert missing == set()


def test_the_shell_loads_env_example_as_the_guide_and_deploy_upgrade_do():
    # An unquoted value with a space ran its second word as a command and left the name empty.
    loaded = subprocess.run(
        ["bash", "-c", 'set -a; . ./.env.example; set +a; printf "%s|%s" "$SITE_NAME" "$STAFF_MFA_ISSUER"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert loaded.stderr == ""
    name, issuer = loaded.stdout.split("|")
    assert name and issuer and " " in name
