"""Shared pieces of the benchmark scripts: a scratch site served by gunicorn on loopback."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings for a plain-HTTP loopback run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="dryneedling_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command against the scratch site; its output, or exit with its error."""
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def shell(env: dict[str, str], code: str) -> str:
    """Run Python in the scratch site's Django (manage.py shell -c); the last line it printed."""
    lines = manage(env, "shell", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


def wait_until_healthy(base: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Return once /healthz answers 200; exit if the server died or never answered."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting.")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f} seconds.")


def prepare_site(env: dict[str, str], *, static_root: Path) -> None:
    """Migrate, load the articles and sample clinics, collect static files."""
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    sample = ROOT / "content" / "clinics-sample.csv"
    if sample.exists():
        manage(env, "import_clinics", str(sample))
    manage(env, "collectstatic", "--noinput")


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int = 2,
    port: int | None = None,
    app: str = "bench.wsgi_bench:application",
):
    """Run gunicorn on 127.0.0.1 until the block ends (or 15 minutes pass); yield its base URL."""
    port = port or free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(["timeout", "900", *command], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="dn-bench-")
