"""Upgrade rehearsal (not a unit test): a running release upgraded in place by deploy/upgrade, behind nginx.

    .venv/bin/python bench/upgrade_rehearsal.py                          # from b0027ce, SQLite
    .venv/bin/python bench/upgrade_rehearsal.py --from 736d716 --strict  # from the release before
    DATABASE_URL=postgres://... .venv/bin/python bench/upgrade_rehearsal.py  # PostgreSQL

What a clinic's upgrade does, in a scratch folder:
  1. the old release (--from; b0027ce, the first complete release, by default) is cloned and
     set up as a site: migrate, load_content, sample clinics; then it gets a life: visitors'
     votes, a staff edit to an article (as the admin saves it), an edited clinic, an uploaded
     image. gunicorn serves it behind nginx: deploy/nginx.conf with only the ports, folders and
     certificate changed, the Host passed with its port, and the per-client POST limit raised
     (the load generator is one client);
  2. this working tree is committed into the clone (a commit of its own, as a release tag would
     be) and `deploy/upgrade <that commit>` runs while a load generator keeps voting and
     reading through nginx: article pages, article pages with query strings the page cache
     does not hold, and Find a PT searches with varying ZIP codes (never cached);
  3. checks: every vote answered 2xx/3xx is a row, the staff edit and the clinic edit are kept,
     the image is there, every safety page has its "When to get help" card, the clone is at the
     new commit, and the load generator saw no 5xx other than the designed 503s with
     Retry-After (counted apart). With --strict, any answer other than 2xx/3xx fails, designed
     503s included: from 736d716 on, migrations are ones the old workers survive, so
     deploy/upgrade holds no changes.
The venv is this project's (REUSE_VENV): the lock install is not what is rehearsed. Exits
non-zero on any failure. Everything binds to 127.0.0.1 and is stopped at the end (nginx by
`nginx -s stop` with its own config, gunicorn by its pid).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.backup_restore import scratch_database  # noqa: E402
from bench.common import PYTHON, ROOT, free_port, scratch_dir, site_env, wait_until_healthy  # noqa: E402

FIRST_RELEASE = "b0027ce"
EDITED = "needles"
EDIT_MARK = "Edited by the clinic staff before the upgrade."
CLINIC_PHONE = "5035550199"
IMAGE = bytes.fromhex("89504e470d0a1a0a") + b"rehearsal image " * 64
SAFETY = ["what-to-expect", "side-effects", "aftercare"]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def run(app: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=app, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed in {app.name}:\n{result.stderr[-3000:]}")
    return result.stdout


def py(app: Path, env: dict[str, str], code: str) -> str:
    lines = run(app, env, "shell", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"git {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout.strip()


def clone_release(app: Path, release: str, work: Path) -> str:
    """A git clone at `release`, holding a commit of this working tree; returns that commit."""
    common = Path(git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=ROOT))
    git("clone", "--quiet", "--shared", "--no-checkout", str(common), str(app), cwd=work)
    git("remote", "remove", "origin", cwd=app)  # deploy/upgrade then fetches nothing
    git("-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", release, cwd=app)
    index = work / "target.index"
    tree_env = {
        **os.environ,
        "GIT_DIR": str(app / ".git"),
        "GIT_WORK_TREE": str(ROOT),
        "GIT_INDEX_FILE": str(index),
    }
    git("add", "--all", cwd=ROOT, env=tree_env)
    tree = git("write-tree", cwd=ROOT, env=tree_env)
    head = git("rev-parse", "HEAD", cwd=ROOT)
    commit_env = {**tree_env, "GIT_AUTHOR_NAME": "rehearsal", "GIT_AUTHOR_EMAIL": "rehearsal@example.org"}
    commit_env |= {"GIT_COMMITTER_NAME": "rehearsal", "GIT_COMMITTER_EMAIL": "rehearsal@example.org"}
    return git(
        "commit-tree", tree, "-p", head, "-m", "rehearsal: this working tree", cwd=ROOT, env=commit_env
    )


class Nginx:
    """deploy/nginx.conf in a scratch folder, in front of the app; stopped with `nginx -s stop`."""

    def __init__(self, folder: Path, app_port: int) -> None:
        self.folder = folder / "nginx"
        self.port, self.http_port = free_port(), free_port()
        self.app_port = app_port
        self.hold = folder / "upgrading"
        self.switch = folder / "switching"
        self.media = folder / "media"
        self.conf = self.folder / "nginx.conf"

    def site_config(self) -> str:
        text = (ROOT / "deploy" / "nginx.conf").read_text()
        replacements = {
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.port};",  # plain HTTP: no TLS here
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "/etc/letsencrypt/live/guide.example.org/fullchain.pem": str(self.folder / "cert.pem"),
            "/etc/letsencrypt/live/guide.example.org/privkey.pem": str(self.folder / "key.pem"),
            "/srv/guide/media/": f"{self.media}/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{self.app_port};",
            "/var/log/nginx/": f"{self.folder}/",
            "/srv/guide/upgrading": str(self.hold),
            "/srv/guide/switching": str(self.switch),
            "proxy_set_header Host $host;": "proxy_set_header Host $http_host;",  # the port too
            "rate=10r/m": "rate=60000r/m",  # one load generator is one client address
        }
        for old, new in replacements.items():
            if old not in text:
                raise SystemExit(f"deploy/nginx.conf no longer contains {old!r}: update this rehearsal")
            text = text.replace(old, new)
        return text

    def start(self) -> None:
        temp = self.folder / "temp"
        temp.mkdir(parents=True)
        for path in (self.folder.parent, self.folder):
            path.chmod(0o755)  # nginx's workers run as nobody when this runs as root
        temp.chmod(0o777)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=guide.example.org",
             "-keyout", str(self.folder / "key.pem"), "-out", str(self.folder / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        self.conf.write_text(
            f"pid {self.folder}/nginx.pid;\nerror_log {self.folder}/error.log warn;\n"
            "events { worker_connections 256; }\nhttp {\n    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            + "".join(
                f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"    client_body_temp_path {temp}/body;\n{self.site_config()}\n}}\n"
        )
        for command in (["-t"], []):
            result = subprocess.run(
                [NGINX, *command, "-c", str(self.conf), "-p", str(self.folder)],
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise SystemExit(f"nginx {' '.join(command)} failed:\n{result.stderr}")

    def stop(self) -> None:
        if (self.folder / "nginx.pid").exists():
            subprocess.run(
                [NGINX, "-s", "stop", "-c", str(self.conf), "-p", str(self.folder)], capture_output=True
            )


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """One visitor's request through nginx: (status, Retry-After, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Retry-After"), response.read()
    finally:
        conn.close()


