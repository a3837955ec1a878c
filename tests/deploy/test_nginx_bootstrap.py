"""The first-install nginx config (deploy/nginx-bootstrap.conf) works before any certificate exists.

A new operator installs it, runs `nginx -t`, starts nginx and asks certbot for a certificate
through the webroot. Here the same file (only the port and folders changed) must pass `nginx -t`
with no certificate anywhere, serve an ACME challenge file, and serve no page of the site.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
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


def _write_config(scratch: Path, port: int) -> Path:
    """deploy/nginx-bootstrap.conf inside a minimal nginx main config, in a scratch folder."""
    text = (ROOT / "deploy" / "nginx-bootstrap.conf").read_text()
    assert "ssl_certificate" not in text and "443" not in text, "the bootstrap config must not need TLS"
    replacements = {"listen 80;": f"listen 127.0.0.1:{port};", "/var/www/letsencrypt": str(scratch / "acme")}
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx-bootstrap.conf no longer contains {old!r}: update this test"
        text = text.replace(old, new)
    temp = scratch / "temp"
    for folder in ("log", "temp", "acme/.well-known/acme-challenge"):
        (scratch / folder).mkdir(parents=True, exist_ok=True)
    main = scratch / "nginx.conf"
    main.write_text(
        f"daemon off;\npid {scratch}/nginx.pid;\nerror_log {scratch}/log/error.log warn;\n"
        "events { worker_connections 16; }\nhttp {\n    include /etc/nginx/mime.types;\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n{text}\n}}\n"
    )
    if os.geteuid() == 0:  # nginx's workers drop to nobody: let them read the webroot
        for path in [scratch, *scratch.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    return main


@pytest.fixture
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="guide-nginx-boot-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_bootstrap_config_passes_nginx_t_with_no_certificate(scratch):
    main = _write_config(scratch, _free_port())
    assert not list(scratch.rglob("*.pem"))
    result = subprocess.run(
        [NGINX, "-t", "-c", str(main), "-p", str(scratch)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_bootstrap_serves_the_acme_challenge_and_no_page_of_the_site(scratch):
    port = _free_port()
    main = _write_config(scratch, port)
    token = "sample-token-123"
    (scratch / "acme" / ".well-known" / "acme-challenge" / token).write_text("sample-token-123.key")
    if os.geteuid() == 0:
        (scratch / "acme" / ".well-known" / "acme-challenge" / token).chmod(0o644)
    process = subprocess.Popen(
        [NGINX, "-c", str(main), "-p", str(scratch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:

        def get(path: str) -> tuple[int, str, http.client.HTTPResponse]:
            deadline = time.monotonic() + 20
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", path, headers={"Host": HOST})
                    response = conn.getresponse()
                    return response.status, response.read().decode(), response
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.2)

        status, body, _ = get(f"/.well-known/acme-challenge/{token}")
        assert (status, body) == (200, "sample-token-123.key")
        assert get("/.well-known/acme-challenge/missing")[0] == 404
        status, body, response = get("/en/articles/")
        assert status == 503 and "being set up" in body
        assert response.getheader("Retry-After") == "600"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
