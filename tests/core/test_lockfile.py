"""Installs are reproducible: requirements.lock pins every dependency, with hashes."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def locked() -> dict[str, tuple[str, str]]:
    """Name -> (version, the entry's full text) for every pin in requirements.lock."""
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=\S)", text)
    pins = {}
    for entry in entries:
        match = PIN.match(entry)
        if match:
            pins[canonicalize_name(match[1])] = (match[2], entry)
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *extras["test"], *extras["postgres"]]]


def test_every_declared_dependency_is_pinned_with_a_version_it_allows_and_hashes():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        version, entry = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, version)
        assert "--hash=sha256:" in entry, f"{name} has no hash in requirements.lock"


def test_installed_versions_are_the_locked_ones():
    """What set-up installed is exactly what the lock pins (no silent upgrade such as zipcodes 3)."""
    for name, (version, _entry) in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # e.g. a platform-only dependency
        assert installed == version, f"{name} {installed} is installed but the lock pins {version}"
