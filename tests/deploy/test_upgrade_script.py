"""deploy/upgrade refuses what it cannot do before it changes anything, and covers the switch.

The whole upgrade (backup, build, switch, checkout, migrate, reload, content) is rehearsed by
bench/upgrade_rehearsal.py behind nginx under load; these checks are the quick ones: a wrong
release name or a hand-edited checkout stops the script at its first step with the checkout,
the hold and the switch untouched, and the switch starts before the code changes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "upgrade"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    """A checkout of a one-commit release, its environment file and the flag files' places."""
    app = tmp_path / "app"
    app.mkdir()
    _git(app, "init", "--quiet")
    (app / "manage.py").write_text("print('release one')\n")
    _git(app, "add", "manage.py")
    _git(app, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "one")
    env_file = tmp_path / "env"
    env_file.write_text("DJANGO_SITE_URL=https://guide.example.org\n")
    return {"app": app, "env": env_file, "hold": tmp_path / "upgrading", "switch": tmp_path / "switching"}


def _upgrade(site: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "APP_DIR": str(site["app"]),
        "ENV_FILE": str(site["env"]),
        "APP_USER": "root",
        "HOLD_FILE": str(site["hold"]),
        "SWITCH_FILE": str(site["switch"]),
        "INSTALL_SYSTEM": "0",
    }
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)


def _untouched(site: dict[str, Path], head: str) -> None:
    assert _git(site["app"], "rev-parse", "HEAD") == head
    assert not site["hold"].exists() and not site["switch"].exists()
    assert not (site["app"] / ".venv.new").exists()


def test_without_a_release_name_it_says_how_to_run_it(site):
    result = _upgrade(site)
    assert result.returncode == 2
    assert "Usage: deploy/upgrade RELEASE" in result.stderr


def test_an_unknown_release_stops_at_the_first_step_and_changes_nothing(site):
    head = _git(site["app"], "rev-parse", "HEAD")
    result = _upgrade(site, "v99-no-such-release")
    assert result.returncode == 1
    assert "UPGRADE STOPPED at step: 1 fetch, stage" in result.stderr
    assert "No release named v99-no-such-release" in result.stderr
    assert "The running site is untouched" in result.stderr
    _untouched(site, head)


def test_a_hand_edited_checkout_is_refused_before_anything_changes(site):
    head = _git(site["app"], "rev-parse", "HEAD")
    (site["app"] / "manage.py").write_text("print('edited on the server')\n")
    result = _upgrade(site, "HEAD")
    assert result.returncode == 1
    assert "changed by hand" in result.stderr
    assert (site["app"] / "manage.py").read_text() == "print('edited on the server')\n"
    _untouched(site, head)


def test_the_switch_starts_before_the_code_changes_and_ends_after_the_new_workers_answer():
    """The order that keeps old workers' 500s from visitors (nginx covers while the flag exists)."""
    text = SCRIPT.read_text()

    def line(pattern: str) -> int:
        found = [n for n, row in enumerate(text.splitlines()) if re.search(pattern, row)]
        assert found, f"deploy/upgrade no longer has {pattern!r}"
        return found[0]

    switch_on = line(r'^touch "\$SWITCH_FILE"')
    hold_on = line(r'&& touch "\$HOLD_FILE"')
    checkout = line(r"^git_app checkout")
    migrate = line(r"migrate --noinput")
    reload_ = line(r"^\$RELOAD")
    healthy = line(r'^if \[ "\$ok" != 1 \]')
    switch_off = line(r"^release_switch$")
    assert switch_on < checkout and hold_on < checkout < migrate < reload_ < healthy < switch_off
