"""Fault rehearsal (not a unit test): the site keeps serving while Redis or PostgreSQL fail.

    .venv/bin/python bench/faults.py [--clients 6] [--port-base 7100]

Starts its own Redis and PostgreSQL cluster (as the postgres user; needs root) on 127.0.0.1,
and gunicorn with 2 workers, then sends steady page and vote traffic from several clients
(each from its own 127.0.0.x source address) through these phases:

  1. baseline;
  2. Redis frozen (SIGSTOP) for 10 s, then resumed;
  3. Redis killed (SIGKILL), restarted 5 s later (empty, as after a crash);
  4. PostgreSQL stopped for 5 s, then started again (the app is not restarted);
  5. Redis full (`noeviction`, writes refused, reads answered) while staff correct an
     article: 0 stale pages of 12 visits during the fault and of 6 after (its own Redis on a
     free port; `--redis-full-only` runs just this phase, on SQLite);
  6. on SQLite: a 5,000-row `import_clinics` while votes arrive.

Per phase it prints requests, unexpected 5xx, designed 503s (with Retry-After), requests
without an answer, p95 page latency (whole phase and during the fault), votes accepted and
stored, and the seconds until the site answered normally again. It exits 1 on any 5xx other
than a designed 503 (during the import, on any 503 at all: votes must succeed), a request
without an answer, a lost or extra vote, or a site not recovered 10 s after a fault ended.
Everything it starts it stops itself (by pid, pg_ctl, redis-cli shutdown). Time-bounded.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    ROOT,
    SLUGS,
    RedisServer,
    free_port,
    gunicorn,
    manage,
    prepare_site,
    scratch_dir,
    scratch_site,
    shell,
    site_env,
)

RECOVERY_SECONDS = 10.0
IMPORT_ROWS = 5000
RUN_LIMIT_SECONDS = 900


# The parts it starts and stops


class PostgresCluster:
    """A throwaway PostgreSQL cluster of our own, run as the postgres user (initdb refuses root)."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=60
        )

    def create(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.directory / "data"), "--auth=trust", "-U", "postgres"
        )
        self.start()
        for statement in (
            "CREATE ROLE guide LOGIN PASSWORD 'guide' CREATEDB",
            "CREATE DATABASE guide OWNER guide",
        ):
            self._as_postgres(
                "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc", statement
            )
        return f"postgres://guide:guide@127.0.0.1:{self.port}/guide"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-l", str(self.directory / "log"),
            "-w", "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop"
        )

    def running(self) -> bool:
        return (self.directory / "data" / "postmaster.pid").exists()


# Traffic


@dataclass
class PhaseStats:
    """What the clients saw during one phase, merged under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    unexpected_5xx: int = 0
    designed_503: int = 0
    no_answer: int = 0
    page_latencies: list[tuple[float, float]] = field(default_factory=list)  # (start, seconds)
    votes_accepted: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(problem)


def request(
    port: int, source: str, method: str, path: str, body: dict | None = None, timeout: float = 40
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request from a given loopback source address, on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        headers = {"Host": f"127.0.0.1:{port}"}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Origin": f"http://127.0.0.1:{port}",
            }
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Traffic:
    """Clients sending pages and votes (a new visitor each vote) until stopped."""

    def __init__(self, port: int, clients: int, pages: list[str], *, votes_only: bool = False) -> None:
        self.port = port
        self.clients = clients
        self.pages = pages
        self.votes_only = votes_only
        self.stats = PhaseStats()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Traffic:
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _client(self, number: int) -> None:
        source = f"127.0.0.{number + 2}"
        deadline = time.monotonic() + RUN_LIMIT_SECONDS
        turn = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            turn += 1
            if self.votes_only or turn % 3 == 0:
                slug = SLUGS[(number + turn) % len(SLUGS)]
                self._one(
                    source, "POST", f"/articles/{slug}/feedback/", {"helpful": "yes" if turn % 2 else "no"}
                )
            else:
                self._one(source, "GET", self.pages[(number * 7 + turn) % len(self.pages)], None)
            self._stop.wait(0.1)

    def _one(self, source: str, method: str, path: str, body: dict | None) -> None:
        started = time.monotonic()
        try:
            status, headers, content = request(self.port, source, method, path, body)
        except OSError as error:
            with self.stats.lock:
                self.stats.requests += 1
                self.stats.no_answer += 1
                self.stats.note(f"{method} {path}: no answer ({type(error).__name__})")
            return
        seconds = time.monotonic() - started
        with self.stats.lock:
            self.stats.requests += 1
            if status == 503 and "retry-after" in headers:
                self.stats.designed_503 += 1
            elif status >= 500:
                self.stats.unexpected_5xx += 1
                self.stats.note(f"{method} {path}: {status}")
            if method == "GET":
                self.stats.page_latencies.append((started, seconds))
            elif status == 200 and json.loads(content).get("ok") is True:
                self.stats.votes_accepted += 1


def p95(latencies: list[float]) -> float | None:
    if len(latencies) < 2:
        return latencies[0] if latencies else None
    return statistics.quantiles(latencies, n=20)[-1]


def recovered(port: int, stats: PhaseStats, seconds: float = RECOVERY_SECONDS) -> float | None:
    """Seconds until /healthz says every part is ok and a vote is accepted (counted in `stats`);
    None if not in time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            status, _, body = request(port, "127.0.0.100", "GET", "/healthz", timeout=5)
            if status == 200 and json.loads(body)["status"] == "ok":
                status, _, body = request(port, "127.0.0.100", "POST", f"/articles/{SLUGS[0]}/feedback/",
                                          {"helpful": "yes"}, timeout=5)  # fmt: skip
                if status == 200 and json.loads(body).get("ok") is True:
                    with stats.lock:
                        stats.votes_accepted += 1
                    return time.monotonic() - started
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.25)
    return None


