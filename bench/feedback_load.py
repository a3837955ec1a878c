"""Load test of the feedback endpoint (a benchmark, not a unit test).

    .venv/bin/python bench/feedback_load.py [--votes 2000] [--clients 32]

Starts gunicorn (2 workers, 127.0.0.1, a free port) against a scratch database: a new SQLite
file, or, when DATABASE_URL points to PostgreSQL, a new database on that server (its role
needs CREATEDB; the database is dropped afterwards). Rate limits are raised for the run.
Concurrent clients, each with its own cookie jar, play visitors one after another: a visitor
answers 1 to 3 articles and sometimes answers one again or adds a comment, so de-duplication
is exercised. At the end the stored rows must equal the distinct (visitor, article) pairs
that were accepted, and no answer may be a 5xx. Exits 1 otherwise, 2 on the time limit.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import free_port, manage, shell, site_env, wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMENTS = ["Say how long the soreness lasts.", "The checklist helped.", "More pictures, please."]


@dataclass
class Tally:
    """What the clients saw, merged under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    pairs: set[tuple[int, int, str]] = field(default_factory=set)
    commented_pairs: set[tuple[int, int, str]] = field(default_factory=set)
    tickets: int = 0

    def take_ticket(self) -> bool:
        with self.lock:
            if self.tickets <= 0:
                return False
            self.tickets -= 1
            return True


def scratch_postgres(url: str) -> tuple[str, str]:
    """Create an empty database beside the one DATABASE_URL names; return its URL and name."""
    import psycopg

    name = f"feedback_load_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl(), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def send(
    opener: urllib.request.OpenerDirector, url: str, data: dict, headers: dict, tally: Tally
) -> bool | None:
    """POST one answer; record its status and time. True when accepted, None on no answer."""
    request = urllib.request.Request(  # noqa: S310 (local server)
        url, data=urllib.parse.urlencode(data).encode(), headers=headers
    )
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError as error:
        with tally.lock:
            tally.errors.append(f"{type(error).__name__}: {error}")
        return None
    elapsed = time.perf_counter() - started
    with tally.lock:
        tally.statuses[status] += 1
        tally.latencies.append(elapsed)
    return status == 200 and json.loads(body).get("ok") is True


def client(number: int, base: str, slugs: list[str], tally: Tally, stop: threading.Event) -> None:
    """One browser: its own cookie jar, a stream of visitors, one request at a time."""
    rng = random.Random(number)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    visitor = 0
    while not stop.is_set():
        visitor += 1
        jar.clear()  # a new visitor
        articles = rng.sample(slugs, rng.randint(1, 3))
        plan = [(slug, rng.choice(["yes", "no"]), None) for slug in articles]
        if rng.random() < 0.4:  # answers one article again, sometimes with a comment
            plan.append((rng.choice(articles), rng.choice(["yes", "no"]), rng.choice([None, *COMMENTS])))
        for slug, answer, comment in plan:
            if stop.is_set() or not tally.take_ticket():
                return
            data = {"helpful": answer, "version": ""}
            if comment:
                data["comment"] = comment
            url = f"{base}/articles/{slug}/feedback/"
            if send(opener, url, data, {"Origin": base, "Accept": "application/json"}, tally):
                with tally.lock:
                    tally.pairs.add((number, visitor, slug))
                    if comment:
                        tally.commented_pairs.add((number, visitor, slug))


