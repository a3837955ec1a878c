"""The shipped deploy/nginx.conf, run by a real nginx in front of gunicorn, driven over TLS.

Only the ports, the certificate and the folders are changed for the run; everything else is
the file the README tells you to install. Clients connect from different loopback addresses
(127.0.0.x), as different visitors would. Without nginx this module is skipped, except in CI
(CI=true), where a missing nginx is a failure.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.nginx

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST = "guide.example.org"


def _free_ports(count: int) -> list[int]:
    """Ports the kernel hands out now, so two runs on one machine never collide."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


HTTPS_PORT, HTTP_PORT, APP_PORT = _free_ports(3)
ADDRESS_LIMIT = 3
ARTICLE = "test-needles"
PASSWORD = "right-horse-battery-staple"

if NGINX is None:
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed, and CI must run the nginx tests", pytrace=False)
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


def _site_config(scratch: Path) -> str:
    """deploy/nginx.conf with this run's ports and folders; fails if the file drifts."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{HTTP_PORT};",
        "/etc/letsencrypt/live/guide.example.org/fullchain.pem": str(scratch / "cert.pem"),
        "/etc/letsencrypt/live/guide.example.org/privkey.pem": str(scratch / "key.pem"),
        "/srv/guide/media/": f"{scratch / 'media'}/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{APP_PORT};",
        "/var/log/nginx/": f"{scratch / 'log'}/",
        "/srv/guide/upgrading": str(scratch / "upgrading"),
        "/srv/guide/switching": str(scratch / "switching"),
        "root /var/www/letsencrypt;": f"root {scratch / 'acme'};",
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer contains {old!r}: update this test and the README"
        text = text.replace(old, new)
    return text


def _main_config(scratch: Path) -> str:
    """The frame Debian's /etc/nginx/nginx.conf gives a site, in a scratch folder."""
    temp = scratch / "temp"
    return f"""
daemon off;
pid {scratch}/nginx.pid;
error_log {scratch}/log/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{_site_config(scratch)}
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz", headers={"Host": HOST})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not start on port {port}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack():
    """gunicorn (as the systemd unit runs it) behind nginx (the shipped config), production mode."""
    scratch = Path(tempfile.mkdtemp(prefix="guide-nginx-", dir="/tmp"))
    for name in ("log", "media", "static", "temp"):
        (scratch / name).mkdir()
    # nginx's workers run as an unprivileged user when the tests run as root.
    for path in (scratch, scratch / "media", scratch / "static"):
        path.chmod(0o755)
    (scratch / "temp").chmod(0o777)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(scratch / "key.pem"), "-out", str(scratch / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (scratch / "media" / "articles").mkdir()
    (scratch / "media" / "articles" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (scratch / "media" / "articles" / "page.html").write_text("<script>alert(1)</script>")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "FEEDBACK_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="dryneedling_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="nginx-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SITE_URL=f"https://{HOST}",
        DJANGO_TRUSTED_PROXIES="127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_STATIC_ROOT=str(scratch / "static"),
        DJANGO_MEDIA_ROOT=str(scratch / "media"),
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        FEEDBACK_RATE_LIMIT_ADDRESS=str(ADDRESS_LIMIT),
        FEEDBACK_RATE_LIMIT_VISITOR="1000",
        AXES_FAILURE_LIMIT="3",
        GUNICORN_BIND=f"127.0.0.1:{APP_PORT}",
        WEB_CONCURRENCY="1",  # one process, so the local-memory rate limits count every request
    )
    python = sys.executable
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    setup = (
        "from tests.factories import make_article; from django.contrib.auth.models import User; "
        f"make_article(slug={ARTICLE!r}, title='Needles'); "
        f"User.objects.create_superuser('editor', 'e@example.org', {PASSWORD!r})"
    )
    subprocess.run(
        [python, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True
    )
    app_log = (scratch / "log" / "gunicorn.log").open("w")
    app = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "dryneedling_site.wsgi:application"],
        cwd=ROOT, env=env, stdout=app_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    (scratch / "nginx.conf").write_text(_main_config(scratch))
    proxy = subprocess.Popen(
        [NGINX, "-c", str(scratch / "nginx.conf"), "-p", str(scratch)],
        stdout=subprocess.DEVNULL, stderr=(scratch / "log" / "nginx.out").open("w"),
    )  # fmt: skip
    try:
        _wait_for_port(APP_PORT, app, "gunicorn")
        _wait_for_port(HTTP_PORT, proxy, "nginx")
        yield {"scratch": scratch, "app": app}
    finally:
        _stop(proxy)
        _stop(app)
        app_log.close()
        shutil.rmtree(scratch, ignore_errors=True)


class Visitor:
    """One browser on one loopback address, talking HTTPS to nginx, keeping its cookies."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(
            "127.0.0.1", HTTPS_PORT, source_address=(self.address, 0), context=context, timeout=30
        )
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        response.text = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict, headers: dict | None = None):
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )


