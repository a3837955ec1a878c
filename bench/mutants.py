"""Mutation check (not a unit test, not in CI: several minutes): do the tests catch what they guard?

    .venv/bin/python bench/mutants.py [--module clientip] [--list] [--no-baseline]

Each mutant is one small textual change to core/requestguards.py, core/clientip.py or
core/pagecache.py (a flipped comparison, a dropped condition, a removed cap). The script copies
the project (without .venv and .git) to a temporary folder, checks that the tests pass there
unchanged, then applies the mutants one at a time to the copy and runs

    python -m pytest tests/core tests/feedback -x -q

(with the module's own test files first, so a caught mutant stops within seconds). Each run
starts from the same migrated test database, made once (a copy of it, `--reuse-db`), so no run
pays for the migrations again. A mutant is
caught when the tests fail, missed when they pass. The working tree is never changed, so it is
safe to go on editing while it runs. Prints caught/missed per module; exits 1 if any mutant is
missed, or 2 if a mutant no longer applies (its text is gone from the module: update the list).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TESTS = ["tests/core", "tests/feedback"]
COPY_IGNORED = shutil.ignore_patterns(
    ".venv*", ".git", "node_modules", "__pycache__", ".ruff_cache", ".mypy_cache", "media", "staticfiles"
)
PER_RUN_SECONDS = 1800


@dataclass(frozen=True)
class Mutant:
    module: str  # path under dryneedling_site/core/
    what: str  # what the change breaks, in words
    old: str  # text that must occur exactly once in the module
    new: str
    # Why no visitor could notice this change (an equivalent mutant): surviving it is expected,
    # and reported apart; catching it means the reason no longer holds.
    equivalent: str = ""


GUARDS = "requestguards.py"
CLIENTIP = "clientip.py"
PAGECACHE = "pagecache.py"

MUTANTS = [
    # core/requestguards.py: where a public POST comes from, and its size.
    Mutant(
        GUARDS,
        "Sec-Fetch-Site verdict inverted",
        "lower() not in SAME_SITE_FETCH",
        "lower() in SAME_SITE_FETCH",
    ),
    Mutant(
        GUARDS,
        "a sibling subdomain (same-site) passes",
        '{"same-origin", "none"}',
        '{"same-origin", "same-site", "none"}',
    ),
    Mutant(GUARDS, "Sec-Fetch-Site ignored", "if fetch_site is not None:", "if False:"),
    Mutant(
        GUARDS,
        "a POST without Origin is refused",
        "if origin is None:\n        return False",
        "if origin is None:\n        return True",
    ),
    Mutant(
        GUARDS,
        "Origin compared in its letter case",
        "origin.strip().lower() not in {value.lower() for value in own}",
        "origin.strip() not in own",
    ),
    Mutant(GUARDS, "CSRF_TRUSTED_ORIGINS ignored", ", *settings.CSRF_TRUSTED_ORIGINS}", "}"),
    Mutant(
        GUARDS,
        "any Origin passes",
        "return origin.strip().lower() not in",
        "return False and origin.strip().lower() not in",
    ),
    Mutant(
        GUARDS,
        "a malformed Content-Length passes",
        "except ValueError:\n        return True",
        "except ValueError:\n        return False",
    ),
    Mutant(
        GUARDS,
        "size boundary: a body of exactly the limit refused",
        "length > settings.FEEDBACK_MAX_REQUEST_BYTES",
        "length >= settings.FEEDBACK_MAX_REQUEST_BYTES",
    ),
    Mutant(GUARDS, "no size limit", "return length > settings.FEEDBACK_MAX_REQUEST_BYTES", "return False"),
    # core/clientip.py: who the client is.
    Mutant(CLIENTIP, "the 20-entry X-Forwarded-For cap removed", '.split(",")[-20:]', '.split(",")'),
    Mutant(
        CLIENTIP,
        "an untrusted peer may forward",
        "if not _is_trusted(remote, networks):\n        return str(remote)",
        "if False:\n        return str(remote)",
    ),
    Mutant(
        CLIENTIP,
        "the chain walked from the left (a forged entry wins)",
        "for entry in reversed([item",
        "for entry in ([item",
    ),
    Mutant(
        CLIENTIP,
        "a malformed entry skipped instead of refused",
        "if address is None:\n            return None",
        "if address is None:\n            continue",
    ),
    Mutant(
        CLIENTIP,
        "our own proxies counted as clients",
        "if not _is_trusted(address, networks):\n            return str(address)",
        "if True:\n            return str(address)",
    ),
    Mutant(CLIENTIP, "IPv4-mapped IPv6 kept as IPv6", "return address.ipv4_mapped", "return address"),
    Mutant(CLIENTIP, "a scoped IPv6 address accepted", "if address.scope_id:", "if False:"),
    Mutant(
        CLIENTIP,
        "IPv6 counted per address, not per /64",
        "IPV6_CLIENT_PREFIX = 64",
        "IPV6_CLIENT_PREFIX = 128",
    ),
    Mutant(
        CLIENTIP,
        "a chain of only our proxies yields no client",
        "    # Every hop is one of ours (e.g. a health check from the proxy itself).\n    return str(remote)",
        "    return None",
    ),
    # core/pagecache.py: what is stored, for whom, and what browsers and proxies are told.
    Mutant(
        PAGECACHE,
        "only-200 storing dropped (a redirect replayed as a blank 200)",
        "response.status_code == 200\n                and not repeated",
        "not repeated",
    ),
    Mutant(
        PAGECACHE,
        "only-200 public Cache-Control dropped (a 404 or 301 marked public)",
        "elif response.status_code == 200:",
        "else:",
    ),
    Mutant(PAGECACHE, "a parameter given twice is stored", "and not repeated\n", "\n"),
    Mutant(PAGECACHE, "do_not_store() ignored", 'and getattr(response, "page_cache_store", True)\n', "\n"),
    Mutant(
        PAGECACHE,
        "an answer that sets a cookie is stored",
        "and not _sets_cookie(request, response)\n            )",
        ")",
    ),
    Mutant(
        PAGECACHE,
        "a cookie-setting answer made public",
        "if _sets_cookie(request, response):\n            # A",
        "if False:\n            # A",
    ),
    Mutant(
        PAGECACHE, "no per-view budget", "if storable and _within_budget(budget_name, limit):", "if storable:"
    ),
    Mutant(PAGECACHE, "staff get the cached public page", "and not has_staff_marker(request)", ""),
    Mutant(
        PAGECACHE,
        "staff pages not private",
        "patch_cache_control(response, private=True, no_cache=True)",
        "pass",
    ),
    Mutant(
        PAGECACHE,
        "one cached copy for every language",
        'address = f"{get_language()}|',
        'address = f"|',
        equivalent="the path alone picks the language (UrlLanguageMiddleware: /es/... Spanish, else "
        "English; never a cookie or Accept-Language), so the key's language part repeats the path",
    ),
    Mutant(
        PAGECACHE,
        "junk parameters reach the key",
        "query.setlist(name, request.GET.getlist(name))\n    query._mutable = False",
        "pass\n    query = request.GET.copy()",
    ),
    Mutant(PAGECACHE, "a refused version bump leaves the old version", "_cache().delete_now(key)", "pass"),
    Mutant(
        PAGECACHE,
        "the view's own headers not kept",
        "response[name] = value\n    return response",
        "pass\n    return response",
    ),
    Mutant(PAGECACHE, "no Vary: Cookie", 'patch_vary_headers(response, ["Cookie"])', "pass"),
]

# Each module's own tests run first, so a caught mutant usually stops in seconds.
FIRST = {
    GUARDS: ["tests/feedback/test_guards.py", "tests/feedback/test_views.py"],
    CLIENTIP: ["tests/core/test_clientip.py", "tests/core/test_clientip_chain.py"],
    PAGECACHE: [
        "tests/core/test_pagecache_answers.py",
        "tests/core/test_pagecache.py",
        "tests/core/test_pagecache_bounds.py",
    ],
}


# Written into the copy only: the test database is a file there, so it can be kept and reused.
TEST_DB_CONFTEST = """
import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["MUTANTS_TEST_DB"]
"""


def copy_project(target: Path) -> Path:
    """The project as it is now (committed or not), without virtualenvs, caches and .git."""
    copy = target / "site"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORED, symlinks=True)
    (copy / "conftest.py").write_text(TEST_DB_CONFTEST, encoding="utf-8")
    return copy


def _database(copy: Path) -> Path:
    return copy / "mutants-test.sqlite3"


def make_test_database(copy: Path) -> Path:
    """Migrate the test database once (one quick test that uses it) and keep a clean copy."""
    _pytest(copy, ["tests/core/test_clientip.py", "--create-db"])
    pristine = copy / "mutants-pristine.sqlite3"
    shutil.copyfile(_database(copy), pristine)
    return pristine


def _pytest(copy: Path, args: list[str]) -> subprocess.CompletedProcess:
    command = [PYTHON, "-m", "pytest", *args, "-x", "-q", "-p", "no:cacheprovider", "--reuse-db"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MUTANTS_TEST_DB": str(_database(copy))}
    return subprocess.run(command, cwd=copy, env=env, capture_output=True, timeout=PER_RUN_SECONDS)


def run_tests(copy: Path, pristine: Path, first: list[str]) -> tuple[bool, float, str]:
    """(passed, seconds, the first failing test) of the tests in the copy (its own modules: `-m`
    puts the copy first), on a fresh copy of the migrated test database."""
    started = time.perf_counter()
    for suffix in ("-wal", "-shm"):
        Path(f"{_database(copy)}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, _database(copy))
    try:
        result = _pytest(copy, [*first, *TESTS])
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - started, f"no result within {PER_RUN_SECONDS} s"
    failed = [
        line
        for line in result.stdout.decode(errors="replace").splitlines()
        if line.startswith(("FAILED", "ERROR"))
    ]
    return result.returncode == 0, time.perf_counter() - started, failed[0] if failed else ""


def imports_the_copy(copy: Path) -> bool:
    """The editable install points at the worktree: check the copy's own package is imported."""
    result = subprocess.run(
        [PYTHON, "-c", "import dryneedling_site.core.clientip as m; print(m.__file__)"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().startswith(str(copy))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", choices=["requestguards", "clientip", "pagecache"], action="append")
    parser.add_argument("--list", action="store_true", help="Print the mutants and stop.")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the unmutated run.")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.module or m.module.removesuffix(".py") in args.module]
    if args.list:
        for number, mutant in enumerate(chosen, 1):
            print(f"{number:2}. {mutant.module}: {mutant.what}")
        return 0

    with tempfile.TemporaryDirectory(prefix="dn-mutants-") as tmp:
        copy = copy_project(Path(tmp))
        if not imports_the_copy(copy):
            print("The copy's tests would import the worktree's modules, not the copy's: stopping.")
            return 2
        pristine = make_test_database(copy)
        if not args.no_baseline:
            passed, seconds, failure = run_tests(copy, pristine, [])
            print(
                f"Baseline (no mutant): {'passed' if passed else 'FAILED'} in {seconds:.0f} s {failure}",
                flush=True,
            )
            if not passed:
                print("The tests fail without a mutant: fix them first.")
                return 2
        results: dict[str, list[tuple[Mutant, bool]]] = {}
        stale: list[Mutant] = []
        equivalents: list[Mutant] = []
        for number, mutant in enumerate(chosen, 1):
            path = copy / "dryneedling_site" / "core" / mutant.module
            original = path.read_text(encoding="utf-8")
            if original.count(mutant.old) != 1:
                stale.append(mutant)
                print(f"{number:2}. {mutant.module}: {mutant.what}: NO LONGER APPLIES", flush=True)
                continue
            try:
                path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
                passed, seconds, failure = run_tests(copy, pristine, FIRST[mutant.module])
            finally:
                path.write_text(original, encoding="utf-8")
            caught = not passed
            if mutant.equivalent and not caught:
                equivalents.append(mutant)
                print(
                    f"{number:2}. {mutant.module}: {mutant.what}: equivalent, survived as expected",
                    flush=True,
                )
                continue
            results.setdefault(mutant.module, []).append((mutant, caught))
            verdict = "caught" if caught else "MISSED"
            print(
                f"{number:2}. {mutant.module}: {mutant.what}: {verdict} ({seconds:.0f} s) {failure}",
                flush=True,
            )

    print()
    missed = 0
    for module, outcomes in results.items():
        caught = sum(c for _, c in outcomes)
        missed += len(outcomes) - caught
        print(f"core/{module}: {caught} of {len(outcomes)} caught, {len(outcomes) - caught} missed")
    total = sum(len(o) for o in results.values())
    print(f"Total: {total - missed} of {total} caught")
    for mutant in equivalents:
        print(f"Equivalent (not counted): {mutant.module}: {mutant.what}: {mutant.equivalent}")
    if stale:
        print(f"{len(stale)} mutant(s) no longer apply: update MUTANTS in bench/mutants.py.")
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