def double_clicks(base: str, slugs: list[str], tally: Tally, visitors: int, clients: int) -> None:
    """Visitors who send two answers at the same moment with the same cookie (a double click).

    Both requests try to create the visitor's row; the loser must update it, not fail.
    """
    opener = urllib.request.build_opener()
    pairs = []
    for number in range(visitors):
        token, slug = secrets.token_urlsafe(32), slugs[number % len(slugs)]
        barrier = threading.Barrier(2)
        pairs.append((number, token, slug, barrier))

    def one(number: int, token: str, slug: str, barrier: threading.Barrier, answer: str) -> None:
        headers = {"Origin": base, "Accept": "application/json", "Cookie": f"feedback_visitor={token}"}
        barrier.wait(timeout=30)
        if send(opener, f"{base}/articles/{slug}/feedback/", {"helpful": answer}, headers, tally):
            with tally.lock:
                tally.pairs.add((-1, number, slug))

    with ThreadPoolExecutor(max(2, clients - clients % 2)) as pool:
        futures = [pool.submit(one, *pair, answer) for pair in pairs for answer in ("yes", "no")]
    for future in futures:
        future.result()


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--double-clicks", type=int, default=64, help="Visitors who then send two answers at once."
    )
    parser.add_argument("--time-limit", type=int, default=300, help="Seconds before giving up.")
    arguments = parser.parse_args()

    given = os.environ.get("DATABASE_URL", "")
    postgres = given.startswith(("postgres://", "postgresql://"))
    workdir = Path(tempfile.mkdtemp(prefix="feedback-load-"))
    scratch_name = None
    server = None
    server_log = ""
    timed_out = threading.Event()
    try:
        if postgres:
            database_url, scratch_name = scratch_postgres(given)
        else:
            database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
        env = site_env(
            database_url, FEEDBACK_RATE_LIMIT_VISITOR="1000000", FEEDBACK_RATE_LIMIT_ADDRESS="1000000"
        )
        manage(env, "migrate", "--noinput")
        manage(env, "load_content")
        slugs = json.loads(
            shell(
                env,
                "import json; from dryneedling_site.articles.models import Article; "
                "print(json.dumps(list(Article.objects.published().values_list('slug', flat=True))))",
            )
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (workdir / "gunicorn.log").open("w")  # closed with the process
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "dryneedling_site.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_healthy(base, server)

        tally = Tally(tickets=arguments.votes)
        stop = threading.Event()

        def give_up() -> None:
            timed_out.set()
            stop.set()
            stop_server(server)

        watchdog = threading.Timer(arguments.time_limit, give_up)
        watchdog.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(arguments.clients) as pool:
            futures = [
                pool.submit(client, number, base, slugs, tally, stop) for number in range(arguments.clients)
            ]
        for future in futures:
            future.result()  # a bug in a client must not pass silently
        elapsed = time.perf_counter() - started
        main_statuses, main_latencies = Counter(tally.statuses), sorted(tally.latencies) or [0.0]
        double_clicks(base, slugs, tally, arguments.double_clicks, arguments.clients)
        watchdog.cancel()
        stop_server(server)

        counts = shell(
            env,
            "from dryneedling_site.feedback.models import Feedback; "
            "print(Feedback.objects.count(), Feedback.objects.exclude(comment='').count())",
        )
        rows, comment_rows = map(int, counts.split())
    finally:
        if server is not None:
            stop_server(server)
        if scratch_name:
            drop_postgres(given, scratch_name)
        log_path = workdir / "gunicorn.log"
        server_log = log_path.read_text(errors="replace") if log_path.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)

    main_sent = sum(main_statuses.values())
    accepted = tally.statuses[200]
    client_errors = sum(n for status, n in tally.statuses.items() if 400 <= status < 500)
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    expected = len(tally.pairs)
    lost = max(0, expected - rows)
    duplicates = max(0, rows - expected)
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"Feedback load test: {engine}, gunicorn with 2 workers, {arguments.clients} clients")
    print(
        f"  {main_sent} answers in {elapsed:.1f} s: {main_sent / elapsed:.0f} votes/s, latency median "
        f"{statistics.median(main_latencies) * 1000:.0f} ms, 95th percentile "
        f"{main_latencies[int(len(main_latencies) * 0.95) - 1] * 1000:.0f} ms"
    )
    print(f"  then {arguments.double_clicks} visitors sent two answers at the same moment")
    print(
        f"  all answers: {sum(tally.statuses.values())} answered, accepted {accepted}, "
        f"4xx {client_errors}, 5xx {server_errors}, connection errors {len(tally.errors)}"
    )
    print(
        f"  rows stored {rows} for {expected} distinct visitor/article pairs accepted: lost {lost}, "
        f"duplicates {duplicates}; comments stored {comment_rows} of {len(tally.commented_pairs)}"
    )
    for error in tally.errors[:5]:
        print(f"  error: {error}")
    if timed_out.is_set():
        print(f"  gave up after the {arguments.time_limit} s time limit")
        return 2
    failed = lost or duplicates or server_errors or tally.errors or comment_rows != len(tally.commented_pairs)
    if failed and server_log:
        print("  last lines of the gunicorn log:\n" + "\n".join(server_log.splitlines()[-20:]))
    print("  FAILED" if failed else "  OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