def vote(address: str, headers: dict | None = None) -> int:
    """A new visitor (no cookie) answers Yes from `address`."""
    visitor = Visitor(address)
    sent = {"Sec-Fetch-Site": "same-origin", **(headers or {})}
    return visitor.post(f"/articles/{ARTICLE}/feedback/", {"helpful": "yes"}, sent).status


def assert_protected(response, *, csp_contains: str = "default-src") -> None:
    """The headers every response must carry, whoever made it (Django, whitenoise or nginx)."""
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert csp_contains in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers.get("Access-Control-Allow-Origin") is None
    assert len(headers.get_all("Content-Security-Policy")) == 1


def test_votes_are_limited_per_client_not_for_the_whole_site(stack):
    assert [vote("127.0.0.21") for _ in range(ADDRESS_LIMIT + 1)] == [303] * ADDRESS_LIMIT + [429]
    # Other visitors behind the same proxy are not affected...
    assert vote("127.0.0.22") == 303
    assert vote("127.0.0.23") == 303
    # ...and the limited one cannot get out with a forged X-Forwarded-For.
    assert vote("127.0.0.21", {"X-Forwarded-For": "203.0.113.50"}) == 429
    assert vote("127.0.0.21", {"X-Forwarded-For": "127.0.0.99, 127.0.0.1"}) == 429


def test_a_forged_forwarded_for_cannot_use_up_another_clients_limit(stack):
    for _ in range(ADDRESS_LIMIT + 1):
        vote("127.0.0.31", {"X-Forwarded-For": "127.0.0.32"})
    assert vote("127.0.0.32") == 303