# Counting stored votes straight from the database


def stored_votes(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(urllib.parse.urlparse(database_url).path) as connection:
            return connection.execute("SELECT COUNT(*) FROM feedback_feedback").fetchone()[0]
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(database_url, connect_timeout=3) as connection:
                return connection.execute("SELECT COUNT(*) FROM feedback_feedback").fetchone()[0]
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class PhaseResult:
    name: str
    stats: PhaseStats
    fault_window: tuple[float, float]
    stored: int
    recovery: float | None
    strict_503: bool = False

    @property
    def failed(self) -> list[str]:
        problems = []
        if self.stats.unexpected_5xx:
            problems.append(f"{self.stats.unexpected_5xx} unexpected 5xx")
        if self.strict_503 and self.stats.designed_503:
            problems.append(f"{self.stats.designed_503} votes refused with 503 during the import")
        if self.stats.no_answer:
            problems.append(f"{self.stats.no_answer} requests without an answer")
        if self.stored < self.stats.votes_accepted:
            problems.append(f"{self.stats.votes_accepted - self.stored} accepted votes lost")
        # A vote whose answer never came may or may not be stored; anything beyond that is not.
        if self.stored > self.stats.votes_accepted + self.stats.no_answer:
            problems.append(f"votes accepted {self.stats.votes_accepted} but stored {self.stored}")
        if self.recovery is None:
            problems.append(f"not recovered {RECOVERY_SECONDS:.0f} s after the fault")
        return problems

    def row(self) -> str:
        latencies = [seconds for _, seconds in self.stats.page_latencies]
        start, end = self.fault_window
        during = [seconds for began, seconds in self.stats.page_latencies if start <= began <= end]

        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value * 1000:.0f}"

        recovery = "-" if self.recovery is None else f"{self.recovery:.1f}"
        return (
            f"| {self.name} | {self.stats.requests} | {self.stats.unexpected_5xx} | {self.stats.designed_503} "
            f"| {self.stats.no_answer} | {ms(p95(latencies))} | {ms(p95(during))} "
            f"| {self.stats.votes_accepted} / {self.stored} | {recovery} |"
        )


HEADER = (
    "| Phase | Requests | Unexpected 5xx | Designed 503 | No answer | p95 page ms | p95 page ms during fault "
    "| Votes accepted / stored | Recovered after (s) |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def run_phase(
    name: str,
    port: int,
    database_url: str,
    clients: int,
    pages: list[str],
    fault: Callable[[], None],
    *,
    votes_only: bool = False,
    strict_503: bool = False,
) -> PhaseResult:
    """Traffic on; the fault (which returns once it has ended); recovery check; traffic off."""
    before = stored_votes(database_url)
    with Traffic(port, clients, pages, votes_only=votes_only) as traffic:
        time.sleep(1)
        started = time.monotonic()
        fault()
        ended = time.monotonic()
        recovery = recovered(port, traffic.stats)
        time.sleep(1)
    result = PhaseResult(
        name, traffic.stats, (started, ended), stored_votes(database_url) - before, recovery, strict_503
    )
    print(result.row(), flush=True)
    for example in traffic.stats.examples:
        print(f"    e.g. {example}")
    return result


