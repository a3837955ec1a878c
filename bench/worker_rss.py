"""Worker memory after a mixed workload (not a unit test): what a small server must budget.

    .venv/bin/python bench/worker_rss.py [--workers 2] [--requests 300]

A scratch SQLite site under gunicorn with deploy/gunicorn.conf.py (so max_requests applies as in
production, unless --no-recycle). Each worker's RSS (from /proc) is printed after start-up,
after public reading, and after staff work in the admin (article edit screens, which load the
reading-grade dictionary, and the article list). Target from issue 21: <= 120 MB a worker.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    PYTHON,
    ROOT,
    free_port,
    prepare_site,
    scratch_dir,
    shell,
    site_env,
    wait_until_healthy,
)  # noqa: E402

STAFF = ("rss-editor", "a long rss bench password 42")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in out.split())


def fetch(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--no-recycle", action="store_true", help="GUNICORN_MAX_REQUESTS=0")
    args = parser.parse_args()
    with scratch_dir() as tmp:
        folder = Path(tmp)
        port = free_port()
        env = site_env(
            f"sqlite:///{folder / 'site.sqlite3'}",
            DJANGO_MEDIA_ROOT=str(folder / "media"),
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(args.workers),
            GUNICORN_MAX_REQUESTS="0" if args.no_recycle else "1000",
        )
        prepare_site(env, static_root=folder / "static")
        shell(
            env,
            f"from django.contrib.auth.models import User; User.objects.create_superuser({STAFF[0]!r}, 'r@example.org', {STAFF[1]!r})",
        )
        pks = shell(
            env,
            "from dryneedling_site.articles.models import Article; print(','.join(str(p) for p in Article.objects.values_list('pk', flat=True)[:8]))",
        ).split(",")
        slugs = sorted(p.stem for p in (ROOT / "content" / "articles").glob("*.md"))
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "dryneedling_site.wsgi:application", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)

            def report(stage: str) -> None:
                sizes = [rss_mb(pid) for pid in workers_of(server.pid)]
                print(
                    f"{stage:<28} master {rss_mb(server.pid):6.1f} MB; workers "
                    + ", ".join(f"{s:6.1f}" for s in sizes)
                    + " MB"
                )

            report("after start")
            anonymous = urllib.request.build_opener()
            pages = ["/", "/articles/", "/es/", "/find-a-pt/", *[f"/articles/{s}/" for s in slugs]]
            for n in range(args.requests):
                fetch(anonymous, base + pages[n % len(pages)] + ("" if n % 5 else f"?q={n}"))
            report(f"after {args.requests} public reads")
            staff = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            _, form = fetch(staff, f"{base}/admin/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]  # type: ignore[index]
            fetch(
                staff,
                f"{base}/admin/login/?next=/admin/",
                {"csrfmiddlewaretoken": token, "username": STAFF[0], "password": STAFF[1], "next": "/admin/"},
            )
            statuses = []
            for _ in range(args.workers * 3):  # enough rounds that every worker serves edit screens
                for pk in pks:
                    statuses.append(fetch(staff, f"{base}/admin/articles/article/{pk}/change/")[0])
                statuses.append(fetch(staff, f"{base}/admin/articles/article/")[0])
            report("after admin edit screens")
            print(f"admin answers: {sorted(set(statuses))}")
            return 0
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
