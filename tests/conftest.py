"""Test-only settings and shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# live_server runs in a thread while Playwright's sync API holds an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "articles"
# The guide's articles in reading order, as the issue asks for them.
GUIDE_ORDER = [
    "what-is-dry-needling",
    "trigger-points",
    "needles",
    "dry-needling-vs-acupuncture",
    "who-can-benefit",
    "what-to-expect",
    "side-effects",
    "aftercare",
]


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # The manifest storage needs collectstatic; tests serve files straight from static/.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test server speaks plain HTTP; production's HTTPS settings are tested in a
    # subprocess (tests/core/test_security.py).
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Absolute URLs come from configuration, never from the test client's Host ("testserver").
    settings.SITE_URL = "https://guide.example.org"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (pages, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    """Uploads go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def guide(db):
    """The shipped articles, loaded the way the README's serve command loads them."""
    from dryneedling_site.articles.loader import load_articles
    from dryneedling_site.articles.models import Article

    load_articles(CONTENT_DIR)
    return {a.slug: a for a in Article.objects.all()}


@pytest.fixture
def editor_user(db):
    """A member of the "Content editors" group (created by a data migration)."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        "editor",
        email="editor@example.com",
        password="correct horse battery",
        is_staff=True,
        first_name="Erin",
        last_name="Editor",
    )
    user.groups.add(Group.objects.get(name="Content editors"))
    return user


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client