def big_clinic_file(path: Path, rows: int) -> None:
    """The sample clinics, repeated under new names to `rows` rows."""
    with (ROOT / "content" / "clinics-sample.csv").open(newline="", encoding="utf-8") as sample:
        reader = csv.DictReader(sample)
        fieldnames, templates = reader.fieldnames, list(reader)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=fieldnames)
        writer.writeheader()
        for number in range(rows):
            row = dict(templates[number % len(templates)])
            row["name"] = f"Rehearsal Clinic {number:05d}"
            row["website"] = f"https://example.com/rehearsal-{number:05d}"
            writer.writerow(row)


def page_list() -> list[str]:
    searches = [f"/find-a-pt/?location={zip_code}&radius={radius}" for zip_code in ("97201", "10001", "60601")
                for radius in (10, 25, 50)]  # fmt: skip
    return ["/", "/articles/", "/find-a-pt/", *(f"/articles/{slug}/" for slug in SLUGS), *searches]


def _visit(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    body = conn.getresponse().read().decode("utf-8", "replace")
    conn.close()
    return body


def redis_full_phase(database_url: str, limits: dict[str, str], static_root: Path) -> list[str]:
    """Redis full under `noeviction` (writes refused, reads answered) while staff correct an
    article: no visit may get the old page, neither during the fault nor after Redis has room.

    The Redis is our own, on a free port, stopped by `redis-cli -p PORT shutdown`."""
    redis = RedisServer(free_port())
    redis.start()
    problems: list[str] = []
    try:
        env = site_env(database_url, REDIS_URL=redis.url, DJANGO_STATIC_ROOT=str(static_root), **limits)
        slug = SLUGS[0]
        path = f"/articles/{slug}/"
        app_port = free_port()
        with gunicorn(env, workers=2, port=app_port, app="dryneedling_site.wsgi:application"):
            for _ in range(8):  # both workers have the page cached
                _visit(app_port, path)
            redis.cli("config", "set", "maxmemory-policy", "noeviction")
            redis.cli("config", "set", "maxmemory", "1")  # already over: every write is refused
            marker = f"Corrected {int(time.time())}"
            edit = (
                "from dryneedling_site.articles.models import Article; "
                f"a = Article.objects.filter(slug={slug!r}, language='en').first(); "
                f"a.title = {marker!r}; a.save(); print('edited')"
            )
            shell({**env, "DJANGO_LOG_LEVEL": "CRITICAL"}, edit)
            during = [marker in _visit(app_port, path) for _ in range(12)]
            redis.cli("config", "set", "maxmemory", "0")  # room again
            time.sleep(6)  # past the breaker's cooldown, so workers use Redis again
            after = [marker in _visit(app_port, path) for _ in range(6)]
        stale_during, stale_after = during.count(False), after.count(False)
        print(
            f"\nRedis full (noeviction): stale pages after an edit: {stale_during} of {len(during)} "
            f"while full, {stale_after} of {len(after)} after it had room again"
        )
        if stale_during or stale_after:
            problems.append(f"Redis full (noeviction): {stale_during + stale_after} stale pages")
    finally:
        redis.stop()
    return problems


def _out_of_time(*_: object) -> None:
    raise SystemExit(f"Fault rehearsal FAILED: not done within {RUN_LIMIT_SECONDS} s.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--port-base", type=int, default=7100, help="Uses this port and the next four.")
    parser.add_argument("--skip-import", action="store_true", help="Leave out the SQLite import phase.")
    parser.add_argument("--redis-full-only", action="store_true", help="Run only the Redis-full phase.")
    args = parser.parse_args()
    limits = {"FEEDBACK_RATE_LIMIT_VISITOR": "1000000", "FEEDBACK_RATE_LIMIT_ADDRESS": "1000000"}
    if args.redis_full_only:
        with scratch_dir() as only_scratch:
            sqlite_url = f"sqlite:///{Path(only_scratch) / 'redis-full.sqlite3'}"
            prepare_site(site_env(sqlite_url, **limits), static_root=Path(only_scratch) / "static")
            failures = redis_full_phase(sqlite_url, limits, Path(only_scratch) / "static")
        print("\n".join(f"FAILED {problem}" for problem in failures) or "Redis-full phase passed.")
        return 1 if failures else 0
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(RUN_LIMIT_SECONDS)  # the whole rehearsal is bounded in time
    redis_port, postgres_port, pg_app_port, sqlite_app_port = (args.port_base + n for n in (1, 2, 3, 4))
    pages = page_list()
    results: list[PhaseResult] = []

    with ExitStack() as stack:
        # Redis without a lifetime: this rehearsal freezes and kills it itself.
        site = stack.enter_context(scratch_site(redis_port=redis_port, redis_lifetime=None))
        scratch, redis = site.folder, site.redis
        os.chmod(scratch, 0o755)  # noqa: S103 (the postgres user must reach its cluster folder)
        cluster = PostgresCluster(postgres_port, scratch / "postgres")
        database_url = cluster.create()
        stack.callback(lambda: cluster.running() and cluster.stop())
        site.configure(database_url, **limits)
        env = site.prepare()
        print(f"PostgreSQL :{postgres_port}, Redis :{redis_port}, gunicorn :{pg_app_port} (2 workers), "
              f"{args.clients} clients\n")  # fmt: skip
        print(HEADER)

        def freeze_redis() -> None:
            redis.signal(signal.SIGSTOP)
            time.sleep(10)
            redis.signal(signal.SIGCONT)

        def kill_redis() -> None:
            redis.kill()
            time.sleep(5)
            redis.start()

        def restart_postgres() -> None:
            cluster.stop()
            time.sleep(5)
            cluster.start()

        with gunicorn(env, workers=2, port=pg_app_port, app="dryneedling_site.wsgi:application"):
            for name, fault in (
                ("Baseline (PostgreSQL, Redis)", lambda: time.sleep(5)),
                ("Redis frozen 10 s (SIGSTOP)", freeze_redis),
                ("Redis killed, restarted after 5 s", kill_redis),
                ("PostgreSQL stopped 5 s, started", restart_postgres),
            ):
                results.append(run_phase(name, pg_app_port, database_url, args.clients, pages, fault))
        redis_full_problems = redis_full_phase(database_url, limits, scratch / "static")

        if not args.skip_import:
            sqlite_url = f"sqlite:///{scratch / 'import.sqlite3'}"
            sqlite_env = site_env(sqlite_url, REDIS_URL=f"redis://127.0.0.1:{redis_port}/1", **limits)
            prepare_site(sqlite_env, static_root=scratch / "static")
            clinics = scratch / "clinics-5000.csv"
            big_clinic_file(clinics, IMPORT_ROWS)
            import_seconds: list[float] = []
            import_errors: list[str] = []

            def import_clinics() -> None:
                started = time.monotonic()
                try:
                    manage({**sqlite_env, "DJANGO_LOG_LEVEL": "ERROR"}, "import_clinics", str(clinics))
                except SystemExit as failure:  # manage() exits with the command's error
                    import_errors.append(str(failure).strip().splitlines()[-1])
                finally:
                    import_seconds.append(time.monotonic() - started)

            with gunicorn(
                sqlite_env, workers=2, port=sqlite_app_port, app="dryneedling_site.wsgi:application"
            ):
                results.append(
                    run_phase(
                        f"SQLite: {IMPORT_ROWS:,}-row import_clinics during votes",
                        sqlite_app_port,
                        sqlite_url,
                        args.clients,
                        pages,
                        import_clinics,
                        votes_only=True,
                        strict_503=True,
                    )
                )
            print(f"\nThe import took {import_seconds[0]:.1f} s.")

    problems = [f"{result.name}: {problem}" for result in results for problem in result.failed]
    problems += redis_full_problems
    if not args.skip_import:
        problems += [f"import_clinics failed: {error}" for error in import_errors]
    for problem in problems:
        print(f"FAILED {problem}")
    print("Fault rehearsal passed." if not problems else "Fault rehearsal FAILED.")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
