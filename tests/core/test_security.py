"""Security headers, production settings, and staff login limits."""

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7!production-like-secret-key-for-tests-only-0123456789abcdefghijkl",
    "DJANGO_ALLOWED_HOSTS": "guide.example.org",
    # A production environment sends mail (check --deploy warns otherwise: core/checks.py).
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "DJANGO_EMAIL_HOST": "smtp.example.org",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_public_page_security_headers(client, guide, settings):
    response = client.get("/articles/needles/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    # The one inline style: the site's stylesheet, allowed by the hash of its exact text.
    style = response.content.decode().split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert directives["style-src"] == f"'self' 'sha256-{digest}'"
    assert style == (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy and "microphone=()" in policy


def test_hsts_header_when_https(client, guide, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/articles/needles/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_values():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='dryneedling_site.settings'; "
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {**clean_env, **PRODUCTION_ENV, "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def test_production_refuses_the_development_key():
    result = run_manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_admin_url_is_configurable():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='dryneedling_site.settings'; "
        "django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    )
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean_env, "DJANGO_DEBUG": "1", "DJANGO_ADMIN_URL": "staff-area-7f3k"},
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "/staff-area-7f3k/"


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_login(client, settings):
    User.objects.create_user("staffer", password="the right password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/?next=/admin/", {"username": "staffer", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staffer", "password": "the right password"}
    )
    assert response.status_code in (403, 429)
    assert "Sign-in paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_correct_password_signs_in(client):
    User.objects.create_user("staffer", password="the right password", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staffer", "password": "the right password"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_no_default_accounts_exist(db):
    assert User.objects.count() == 0


def test_pages_are_compressed_in_the_app_and_sitemaps_left_to_nginx(client, guide):
    import gzip

    page = client.get("/articles/needles/", headers={"accept-encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    assert b"<caption" in gzip.decompress(page.content)
    assert "Accept-Encoding" in page["Vary"]
    assert not client.get("/articles/needles/").has_header("Content-Encoding")
    sitemap = client.get("/sitemap.xml", headers={"accept-encoding": "gzip"})
    assert not sitemap.has_header("Content-Encoding")
