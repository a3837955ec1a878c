"""Shared pieces of the benchmark scripts: a scratch site served by gunicorn on loopback.

The rehearsals (backup_restore, faults, scale_out) start the same way: `scratch_site()` gives a
scratch folder and a Redis of their own, `ScratchSite.configure()` the settings for a database,
`ScratchSite.prepare()` a migrated site with content, and `gunicorn()` serves it. A visitor's
requests (`get`, `vote`) are here too.
"""

from __future__ import annotations

import http.cookiejar
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The shipped articles' slugs (what the scratch site's load_content loads).
SLUGS = sorted(path.stem for path in (ROOT / "content" / "articles").glob("*.md"))


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


@contextmanager
def scratch_database(folder: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A database of our own: a SQLite file, or a new database on DATABASE_URL's server.
    Yields (url, destroy), where destroy() leaves an empty database at the same address."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = folder / "site.sqlite3"

        def destroy_sqlite() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield f"sqlite:///{path}", destroy_sqlite
        return

    import psycopg

    name = f"drill_{secrets.token_hex(4)}"
    server = urllib.parse.urlparse(url)

    def admin(sql: str) -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql)

    def destroy_postgres() -> None:
        admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')

    admin(f'CREATE DATABASE "{name}"')
    try:
        yield server._replace(path=f"/{name}").geturl(), destroy_postgres
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def visitor() -> urllib.request.OpenerDirector:
    """A visitor with a cookie jar of its own."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def get(base: str, path: str) -> tuple[int, str, str]:
    """(status, body, X-Page-Cache) of an anonymous GET."""
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get("X-Page-Cache", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("X-Page-Cache", "")


def vote(
    base: str, slug: str, helpful: bool = True, opener: urllib.request.OpenerDirector | None = None
) -> int:
    """A feedback vote on an article, as the page's script sends it; the answer's status.
    Without `opener`, from a new visitor."""
    data = urllib.parse.urlencode({"helpful": "yes" if helpful else "no"}).encode()
    request = urllib.request.Request(
        f"{base}/articles/{slug}/feedback/",
        data=data,
        method="POST",
        headers={"Origin": base, "Accept": "application/json"},
    )
    try:
        with (opener or visitor()).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class RedisServer:
    """A Redis of our own on one port, kept in memory only; it can be frozen, killed and started
    again. With `lifetime`, it also stops by itself after that many seconds (it then runs under
    `timeout`, so `signal()` and `kill()` would reach `timeout`, not Redis)."""

    def __init__(self, port: int, *, lifetime: int | None = None) -> None:
        self.port = port
        self.lifetime = lifetime
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise SystemExit("redis-server is not installed: apt-get install redis-server")
        guard = ["timeout", str(self.lifetime)] if self.lifetime else []
        self.process = subprocess.Popen(
            [
                *guard,
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if self.cli("ping") == "PONG":
                return
            time.sleep(0.1)
        raise SystemExit(f"Redis did not start on port {self.port}.")

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=5
        )
        return result.stdout.strip()

    def signal(self, number: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, number)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal(signal.SIGCONT)  # in case it is frozen
        self.cli("shutdown", "nosave")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class ScratchSite:
    """One rehearsal's scratch folder and Redis, and the site's settings once it has a database."""

    folder: Path
    redis: RedisServer
    env: dict[str, str] = field(default_factory=dict)

    def configure(self, database_url: str, **settings: str) -> dict[str, str]:
        """Production-like settings for `database_url`, with this rehearsal's Redis."""
        self.env = site_env(database_url, REDIS_URL=self.redis.url, **settings)
        return self.env

    def prepare(self) -> dict[str, str]:
        """Migrate, load the articles and sample clinics, collect static files (in the folder)."""
        prepare_site(self.env, static_root=self.folder / "static")
        return self.env


@contextmanager
def scratch_site(*, redis_port: int | None = None, redis_lifetime: int | None = 900) -> Iterator[ScratchSite]:
    """The start-up each rehearsal shares: a scratch folder and a Redis of its own (in memory,
    on 127.0.0.1), both gone when the block ends. `redis_lifetime=None` lets a rehearsal
    freeze and kill Redis itself (see RedisServer)."""
    with scratch_dir() as tmp, RedisServer(redis_port or free_port(), lifetime=redis_lifetime) as redis:
        yield ScratchSite(Path(tmp), redis)