class Load(threading.Thread):
    """Votes and reads through nginx until stopped; counts answers by kind and class."""

    def __init__(self, port: int, slugs: list[str], nginx: Nginx) -> None:
        super().__init__(daemon=True)
        self.port, self.slugs, self.nginx = port, slugs, nginx
        self.stop = threading.Event()
        self.answers: Counter[tuple[str, str]] = Counter()
        self.votes_stored = 0
        self.unexpected: list[tuple[str, str]] = []
        self.switch_seen: list[float] = []

    def classify(self, kind: str, status: int | None, retry_after: str | None, what: str) -> None:
        if status is None:
            group = "refused"
        elif status == 503 and retry_after:
            group = "503 designed"
        else:
            group = f"{status // 100}xx"
        self.answers[(kind, group)] += 1
        if group not in ("2xx", "3xx"):
            stamp = time.strftime("%H:%M:%S", time.gmtime())
            self.unexpected.append((group, f"{stamp} {what}: {status or 'refused'}"))

    def one(
        self, kind: str, what: str, method: str, path: str, body: bytes | None = None, headers=None
    ) -> None:
        try:
            status, retry_after, _ = request(self.port, method, path, body, headers)
        except OSError:
            status, retry_after = None, None
        self.classify(kind, status, retry_after, what)
        if kind == "vote" and status is not None and status < 400:
            self.votes_stored += 1

    def run(self) -> None:
        n = 0
        base = f"http://127.0.0.1:{self.port}"
        while not self.stop.is_set():
            if self.nginx.switch.exists():
                self.switch_seen.append(time.monotonic())
            slug = self.slugs[n % len(self.slugs)]
            vote = urlencode({"helpful": "yes" if n % 2 else "no"}).encode()
            self.one(
                "vote", f"vote {slug}", "POST", f"/articles/{slug}/feedback/", vote,
                {"Origin": base, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
            )  # fmt: skip
            self.one("page", f"page {slug}", "GET", f"/articles/{slug}/")
            self.one("uncached", f"page {slug}?from={n}", "GET", f"/articles/{slug}/?from=newsletter-{n}")
            zip_code = f"{97001 + (n * 37) % 900:05d}"
            self.one("uncached", f"find-a-pt {zip_code}", "GET", f"/find-a-pt/?location={zip_code}")
            n += 1
            time.sleep(0.1)  # about 25 requests a second: a busy clinic site, not a stress test


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="release", default=FIRST_RELEASE, help="the release upgraded from")
    parser.add_argument("--strict", action="store_true", help="any answer but 2xx/3xx fails (no 503 either)")
    args = parser.parse_args()
    started = time.monotonic()
    with scratch_dir() as tmp, scratch_database(Path(tmp)) as (database_url, _destroy):
        folder = Path(tmp)
        app = folder / "app"
        target = clone_release(app, args.release, folder)
        (app / ".venv").symlink_to(ROOT / ".venv")
        app_port = free_port()
        nginx = Nginx(folder, app_port)
        base = f"http://127.0.0.1:{nginx.port}"
        env = site_env(
            database_url,
            DJANGO_MEDIA_ROOT=str(folder / "media"),
            DJANGO_STATIC_ROOT=str(folder / "static"),
            DJANGO_BACKUP_DIR=str(folder / "backups"),
            DJANGO_SITE_URL=base,
            FEEDBACK_RATE_LIMIT_ADDRESS="1000000",
            FEEDBACK_RATE_LIMIT_VISITOR="1000000",
        )
        env.pop("PYTHONPATH", None)  # the checkout in app/ is the code, not this tree
        env_file = folder / "env"
        env_file.write_text(
            "".join(
                f"{k}={v}\n" for k, v in env.items() if k.startswith(("DJANGO_", "FEEDBACK_", "DATABASE_URL"))
            )
        )

        print(f"== {args.release}: set up with sample content on {database_url.split(':')[0]}")
        for command in (
            ["migrate", "--noinput"],
            ["load_content"],
            ["import_clinics", "content/clinics-sample.csv"],
            ["collectstatic", "--noinput"],
        ):
            run(app, env, *command)
        slugs = sorted(p.stem for p in (app / "content" / "articles").glob("*.md"))
        clinic_pk = py(
            app,
            env,
            "from dryneedling_site.articles.models import Article; from dryneedling_site.clinics.models import Clinic; "
            f"a = Article.objects.get(slug={EDITED!r}); a.body = a.body + '\\n\\n{EDIT_MARK}\\n'; a.save(); "
            f"c = Clinic.objects.order_by('pk').first(); c.phone = {CLINIC_PHONE!r}; c.save(); print(c.pk)",
        )
        (folder / "media" / "articles").mkdir(parents=True)
        (folder / "media" / "articles" / "rehearsal.png").write_bytes(IMAGE)

        log = (folder / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "dryneedling_site.wsgi:application", "--bind", f"127.0.0.1:{app_port}",
             "--workers", "2", "--graceful-timeout", "20", "--error-logfile", "-", "--log-level", "warning"],
            cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            nginx.start()
            wait_until_healthy(f"http://127.0.0.1:{app_port}", server)
            wait_until_healthy(base, server)
            load = Load(nginx.port, slugs, nginx)
            for n in range(30):  # votes before the upgrade, through nginx
                load.one("vote", "vote before", "POST", f"/articles/{slugs[n % len(slugs)]}/feedback/",
                         b"helpful=yes", {"Origin": base, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            before, load.votes_stored = load.votes_stored, 0
            if load.unexpected:
                raise SystemExit(f"votes before the upgrade failed: {load.unexpected[:3]}")
            load.answers.clear()
            load.start()
            time.sleep(2)

            print(f"== upgrade to this working tree ({target[:12]}) with deploy/upgrade, under load")
            upgrade_started = time.monotonic()
            result = subprocess.run(
                ["bash", str(ROOT / "deploy" / "upgrade"), target],
                cwd=app,
                env={
                    **env,
                    "APP_DIR": str(app),
                    "ENV_FILE": str(env_file),
                    "INSTALL_SYSTEM": "0",
                    "APP_USER": "root" if os.geteuid() == 0 else os.environ.get("USER", ""),
                    "RELOAD": f"kill -HUP {server.pid}",
                    "HOLD_FILE": str(nginx.hold),
                    "SWITCH_FILE": str(nginx.switch),
                    "HEALTH_URL": f"http://127.0.0.1:{app_port}/healthz",
                    "REUSE_VENV": str(ROOT / ".venv"),
                },
                capture_output=True,
                text=True,
            )
            upgrade_seconds = time.monotonic() - upgrade_started
            print(result.stdout)
            if result.returncode:
                print(result.stderr[-4000:])
                return 1
            time.sleep(3)
            load.stop.set()
            load.join(timeout=60)
            wait_until_healthy(base, server)

            failures: list[str] = []
            count = int(
                py(
                    app,
                    env,
                    "from dryneedling_site.feedback.models import Feedback; print(Feedback.objects.count())",
                )
            )
            expected = before + load.votes_stored
            if count != expected:
                failures.append(f"votes: {count} rows, {expected} answered as stored")
            status, _, body = request(nginx.port, "GET", f"/articles/{EDITED}/")
            if status != 200 or EDIT_MARK.encode() not in body:
                failures.append(f"the staff edit to {EDITED} is gone ({status})")
            phone = py(
                app,
                env,
                f"from dryneedling_site.clinics.models import Clinic; print(Clinic.objects.get(pk={clinic_pk}).phone)",
            )
            if phone != CLINIC_PHONE:
                failures.append(f"the clinic edit is gone (phone {phone})")
            image = folder / "media" / "articles" / "rehearsal.png"
            if (
                not image.exists()
                or hashlib.sha256(image.read_bytes()).digest() != hashlib.sha256(IMAGE).digest()
            ):
                failures.append("the uploaded image is gone or changed")
            for slug in SAFETY:
                status, _, body = request(nginx.port, "GET", f"/articles/{slug}/")
                if status != 200 or b"care-card" not in body:
                    failures.append(f"{slug}: no 'When to get help' card after the upgrade ({status})")
            if git("rev-parse", "HEAD", cwd=app) != target:
                failures.append("the checkout is not at the new release")
            if nginx.hold.exists() or nginx.switch.exists():
                failures.append("deploy/upgrade left the hold or the switch on")
            if not any((folder / "backups").iterdir()):
                failures.append("deploy/upgrade left no backup")
            bad = [what for group, what in load.unexpected if args.strict or group != "503 designed"]
            unexpected_5xx = sum(v for (_, group), v in load.answers.items() if group in ("5xx", "refused"))
            designed = sum(v for (_, group), v in load.answers.items() if group == "503 designed")
            if bad:
                failures.append(f"load: {len(bad)} bad answers, first {bad[0]}, last {bad[-1]}")

            switch = load.switch_seen
            window = f"{switch[-1] - switch[0]:.1f} s" if switch else "not seen"
            by_kind = "; ".join(
                f"{kind}: "
                + ", ".join(f"{group} {n}" for (k, group), n in sorted(load.answers.items()) if k == kind)
                for kind in ("vote", "page", "uncached")
            )
            sent = sum(n for (k, _), n in load.answers.items() if k == "vote")
            print(
                f"votes: {before} before + {sent} sent during ({load.votes_stored} stored) = {count} rows "
                f"(expected {expected}); answers by class: {by_kind}; designed 503 {designed}, "
                f"unexpected 5xx/refused {unexpected_5xx}; switch window {window}; "
                f"deploy/upgrade {upgrade_seconds:.1f} s; rehearsal {time.monotonic() - started:.1f} s"
            )
            if failures:
                print("FAILED:\n  " + "\n  ".join(failures))
                return 1
            print("OK: every vote, the staff edit, the clinic edit and the image kept; safety cards added")
            return 0
        finally:
            nginx.stop()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
            if os.environ.get("BENCH_SHOW_LOG"):
                print((folder / "gunicorn.log").read_text()[-5000:])
                print(
                    (nginx.folder / "error.log").read_text()[-3000:]
                    if (nginx.folder / "error.log").exists()
                    else ""
                )


if __name__ == "__main__":
    sys.exit(main())
