"""Worker memory after a mixed workload (not a unit test): what a small server must budget.

    .venv/bin/python bench/worker_rss.py [--workers 2] [--requests 300]

A scratch SQLite site under gunicorn with deploy/gunicorn.conf.py (so max_requests applies as in
production, unless --no-recycle). Each worker's RSS (from /proc) is printed after start-up,
after public reading, and after staff work in the admin: a staff member signs in as staff do
(password, then the authenticator app's code: django-otp), opens every article's edit screen
and the sign-off screen (both show the reading grade, so they load the syllable table), saves an
edit to an article through the change form, and opens the article list. Then public reading
again. RSS counts pages a worker shares with the master; PSS (its share of them) is printed
beside it. Target from issue 21: <= 120 MB RSS a worker.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from django_otp.oath import totp  # noqa: E402

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
STAFF_TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, as django-otp stores it


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size: private pages plus a share of those shared with other processes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _Form(HTMLParser):
    """The values a browser would send from the page's form with id `form_id`."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: tuple[str, bool] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = (name, False)
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select[0], a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = _Form(form_id)
    parser.feed(page)
    return parser.fields


def sign_in(opener: urllib.request.OpenerDirector, base: str) -> None:
    """Password, then the authenticator app's current code, as staff sign in."""
    _, form = fetch(opener, f"{base}/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]  # type: ignore[index]
    fetch(
        opener,
        f"{base}/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": STAFF[0], "password": STAFF[1], "next": "/admin/"},
    )
    _, code_form = fetch(opener, f"{base}/admin/login/code/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', code_form)[1]  # type: ignore[index]
    code = f"{totp(bytes.fromhex(STAFF_TOTP_KEY)):06d}"
    fetch(opener, f"{base}/admin/login/code/", {"csrfmiddlewaretoken": token, "code": code})
    status, desk = fetch(opener, f"{base}/admin/")
    if status != 200 or "log out" not in desk.lower():
        raise SystemExit(f"staff sign-in failed ({status})")


def save_edit(opener: urllib.request.OpenerDirector, base: str, pk: str, number: int) -> int:
    """Change an article's summary through its change form and save, as an editor would."""
    url = f"{base}/admin/articles/article/{pk}/change/"
    _, page = fetch(opener, url)
    fields = form_fields(page, "article_form")
    fields = [(k, f"{v.rstrip('.')} (bench edit {number}).") if k == "summary" else (k, v) for k, v in fields]
    fields.append(("_save", "Save"))
    status, result = fetch(opener, url, fields)
    if status >= 400 or "errornote" in result:
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', result, re.S)
        raise SystemExit(f"article save failed ({status}): {html.unescape(' '.join(errors))[:400]}")
    if 'class="success"' not in result:  # the admin's "was changed successfully" (or waits for review)
        raise SystemExit(f"article save showed no confirmation ({status})")
    return status


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in out.split())


def fetch(
    opener: urllib.request.OpenerDirector, url: str, data: dict | list[tuple[str, str]] | None = None
) -> tuple[int, str]:
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
            "from django.contrib.auth.models import User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            "from dryneedling_site.articles.models import ReviewerProfile; "
            f"u = User.objects.create_superuser({STAFF[0]!r}, 'r@example.org', {STAFF[1]!r}, "
            "first_name='Bench', last_name='Editor'); "
            f"TOTPDevice.objects.create(user=u, name='app', key={STAFF_TOTP_KEY!r}, confirmed=True); "
            "ReviewerProfile.objects.create(user=u, name_as_licensed='Bench Editor', credentials='PT, DPT')",
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

            def report(stage: str) -> list[float]:
                pids = workers_of(server.pid)
                sizes = [rss_mb(pid) for pid in pids]
                print(
                    f"{stage:<30} master {rss_mb(server.pid):6.1f} MB; workers RSS "
                    + ", ".join(f"{s:6.1f}" for s in sizes)
                    + " MB (PSS "
                    + ", ".join(f"{pss_mb(pid):.1f}" for pid in pids)
                    + f" MB); load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                return sizes

            report("after start")
            anonymous = urllib.request.build_opener()
            pages = ["/", "/articles/", "/es/", "/find-a-pt/", *[f"/articles/{s}/" for s in slugs]]
            for n in range(args.requests):
                fetch(anonymous, base + pages[n % len(pages)] + ("" if n % 5 else f"?q={n}"))
            report(f"after {args.requests} public reads")
            staff = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            statuses = []
            for round_number in range(args.workers * 3):  # enough rounds for every worker
                # A new sign-in each round: a new connection, so another worker may answer.
                sign_in(staff, base)
                for pk in pks:
                    statuses.append(fetch(staff, f"{base}/admin/articles/article/{pk}/change/")[0])
                    statuses.append(fetch(staff, f"{base}/admin/articles/article/{pk}/review/")[0])
                statuses.append(save_edit(staff, base, pks[round_number % len(pks)], round_number))
                statuses.append(fetch(staff, f"{base}/admin/articles/article/")[0])
            report("after admin edits and sign-off")
            for n in range(args.requests):
                fetch(anonymous, base + pages[n % len(pages)] + ("" if n % 5 else f"?q={n}"))
            sizes = report(f"after {args.requests} more public reads")
            print(f"admin answers: {sorted(set(statuses))}")
            worst = max(sizes, default=0.0)
            print(f"largest worker: {worst:.1f} MB (target <= 120 MB)")
            return 0 if worst <= 120 else 1
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
