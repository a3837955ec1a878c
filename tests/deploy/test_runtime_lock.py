"""The server installs requirements-runtime.lock: what the site needs, with no test tools.

It must be current with requirements.lock (same versions and hashes CI tested), cover every
runtime dependency, and carry none of the test tools that made the production venv 349 MB.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", flags=re.MULTILINE)


def _pins(path: Path) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", n).lower(): v for n, v in PIN.findall(path.read_text())}


def test_runtime_lock_is_current_with_requirements_lock():
    result = subprocess.run(
        [sys.executable, "deploy/runtime_lock.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_runtime_lock_has_every_runtime_dependency_at_the_tested_version_with_hashes():
    runtime, full = _pins(ROOT / "requirements-runtime.lock"), _pins(ROOT / "requirements.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["postgres"]]:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", spec)[0]).lower()  # type: ignore[index]
        assert name in runtime, f"{name} is a runtime dependency but not in requirements-runtime.lock"
    assert all(full[name] == version for name, version in runtime.items())
    text = (ROOT / "requirements-runtime.lock").read_text()
    entries = [e for e in re.split(r"\n(?=\S)", text) if PIN.match(e)]
    assert all("--hash=sha256:" in entry for entry in entries)


def test_runtime_lock_carries_no_test_tools():
    runtime = _pins(ROOT / "requirements-runtime.lock")
    for tool in (
        "pytest",
        "pytest-django",
        "playwright",
        "mypy",
        "ruff",
        "hypothesis",
        "coverage",
        "django-stubs",
    ):
        assert tool not in runtime
