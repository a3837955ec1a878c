"""deploy/nginx.conf during deploy/upgrade: the hold and the switch, in front of an app that fails.

While deploy/upgrade changes the code, the old workers may answer with a 500 (files or a schema
they do not know). nginx covers for them: with /srv/guide/switching present, an app error (500,
502, 504) becomes the site's 503 page with Retry-After; with /srv/guide/upgrading also present,
changes (POST) get the designed 503 without reaching the app. Here the app is a stub that
answers every request with 500 and counts what reached it, so a broken rule shows as a 500 or
a POST that got through. Without nginx this module is skipped, except in CI.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.nginx

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST = "guide.example.org"

if NGINX is None:
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed, and CI must run the nginx tests", pytrace=False)
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FailingApp(http.server.BaseHTTPRequestHandler):
    """An app whose workers all fail: 500 for everything; remembers each request it got."""

    seen: list[str] = []
    status = 500

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        FailingApp.seen.append(f"{self.command} {self.path}")
        body = b"Server Error (500)"
        self.send_response(FailingApp.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def proxy():
    scratch = Path(tempfile.mkdtemp(prefix="guide-nginx-switch-", dir="/tmp"))
    port, http_port = _free_port(), _free_port()
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FailingApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    for name in ("log", "temp", "media"):
        (scratch / name).mkdir()
    scratch.chmod(0o755)
    (scratch / "temp").chmod(0o777)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(scratch / "key.pem"), "-out", str(scratch / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port};",  # plain HTTP is enough here
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/letsencrypt/live/guide.example.org/fullchain.pem": str(scratch / "cert.pem"),
        "/etc/letsencrypt/live/guide.example.org/privkey.pem": str(scratch / "key.pem"),
        "/srv/guide/media/": f"{scratch / 'media'}/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app.server_address[1]};",
        "/var/log/nginx/": f"{scratch / 'log'}/",
        "/srv/guide/upgrading": str(scratch / "upgrading"),
        "/srv/guide/switching": str(scratch / "switching"),
    }
    for old, new in replacements.items():
        assert old in text, (
            f"deploy/nginx.conf no longer contains {old!r}: update this test and deploy/upgrade"
        )
        text = text.replace(old, new)
    temp = scratch / "temp"
    config = scratch / "nginx.conf"
    config.write_text(
        f"daemon off;\npid {scratch}/nginx.pid;\nerror_log {scratch}/log/error.log warn;\n"
        "events { worker_connections 64; }\nhttp {\n    include /etc/nginx/mime.types;\n"
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"    client_body_temp_path {temp}/body;\n{text}\n}}\n"
    )
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(scratch)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", str(scratch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield {"port": port, "scratch": scratch}
    finally:
        subprocess.run([NGINX, "-s", "stop", "-c", str(config), "-p", str(scratch)], capture_output=True)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        app.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)


def _request(proxy, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", proxy["port"], timeout=10)
    conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    response.text = response.read()
    conn.close()
    return response


def _vote(proxy, prefix: str = "", accept: str = "text/html"):
    return _request(
        proxy,
        "POST",
        f"{prefix}/articles/needles/feedback/",
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        b"helpful=yes",
    )


@pytest.fixture
def flags(proxy):
    FailingApp.seen.clear()
    hold, switch = proxy["scratch"] / "upgrading", proxy["scratch"] / "switching"
    yield hold, switch
    hold.unlink(missing_ok=True)
    switch.unlink(missing_ok=True)


def test_outside_an_upgrade_the_apps_answers_pass_unchanged(proxy, flags):
    assert _request(proxy, "GET", "/find-a-pt/?location=97201").status == 500
    assert _vote(proxy).status == 500
    assert FailingApp.seen == ["GET /find-a-pt/?location=97201", "POST /articles/needles/feedback/"]


def test_during_the_switch_an_app_error_on_a_page_is_the_sites_503_page(proxy, flags):
    _hold, switch = flags
    switch.touch()
    for path in ("/find-a-pt/?location=97201", "/articles/needles/?from=newsletter"):
        page = _request(proxy, "GET", path)
        assert page.status == 503
        assert page.headers["Retry-After"] == "60"
        assert b"call 911" in page.text and b"Server Error" not in page.text
        assert "no-store" in page.headers["Cache-Control"]
    spanish = _request(proxy, "GET", "/es/find-a-pt/?location=97201")
    assert spanish.status == 503 and "llame al 911" in spanish.text.decode()
    assert len(FailingApp.seen) == 3  # the pages still went to the app first


def test_during_the_switch_changes_reach_the_app_and_its_error_is_a_503_the_widget_reads(proxy, flags):
    _hold, switch = flags
    switch.touch()
    for path in ("/articles/needles/feedback/", "/find-a-pt/sample-clinic/update/"):
        answer = _request(proxy, "POST", path, {"Accept": "application/json"}, b"helpful=yes")
        assert answer.status == 503 and answer.headers["Retry-After"] == "60"
        assert json.loads(answer.text)["ok"] is False
    assert FailingApp.seen == ["POST /articles/needles/feedback/", "POST /find-a-pt/sample-clinic/update/"]


def test_during_the_hold_changes_never_reach_the_app_and_pages_are_covered(proxy, flags):
    hold, switch = flags
    switch.touch()
    hold.touch()
    for prefix in ("", "/es"):
        held = _vote(proxy, prefix, accept="application/json")
        assert held.status == 503 and held.headers["Retry-After"] == "60"
        assert json.loads(held.text)["ok"] is False
    page = _vote(proxy)
    assert page.status == 503 and b"call 911" in page.text
    assert _request(proxy, "POST", "/admin/login/", body=b"username=x").status == 503
    assert FailingApp.seen == []
    covered = _request(proxy, "GET", "/articles/needles/?from=newsletter")
    assert covered.status == 503 and covered.headers["Retry-After"] == "60"
    assert FailingApp.seen == ["GET /articles/needles/?from=newsletter"]


def test_during_the_switch_the_apps_good_answers_pass_unchanged(proxy, flags):
    _hold, switch = flags
    switch.touch()
    FailingApp.status = 404
    try:
        assert _request(proxy, "GET", "/no-such-page/").status == 404
    finally:
        FailingApp.status = 500
