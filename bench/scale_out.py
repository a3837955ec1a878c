"""Scale-out rehearsal (not a unit test): two app servers, one PostgreSQL, one Redis.

    .venv/bin/python bench/scale_out.py [--votes 600 --clients 16]

On this one machine it starts Redis (Debian's redis-server) and, unless DATABASE_URL already
points to PostgreSQL, a throwaway PostgreSQL cluster (.ci/start-postgres; needs root), then two
gunicorn servers on different loopback ports sharing both. It checks that:
  1. feedback votes split across both servers are all stored (stored == accepted, no 5xx);
  2. an article edited through server A shows on the very next request to server B, whose
     cache held the old page (shared cache invalidation);
  3. rate limits hold across both servers (the per-address limit counts requests to either).
Everything binds to 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from django_otp.oath import totp  # noqa: E402

from bench.common import (  # noqa: E402
    ROOT,
    SLUGS,
    free_port,
    gunicorn,
    manage,
    scratch_site,
    shell,
    visitor,
    vote,
)

STAFF = ("scale-editor", "a long scale test password 42")
# The superuser's authenticator key (hex, as django-otp stores it): superusers need the code.
STAFF_TOTP_KEY = "3132333435363738393031323334353637383930"


@contextmanager
def postgres():
    """DATABASE_URL's PostgreSQL, or a throwaway cluster of our own (.ci/start-postgres), stopped
    at the end by its own command (.ci/stop-postgres), never by process name."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        yield url
        return
    port = free_port()
    env = {**os.environ, "PGPORT": str(port), "PG_DIR_FILE": f"/tmp/scale-out-postgres-{port}.dir"}
    url = subprocess.run(
        ["bash", str(ROOT / ".ci" / "start-postgres")], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "stop-postgres")], check=False, env=env)


