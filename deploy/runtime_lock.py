"""Write requirements-runtime.lock: the entries of requirements.lock a server needs, no test tools.

Production installs this (deploy/upgrade, docs/deployment.md step 3) so the venv carries no
pytest, mypy, ruff or playwright. Entries are copied verbatim (same versions, same hashes as the
lock CI tested); an entry is kept when the project's runtime dependencies (pyproject.toml
`dependencies` and the `postgres` extra, plus requirements-build.in) need it, following the
lock's own "# via" notes. `make lock` runs it; tests/deploy/test_runtime_lock.py checks it is
current.

    python deploy/runtime_lock.py [--check]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==")
PROJECT = "dryneedling-site (pyproject.toml)"


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9._-]+)", spec)
    assert match, spec
    return _name(match[1])


def runtime_lock(lock_text: str, pyproject: dict, build_in: str) -> str:
    """The runtime subset of `lock_text`, entries in their original order and form."""
    project = pyproject["project"]
    wanted = {
        _requirement_name(r)
        for r in [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    }
    wanted |= {
        _requirement_name(line) for line in build_in.splitlines() if line.strip() and not line.startswith("#")
    }
    entries = re.split(r"\n(?=\S)", lock_text.strip("\n"))
    parents: dict[str, set[str]] = {}
    for entry in entries:
        match = PIN.match(entry)
        if not match:
            continue
        via = []
        for line in entry.splitlines():
            comment = re.match(r"\s*#\s+(?:via\s*)?(.*)$", line)
            if comment and comment[1].strip():
                via.append(comment[1])
        parents[_name(match[1])] = {_name(v.strip()) if v.strip() != PROJECT else "" for v in via}
    keep = set(wanted)
    changed = True
    while changed:  # a package is kept when something kept pulls it in
        changed = False
        for name, via in parents.items():
            if name not in keep and via & keep:
                keep.add(name)
                changed = True
    kept = [entry for entry in entries if PIN.match(entry) and _name(PIN.match(entry)[1]) in keep]  # type: ignore[index]
    header = "# Runtime subset of requirements.lock (no test tools): written by deploy/runtime_lock.py.\n"
    return header + "\n".join(kept) + "\n"


def main() -> int:
    text = runtime_lock(
        (ROOT / "requirements.lock").read_text(),
        tomllib.loads((ROOT / "pyproject.toml").read_text()),
        (ROOT / "requirements-build.in").read_text(),
    )
    target = ROOT / "requirements-runtime.lock"
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print(
                "requirements-runtime.lock is out of date: run python deploy/runtime_lock.py", file=sys.stderr
            )
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