def _login(visitor: Visitor, password: str) -> int:
    page = visitor.get("/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1).decode()
    response = visitor.post(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": "editor", "password": password},
        {"Referer": f"https://{HOST}/admin/login/"},
    )
    return response.status


def test_the_login_lockout_is_per_client(stack):
    attacker = Visitor("127.0.0.41")
    assert [_login(attacker, "wrong") for _ in range(3)] == [200, 200, 429]
    assert _login(attacker, PASSWORD) == 429
    # The real editor, from another address behind the same proxy, still gets in.
    assert _login(Visitor("127.0.0.42"), PASSWORD) == 302


def test_pages_and_django_errors_carry_security_headers(stack):
    visitor = Visitor("127.0.0.51")
    home = visitor.get("/")
    assert home.status == 200
    assert_protected(home)
    assert f'<link rel="canonical" href="https://{HOST}/">' in home.text.decode()
    missing = visitor.get("/no-such-page/")
    assert missing.status == 404
    assert_protected(missing)
    assert b"We can\xe2\x80\x99t find that page" in missing.text


def test_the_health_check_carries_security_headers(stack):
    health = Visitor("127.0.0.59").get("/healthz")
    assert health.status == 200
    assert json.loads(health.text)["database"] == "ok"
    assert_protected(health)


def test_static_files_are_compressed_cached_long_and_protected(stack):
    visitor = Visitor("127.0.0.52")
    home = visitor.get("/").text.decode()
    # The screen stylesheet is inlined (core/inline_css.py); the print one is still a file.
    stylesheet = re.search(r'href="(/static/css/print\.[0-9a-f]{12}\.css)"', home).group(1)
    response = visitor.get(stylesheet, {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert_protected(response)


def test_media_is_served_with_a_restrictive_csp_and_nosniff(stack):
    visitor = Visitor("127.0.0.53")
    image = visitor.get("/media/articles/photo.png")
    assert image.status == 200
    assert image.headers["Content-Type"] == "image/png"
    assert_protected(image, csp_contains="sandbox")
    # Anything that is not an image is a download, never a page on our origin.
    page = visitor.get("/media/articles/page.html")
    assert page.headers["Content-Type"] == "application/octet-stream"
    assert_protected(page, csp_contains="sandbox")
    missing = visitor.get("/media/articles/none.png")
    assert missing.status == 404
    assert_protected(missing, csp_contains="sandbox")


def test_nginx_error_responses_carry_security_headers(stack):
    visitor = Visitor("127.0.0.54")
    too_large = visitor.request(
        "POST", "/articles/", b"x" * (7 * 1024 * 1024), {"Content-Type": "text/plain"}
    )
    assert too_large.status == 413
    assert_protected(too_large)


def test_over_long_addresses_and_headers_get_nginxs_protected_answers(stack):
    """nginx's limits are below gunicorn's, so nginx answers first, with the headers."""
    visitor = Visitor("127.0.0.58")
    too_long = visitor.get("/find-a-pt/?location=" + "9" * 5000)
    assert too_long.status == 414
    assert b"too long" in too_long.text
    assert_protected(too_long)
    big_header = visitor.get("/", {"X-Padding": "p" * 6000})
    assert big_header.status == 431
    assert_protected(big_header)
    assert "no-store" in big_header.headers["Cache-Control"]


def _raw_tls_request(raw: bytes, **context_settings) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for name, value in context_settings.items():
        setattr(context, name, value)
    with (
        socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10) as plain,
        context.wrap_socket(plain, server_hostname=HOST) as tls,
    ):
        tls.sendall(raw)
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    return answer


def test_nginxs_own_bad_request_page_carries_the_headers(stack):
    answer = _raw_tls_request(
        f"GET / HTTP/1.1\r\nHost: {HOST}\r\nHost: other.example\r\nConnection: close\r\n\r\n".encode()
    )
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 400")
    for header in ("x-content-type-options: nosniff", "x-frame-options: deny", "strict-transport-security:"):
        assert header in head
    assert "frame-ancestors 'none'" in head


def _handshake(**context_settings) -> str:
    """The cipher a TLS handshake agreed on, or raise ssl.SSLError."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for name, value in context_settings.items():
        if name == "ciphers":
            context.set_ciphers(value)
        else:
            setattr(context, name, value)
    with (
        socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10) as plain,
        context.wrap_socket(plain, server_hostname=HOST) as tls,
    ):
        return tls.cipher()[0]


def test_tls_is_pinned_to_1_2_and_up_with_the_intermediate_ciphers(stack):
    tls12 = {"minimum_version": ssl.TLSVersion.TLSv1_2, "maximum_version": ssl.TLSVersion.TLSv1_2}
    assert _handshake(**tls12, ciphers="ECDHE-RSA-AES128-GCM-SHA256") == "ECDHE-RSA-AES128-GCM-SHA256"
    for weak in ("AES128-SHA", "AES256-SHA256", "ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"):
        with pytest.raises(ssl.SSLError):
            _handshake(**tls12, ciphers=f"{weak}:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError):
        _handshake(
            minimum_version=ssl.TLSVersion.TLSv1_1,
            maximum_version=ssl.TLSVersion.TLSv1_1,
            ciphers="DEFAULT:@SECLEVEL=0",
        )


def _flood(flooder: Visitor, path: str) -> None:
    """20 POSTs sent together (so a slow machine's pace does not refill the bucket, 10 a minute,
    meanwhile): the burst of 10 and the bucket's own token reach the app, which answers them
    itself (no CSRF token); nginx answers the rest with 429 at once."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: flooder.post(path, {"name": "x"}).status, range(20)))
    refilled = int((time.monotonic() - started) // 6)
    reached_app = [status for status in statuses if status != 429]
    assert 10 <= len(reached_app) <= 11 + refilled, statuses
    assert 429 in statuses


def test_form_posts_are_limited_per_client_by_nginx(stack):
    flooder = Visitor("127.0.0.61")
    _flood(flooder, "/find-a-pt/no-such-clinic/update/")
    limited = flooder.post("/find-a-pt/no-such-clinic/update/", {"name": "x"})
    assert limited.status == 429 and limited.headers["Retry-After"]
    assert_protected(limited)
    # Reading pages is not limited, and another client is not affected.
    assert flooder.get("/").status == 200
    assert Visitor("127.0.0.62").post("/find-a-pt/no-such-clinic/update/", {"name": "x"}).status != 429


def test_missing_media_is_not_cached(stack):
    visitor = Visitor("127.0.0.63")
    assert "max-age=604800" in visitor.get("/media/articles/photo.png").headers["Cache-Control"]
    missing = visitor.get("/media/articles/not-yet.png")
    assert missing.status == 404
    assert missing.headers["Cache-Control"] == "no-store"


def test_sitemaps_are_sent_compressed(stack):
    response = Visitor("127.0.0.57").get("/sitemap.xml", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.text).startswith(b"<?xml")


def test_plain_http_goes_to_the_configured_https_address(stack):
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    conn.request("GET", "/articles/?q=1", headers={"Host": "evil.example"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/articles/?q=1"


def test_certificate_renewals_answer_their_challenge_over_plain_http(stack):
    challenge = stack["scratch"] / "acme" / ".well-known" / "acme-challenge" / "token-123"
    challenge.parent.mkdir(parents=True, exist_ok=True)
    challenge.write_text("token-123.key")
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    conn.request("GET", "/.well-known/acme-challenge/token-123", headers={"Host": HOST})
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b"token-123.key")


def test_logs_keep_no_answer_and_no_query_string(stack):
    visitor = Visitor("127.0.0.55")
    visitor.get("/find-a-pt/?location=97201&name=secret-search")
    answer = visitor.post(
        f"/articles/{ARTICLE}/feedback/", {"helpful": "no"}, {"Sec-Fetch-Site": "same-origin"}
    )
    assert answer.status == 303
    assert "no" not in answer.headers["Location"].split("/feedback/")[1]
    visitor.get(answer.headers["Location"].split(HOST)[-1])
    time.sleep(0.5)
    logs = stack["scratch"] / "log"
    nginx_log = (logs / "guide.access.log").read_text()
    app_log = (logs / "gunicorn.log").read_text()
    assert "127.0.0.55" in nginx_log and "/find-a-pt/ " in nginx_log
    assert '"GET /find-a-pt/"' in app_log
    for log in (nginx_log, app_log):
        assert "secret-search" not in log
        assert "location=" not in log
        assert "answer=" not in log and "helpful" not in log


def test_during_an_upgrade_changes_get_the_designed_503_and_pages_are_served(stack):
    """deploy/upgrade's hold file: votes are refused with Retry-After (never a 500), pages read."""
    hold = stack["scratch"] / "upgrading"
    hold.touch()
    try:
        held = Visitor("127.0.0.57").post(f"/articles/{ARTICLE}/feedback/", {"helpful": "yes"})
        assert held.status == 503 and held.headers["Retry-After"] == "60"
        assert_protected(held)
        assert Visitor("127.0.0.57").get(f"/articles/{ARTICLE}/").status == 200
    finally:
        hold.unlink()
    assert vote("127.0.0.57") == 303


def test_when_the_app_is_down_nginx_answers_with_a_protected_503(stack):
    """Last: stops gunicorn."""
    stack["app"].send_signal(signal.SIGTERM)
    stack["app"].wait(timeout=15)
    response = Visitor("127.0.0.56").get("/")
    assert response.status == 503
    assert b'<html lang="en">' in response.text and b"call 911" in response.text
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_protected(response)
    spanish = Visitor("127.0.0.56").get("/es/articles/")
    assert spanish.status == 503
    page = spanish.text.decode("utf-8")
    assert '<html lang="es">' in page and "No podemos mostrar la guía" in page and "llame al 911" in page
    assert_protected(spanish)
    assert Visitor("127.0.0.56").get("/estimates/").text.startswith(b'<!doctype html><html lang="en">')
    # The feedback widget (fetch with Accept: application/json) gets JSON it can show.
    for prefix, words in (("", "nothing was saved"), ("/es", "no se guardó nada")):
        widget = Visitor("127.0.0.56").post(
            f"{prefix}/articles/{ARTICLE}/feedback/", {"helpful": "yes"}, {"Accept": "application/json"}
        )
        assert widget.status == 503
        assert widget.headers["Content-Type"] == "application/json"
        reply = json.loads(widget.text)
        assert reply["ok"] is False and words in reply["error"]
        assert_protected(widget)


@pytest.mark.parametrize("path", ["/staff-k7q2/login/", "/staff-k7q2/login/code/", "/admin/login/enrol/"])
def test_staff_sign_in_is_limited_wherever_django_admin_url_puts_the_admin(stack, path):
    # The guide tells operators to move the admin (DJANGO_ADMIN_URL); the limit must follow it.
    _flood(Visitor(f"127.0.0.{70 + len(path)}"), path)
