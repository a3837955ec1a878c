"""Mail settings come from the environment, and `check --deploy` says when mail would reach nobody.

Review reminders printed to a server's standard output are never read; a variable set under a
name the site does not read silently falls back to a default. Both must be named by the checks
an operator runs at install and upgrade.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from dryneedling_site.core.checks import check_mail_is_delivered, check_renamed_variables

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "operator-checks-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "guide.example.org",
}


def _settings_in_a_fresh_process(extra: dict[str, str]) -> dict[str, object]:
    """The mail settings a server started with this environment would have."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="dryneedling_site.settings", **extra)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['EMAIL_BACKEND','EMAIL_HOST','EMAIL_PORT','EMAIL_HOST_USER','EMAIL_HOST_PASSWORD',"
        "'EMAIL_USE_TLS','EMAIL_USE_SSL','DEFAULT_FROM_EMAIL','SERVER_EMAIL']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_smtp_server_user_password_and_tls_are_read_from_the_environment():
    got = _settings_in_a_fresh_process(
        {
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "smtp.example.org",
            "DJANGO_EMAIL_PORT": "2525",
            "DJANGO_EMAIL_HOST_USER": "guide",
            "DJANGO_EMAIL_HOST_PASSWORD": "sample-password",
            "DJANGO_EMAIL_USE_TLS": "1",
            "DJANGO_DEFAULT_FROM_EMAIL": "guide@example.org",
        }
    )
    assert got == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "guide",
        "EMAIL_HOST_PASSWORD": "sample-password",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "guide@example.org",
        "SERVER_EMAIL": "guide@example.org",
    }


def test_implicit_tls_on_port_465_turns_starttls_off():
    """Django refuses EMAIL_USE_TLS and EMAIL_USE_SSL together; SSL wins when asked for."""
    got = _settings_in_a_fresh_process({"DJANGO_EMAIL_USE_SSL": "1", "DJANGO_EMAIL_PORT": "465"})
    assert got["EMAIL_USE_SSL"] is True and got["EMAIL_USE_TLS"] is False and got["EMAIL_PORT"] == 465


def test_check_deploy_warns_in_production_on_the_console_backend():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="dryneedling_site.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "email"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "core.W001" in result.stderr + result.stdout
    assert "review reminders will reach nobody" in result.stderr + result.stdout


@override_settings(DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_console_backend_in_production_is_a_warning_with_the_fix():
    [warning] = check_mail_is_delivered()
    assert warning.id == "core.W001" and "DJANGO_EMAIL_HOST" in warning.hint


@override_settings(DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="")
def test_smtp_without_a_host_is_a_warning():
    [warning] = check_mail_is_delivered()
    assert warning.id == "core.W002"


@override_settings(
    DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="smtp.example.org"
)
def test_smtp_with_a_host_passes():
    assert check_mail_is_delivered() == []


@override_settings(DEBUG=True, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_a_developer_machine_may_print_mail():
    assert check_mail_is_delivered() == []


def test_a_variable_set_under_a_name_the_site_does_not_read_is_named_with_its_replacement(monkeypatch):
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    [warning] = check_renamed_variables()
    assert warning.id == "core.W003"
    assert "EMAIL_HOST" in warning.msg and "DJANGO_EMAIL_HOST" in warning.hint


def test_no_warning_when_only_current_names_are_set(monkeypatch):
    for name in ("EMAIL_HOST", "EMAIL_URL", "SECRET_KEY", "EMAIL_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_EMAIL_HOST", "smtp.example.org")
    assert check_renamed_variables() == []


@pytest.mark.django_db
def test_check_command_runs_the_renamed_variable_check(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_EMAIL_URL", "smtp://user:pass@smtp.example.org:587")
    call_command("check")
    assert "DJANGO_EMAIL_URL" in capsys.readouterr().err
