"""Production static files: hashed names (cache forever) and pre-compressed copies."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 60, DJANGO_STATIC_ROOT=str(tmp_path))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["css/site.css"]
    assert hashed_css != "css/site.css" and hashed_css.startswith("css/site.") and hashed_css.endswith(".css")
    assert (tmp_path / (hashed_css + ".gz")).exists()
    assert (tmp_path / manifest["js/feedback.js"]).exists()
    code = (
        "import django; django.setup(); from django.templatetags.static import static; "
        "print(static('css/site.css'))"
    )
    url = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "dryneedling_site.settings"},
    ).stdout.strip()
    assert url == "/static/" + hashed_css


def test_static_files_carry_security_headers_and_no_wildcard_cors(settings):
    from django.test import Client

    settings.WHITENOISE_USE_FINDERS = True
    for path in ("/static/css/site.css", "/static/img/favicon.svg", "/static/js/feedback.js"):
        response = Client().get(path, HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 200, path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in response