def votes_across(servers: list[str], votes: int, clients: int) -> dict[str, int]:
    """`votes` votes from `clients` visitors, alternating servers, every visitor's votes distinct."""
    results = {"accepted": 0, "refused": 0, "5xx": 0, "pairs": 0}
    lock = threading.Lock()
    per_client = votes // clients

    def one_visitor(number: int) -> None:
        opener = visitor()
        seen = set()
        for i in range(per_client):
            slug = SLUGS[(number + i) % len(SLUGS)]
            status = vote(servers[(number + i) % len(servers)], slug, i % 3 != 0, opener)
            with lock:
                if status >= 500:
                    results["5xx"] += 1
                elif status < 400:
                    results["accepted"] += 1
                    if slug not in seen:
                        seen.add(slug)
                        results["pairs"] += 1
                else:
                    results["refused"] += 1

    threads = [threading.Thread(target=one_visitor, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def fetch(opener, url: str, data: dict | None = None, referer: str | None = None) -> tuple[int, str, dict]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": referer or url})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def edit_through(server_a: str, server_b: str, env: dict[str, str]) -> dict[str, str]:
    """Warm B's cache, mark an article reviewed through A's admin, read it again from B."""
    page = f"{server_b}/articles/needles/"
    anonymous = visitor()
    fetch(anonymous, page)
    status, before, headers = fetch(anonymous, page)
    assert headers.get("X-Page-Cache") == "hit", "server B did not cache the page"
    assert "Scale Editor" not in before

    staff = visitor()
    _, login_form, _ = fetch(staff, f"{server_a}/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_form).group(1)
    status, _, _ = fetch(
        staff,
        f"{server_a}/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": STAFF[0], "password": STAFF[1], "next": "/admin/"},
    )
    # The second step: the code the authenticator app would show now.
    _, code_form, _ = fetch(staff, f"{server_a}/admin/login/code/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', code_form).group(1)
    code = f"{totp(bytes.fromhex(STAFF_TOTP_KEY)):06d}"
    fetch(staff, f"{server_a}/admin/login/code/", {"csrfmiddlewaretoken": token, "code": code})
    pk = shell(
        env,
        "from dryneedling_site.articles.models import Article; print(Article.objects.get(slug='needles').pk)",
    )
    # A clinical sign-off through server A's admin (superusers may sign off).
    review_url = f"{server_a}/admin/articles/article/{pk}/review/"
    _, form, _ = fetch(staff, review_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    shown = re.search(r'name="shown_fingerprint" value="([^"]+)"', form).group(1)
    status, result, _ = fetch(
        staff,
        review_url,
        {
            "csrfmiddlewaretoken": token,
            "note": "Scale-out rehearsal sign-off.",
            "confirm": "on",
            "shown_fingerprint": shown,
        },
    )
    assert "signed off" in html.unescape(result), "edit through server A failed"

    started = time.perf_counter()
    status, after, headers = fetch(anonymous, page)
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "visible_on_b": "Reviewed by Scale Editor" in after,
        "b_cache": headers.get("X-Page-Cache", "?"),
        "ms": f"{elapsed:.1f}",
    }


def rate_limit_across(servers: list[str], limit: int, already_used: int) -> dict[str, int]:
    """Keep voting from new visitors (same address) on both servers until refused."""
    accepted = refused = 0
    for number in range(limit * 2):
        status = vote(servers[number % 2], SLUGS[number % len(SLUGS)])
        if status == 429:
            refused += 1
            if refused >= 4:
                break
        elif status < 400:
            accepted += 1
    return {"limit": limit, "accepted_before_429": accepted + already_used, "refusals_seen": refused}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=640)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    address_limit = args.votes + 40  # the vote phase fits; the rate-limit phase then hits it

    with ExitStack() as stack:
        site = stack.enter_context(scratch_site())
        database_url = stack.enter_context(postgres())
        redis_url = site.redis.url
        env = site.configure(
            database_url,
            DJANGO_LOG_LEVEL="ERROR",
            FEEDBACK_RATE_LIMIT_VISITOR=str(args.votes),
            FEEDBACK_RATE_LIMIT_ADDRESS=str(address_limit),
            AXES_FAILURE_LIMIT="50",
        )
        manage(env, "flush", "--noinput")
        site.prepare()
        shell(
            env,
            "from django.contrib.auth.models import User; "
            f"User.objects.create_superuser({STAFF[0]!r}, 'scale@example.com', {STAFF[1]!r}, "
            "first_name='Scale', last_name='Editor')",
        )
        shell(
            env,
            "from django.contrib.auth.models import User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            "from dryneedling_site.articles.models import ReviewerProfile; "
            f"u = User.objects.get(username={STAFF[0]!r}); "
            f"TOTPDevice.objects.create(user=u, name='app', key={STAFF_TOTP_KEY!r}, confirmed=True); "
            "ReviewerProfile.objects.create(user=u, name_as_licensed='Scale Editor', credentials='PT, DPT')",
        )
        server_a = stack.enter_context(gunicorn(env, workers=2))
        server_b = stack.enter_context(gunicorn(env, workers=2))
        servers = [server_a, server_b]
        print(
            f"PostgreSQL {urllib.parse.urlparse(database_url).port}, Redis {redis_url}, servers {server_a} {server_b}"
        )

        started = time.perf_counter()
        votes = votes_across(servers, args.votes, args.clients)
        seconds = time.perf_counter() - started
        stored = int(
            shell(
                env, "from dryneedling_site.feedback.models import Feedback; print(Feedback.objects.count())"
            )
        )
        lost = votes["pairs"] - stored
        print(
            f"1. votes: {votes['accepted']} accepted of {args.votes} in {seconds:.1f} s "
            f"({votes['accepted'] / seconds:.0f} votes/s) across 2 servers; rows stored {stored}, "
            f"expected {votes['pairs']} (one per visitor and article), lost {lost}, 5xx {votes['5xx']}"
        )

        edit = edit_through(server_a, server_b, env)
        print(
            f"2. edit through A visible on B's next request: {edit['visible_on_b']} "
            f"(B's cache said {edit['b_cache']}, {edit['ms']} ms)"
        )

        limit = rate_limit_across(servers, address_limit, votes["accepted"] + votes["refused"])
        held = limit["accepted_before_429"] <= address_limit and limit["refusals_seen"] > 0
        print(
            f"3. rate limit per address {address_limit}: requests accepted across both servers before 429: "
            f"{limit['accepted_before_429']}; held across servers: {held}"
        )

    # No vote accepted means the vote phase itself broke (a visitor thread died): not a pass.
    ok = votes["accepted"] > 0 and lost == 0 and votes["5xx"] == 0 and edit["visible_on_b"] and held
    print("Scale-out rehearsal passed." if ok else "Scale-out rehearsal FAILED.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
