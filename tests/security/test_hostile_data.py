"""Whatever a public endpoint can store, every admin screen must be able to show.

Stores hostile values through every public endpoint that writes (the feedback vote and
comment, the staff login that django-axes records), then opens every admin list, change,
history and delete page and the CSV exports. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL (where an out-of-range date once broke the feedback admin).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from dryneedling_site.articles.models import Article
from dryneedling_site.feedback.models import Feedback
from tests.factories import make_article

HOSTILE_VERSIONS = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2026-02-30T10:00:00+00:00",
    "1970-01-01T00:00:00+00:00",
    "2999-01-01T00:00:00+00:00",
    "٢٠٢٦-٠١-٠١T00:00:00+00:00",
    "2026-01-01T00:00:00+99:00",
    "x" * 5000,
]
HOSTILE_TEXT = [
    '=HYPERLINK("http://bad.example")',
    "<script>alert(1)</script>{{ 7|add:7 }}{% now 'Y' %}",
    "\u202etxt.exe\u200b\ufeff",
    "漢字" * 500,
    "😀" * 1000,
    "a\x00b",
    "𝟗𝟕𝟐𝟎𝟏 ٩٧٢٠١ ９７２０１",
]


def _store_hostile_values(article: Article, settings) -> None:
    url = reverse("feedback:submit", kwargs={"slug": article.slug})
    for number, version in enumerate(HOSTILE_VERSIONS):
        visitor = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        response = visitor.post(url, {"helpful": "yes", "version": version})
        assert response.status_code < 500, version
    for number, text in enumerate(HOSTILE_TEXT):
        visitor = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")
        response = visitor.post(url, {"helpful": "no", "comment": text, "version": HOSTILE_VERSIONS[0]})
        assert response.status_code < 500, text
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for forwarded in ["fe80::1%eth0", "x" * 3000, "::ffff:203.0.113.9", "2001:db8::1, 127.0.0.1"]:
        response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            reverse("admin:login"), {"username": "someone", "password": "wrong"}
        )
        assert response.status_code < 500, forwarded
    login = reverse("admin:login")
    for number, name in enumerate([*HOSTILE_TEXT, "x" * 5000, "admin"]):
        response = Client(REMOTE_ADDR=f"198.51.100.{number + 1}", HTTP_USER_AGENT=name * 3).post(
            login, {"username": name, "password": name}
        )
        assert response.status_code < 500, name


@pytest.mark.django_db
def test_every_admin_screen_shows_hostile_values(settings):
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (1000, 3600), "address": (1000, 3600)}
    article = make_article(slug="hostile", title="Hostile")
    _store_hostile_values(article, settings)
    assert Feedback.objects.filter(article=article).exists()

    staff = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123456")
    client = Client()
    client.force_login(staff)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        for obj in model_admin.get_queryset(client.get(changelist).wsgi_request)[:50]:
            for view in ("change", "history", "delete"):
                page = reverse(f"{prefix}_{view}", args=[obj.pk])
                status = client.get(page).status_code
                assert status < 500, page
                opened += 1
    assert opened > len(HOSTILE_VERSIONS)

    rows = Feedback.objects.values_list("pk", flat=True)
    export = client.get(reverse("admin:feedback_feedback_export"))
    assert export.status_code == 200
    exported = export.content.decode()
    assert "漢字" * 500 in exported
    assert "😀" * 1000 in exported
    action = client.post(
        reverse("admin:feedback_feedback_changelist"),
        {"action": "export_csv", "_selected_action": list(rows)},
    )
    assert action.status_code == 200
    assert client.get(reverse("admin:feedback_feedback_summary")).status_code == 200
    assert client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    # Staff can still remove any stored row.
    assert (
        client.post(reverse("admin:feedback_feedback_delete", args=[rows[0]]), {"post": "yes"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_old_unreadable_versions_are_cleared_by_the_migration(admin_client):
    """A row stored before the range check (year 10000 in UTC) is cleared, then shows."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("dryneedling_site.feedback.migrations.0003_clear_unreadable_article_versions")
    article = make_article(slug="old-hostile")
    row = Feedback.objects.create(article=article, helpful=True, visitor_hash="a" * 64)
    kept = Feedback.objects.create(
        article=article, helpful=False, visitor_hash="b" * 64, article_version=article.updated_at
    )
    # PostgreSQL kept year 10000 (unreadable in Python); SQLite could only keep readable junk.
    junk = "10000-01-01 13:59:59+00" if connection.vendor == "postgresql" else "1970-01-01 00:00:00"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE feedback_feedback SET article_version = %s WHERE id = %s", [junk, row.pk])
    migration.clear_unreadable_versions(apps, None)

    assert Feedback.objects.get(pk=row.pk).article_version is None
    assert Feedback.objects.get(pk=kept.pk).article_version == article.updated_at
    assert admin_client.get(reverse("admin:feedback_feedback_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:feedback_feedback_change", args=[row.pk])).status_code == 200
