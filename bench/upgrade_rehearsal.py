"""Upgrade rehearsal (not a unit test): the first complete release upgraded in place by deploy/upgrade.

    .venv/bin/python bench/upgrade_rehearsal.py                            # SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/upgrade_rehearsal.py  # PostgreSQL

What a clinic's upgrade does, in a scratch folder:
  1. release b0027ce (`git archive`) is set up as a site: migrate, load_content, sample
     clinics; then it gets a life: visitors' votes through gunicorn, a staff edit to an article
     (as the admin saves it), an edited clinic, an uploaded image;
  2. while a load generator keeps voting and reading, the checkout is replaced by this working
     tree (as `git pull` does) and `deploy/upgrade` runs: backup, build, migrate, gunicorn HUP,
     load_content (INSTALL_SYSTEM=0: no systemd or nginx here, so the hold on changes that
     nginx gives is not in the path; tests/deploy/test_nginx.py covers it);
  3. checks: every vote answered 2xx/3xx is a row, the staff edit and the clinic edit are kept,
     the image is there, every other safety page now has its "When to get help" card, and the
     load generator saw no 5xx other than designed 503s (reported apart).
The venv is this project's (REUSE_VENV): the lock install is not what is rehearsed. Exits
non-zero on any failure. Everything binds to 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.backup_restore import get, scratch_database, vote  # noqa: E402
from bench.common import PYTHON, ROOT, free_port, scratch_dir, site_env, wait_until_healthy  # noqa: E402

RELEASE = "b0027ce"
EDITED = "needles"
EDIT_MARK = "Edited by the clinic staff before the upgrade."
CLINIC_PHONE = "5035550199"
IMAGE = bytes.fromhex("89504e470d0a1a0a") + b"rehearsal image " * 64
SAFETY = ["what-to-expect", "side-effects", "aftercare"]


def run(app: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=app, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed in {app.name}:\n{result.stderr[-3000:]}")
    return result.stdout


def py(app: Path, env: dict[str, str], code: str) -> str:
    lines = run(app, env, "shell", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


class Load(threading.Thread):
    """Votes and reads until stopped; counts answers by class."""

    def __init__(self, base: str, slugs: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.slugs = base, slugs
        self.stop = threading.Event()
        self.votes_ok = 0
        self.designed_503 = 0
        self.errors: list[str] = []
        self.requests = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            slug = self.slugs[n % len(self.slugs)]
            try:
                status = vote(self.base, slug, n % 2 == 0)
                page = get(self.base, f"/articles/{slug}/")[0]
            except OSError as error:  # connection refused: counted as an error
                self.errors.append(f"connection: {error}")
                n += 1
                continue
            self.requests += 2
            if status < 400:
                self.votes_ok += 1
            for what, code in (("vote", status), ("page", page)):
                if code == 503:
                    self.designed_503 += 1
                elif code >= 500:
                    self.errors.append(f"{time.strftime('%H:%M:%S', time.gmtime())} {what} {slug}: {code}")
            n += 1
            time.sleep(0.05)


def replace_checkout(app: Path) -> None:
    """What `git pull` does to the files: the old release's files out, this tree's in."""
    for path in app.iterdir():
        if path.name == ".venv":
            continue
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, app / name)


def main() -> int:
    started = time.monotonic()
    with scratch_dir() as tmp, scratch_database(Path(tmp)) as (database_url, _destroy):
        folder = Path(tmp)
        app = folder / "app"
        app.mkdir()
        archive = subprocess.run(
            ["git", "archive", RELEASE], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(app)], input=archive, check=True)
        (app / ".venv").symlink_to(ROOT / ".venv")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
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

        print(f"== {RELEASE}: set up with sample content on {database_url.split(':')[0]}")
        for args in (
            ["migrate", "--noinput"],
            ["load_content"],
            ["import_clinics", "content/clinics-sample.csv"],
        ):
            run(app, env, *args)
        run(app, env, "collectstatic", "--noinput")
        slugs = sorted(p.stem for p in (app / "content" / "articles").glob("*.md"))
        py(
            app,
            env,
            "from dryneedling_site.articles.models import Article; from dryneedling_site.clinics.models import Clinic; "
            f"a = Article.objects.get(slug={EDITED!r}); a.body = a.body + '\\n\\n{EDIT_MARK}\\n'; a.save(); "
            f"c = Clinic.objects.order_by('pk').first(); c.phone = {CLINIC_PHONE!r}; c.save(); print(c.pk)",
        )
        clinic_pk = py(
            app,
            env,
            "from dryneedling_site.clinics.models import Clinic; print(Clinic.objects.order_by('pk').first().pk)",
        )
        (folder / "media" / "articles").mkdir(parents=True)
        (folder / "media" / "articles" / "rehearsal.png").write_bytes(IMAGE)

        log = (folder / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "dryneedling_site.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--graceful-timeout", "20", "--error-logfile", "-", "--log-level", "warning"],
            cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until_healthy(base, server)
            before = sum(vote(base, slugs[n % len(slugs)], n % 3 != 0) < 400 for n in range(30))
            load = Load(base, slugs)
            load.start()
            time.sleep(2)

            print(f"== upgrade to this working tree with deploy/upgrade, under load (pid {server.pid})")
            replace_checkout(app)
            upgrade_started = time.monotonic()
            result = subprocess.run(
                ["bash", "deploy/upgrade"],
                cwd=app,
                env={
                    **env,
                    "APP_DIR": str(app),
                    "ENV_FILE": str(env_file),
                    "INSTALL_SYSTEM": "0",
                    "APP_USER": "root" if os.geteuid() == 0 else os.environ.get("USER", ""),
                    "RELOAD": f"kill -HUP {server.pid}",
                    "HOLD_FILE": str(folder / "upgrading"),
                    "HEALTH_URL": f"{base}/healthz",
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
            load.join(timeout=30)
            wait_until_healthy(base, server)

            failures: list[str] = []
            count = int(
                py(
                    app,
                    env,
                    "from dryneedling_site.feedback.models import Feedback; print(Feedback.objects.count())",
                )
            )
            expected = before + load.votes_ok
            if count != expected:
                failures.append(f"votes: {count} rows, {expected} answered as stored")
            status, body, _ = get(base, f"/articles/{EDITED}/")
            if status != 200 or EDIT_MARK not in body:
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
                status, body, _ = get(base, f"/articles/{slug}/")
                if status != 200 or "care-card" not in body:
                    failures.append(f"{slug}: no 'When to get help' card after the upgrade ({status})")
            if load.errors:
                failures.append(
                    f"load: {len(load.errors)} errors, first {load.errors[0]}, last {load.errors[-1]}"
                )
            if not any((folder / "backups").iterdir()):
                failures.append("deploy/upgrade left no backup")

            print(
                f"votes: {before} before + {load.votes_ok} during = {count} rows; load: {load.requests} requests, "
                f"{len(load.errors)} unexpected 5xx/refused, {load.designed_503} designed 503; "
                f"deploy/upgrade {upgrade_seconds:.1f} s; rehearsal {time.monotonic() - started:.1f} s"
            )
            if failures:
                print("FAILED:\n  " + "\n  ".join(failures))
                return 1
            print("OK: every vote, the staff edit, the clinic edit and the image kept; safety cards added")
            return 0
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
            if os.environ.get("BENCH_SHOW_LOG"):
                print((folder / "gunicorn.log").read_text()[-5000:])


if __name__ == "__main__":
    sys.exit(main())
