"""Test-only settings and shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

# Django's own force_login: a session signed in with the password only (tests/accounts/).
UNVERIFIED_FORCE_LOGIN = Client.force_login

# live_server runs in a thread while Playwright's sync API holds an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The tests' own content (never the shipped text in content/, which editors rewrite).
FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"
FIXTURE_ARTICLES = FIXTURE_CONTENT / "articles"
FIXTURE_PAGES = FIXTURE_CONTENT / "pages"
FIXTURE_REFERENCES = FIXTURE_CONTENT / "references.yaml"
# The fixture guide's articles in reading order.
GUIDE_ORDER = [
    "what-is-dry-needling",
    "trigger-points",
    "needles",
    "is-it-safe-for-me",
    "what-to-expect",
    "side-effects",
    "aftercare",
    "common-questions",
]


def _uncompiled_catalogues() -> list[Path]:
    """Each language's django.po whose django.mo is missing or older than it."""
    root = Path(__file__).resolve().parents[1] / "locale"
    return [
        po
        for po in sorted(root.glob("*/LC_MESSAGES/django.po"))
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]


def pytest_configure(config: pytest.Config) -> None:
    # Without compiled catalogues Spanish pages show English and a few tests fail far from
    # the cause: say so once, before any test runs.
    stale = _uncompiled_catalogues()
    if stale:
        names = ", ".join(str(po.relative_to(po.parents[3])) for po in stale)
        raise pytest.UsageError(f"The translations are not compiled ({names}): run `make messages` first.")

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
    """Each test starts with empty caches (pages, rate limits) and closed cache breakers."""
    from django.conf import settings
    from django.core.cache import caches

    from dryneedling_site.core import cachesafe

    def clear() -> None:
        cachesafe.reset()
        for alias in settings.CACHES:
            caches[alias].clear()

    clear()
    yield
    clear()


def _force_login_with_second_factor(original):
    """Client.force_login that also signs the staff account in with a second factor.

    The admin asks superusers and clinical reviewers for their authenticator code; a test's
    force_login stands for a full sign-in (password and code, and the staff marker cookie).
    Tests of the sign-in itself use UNVERIFIED_FORCE_LOGIN.
    """

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if not user.is_staff:
            return
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        # The signed staff marker the sign-in sets: the page cache serves this client fresh pages.
        from dryneedling_site.core.staffmarker import STAFF_MARKER_COOKIE, staff_marker_value

        self.cookies[STAFF_MARKER_COOKIE] = staff_marker_value(user.pk)

    return force_login


@pytest.fixture(autouse=True)
def _staff_sign_in_includes_second_factor(monkeypatch):
    from django.test import Client

    monkeypatch.setattr(Client, "force_login", _force_login_with_second_factor(UNVERIFIED_FORCE_LOGIN))


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    """Uploads go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def guide(db):
    """The fixture articles and site pages, loaded the way load_content loads the shipped ones."""
    from dryneedling_site.articles.loader import load_articles, load_pages
    from dryneedling_site.articles.models import Article

    load_articles(FIXTURE_ARTICLES)
    load_pages(FIXTURE_PAGES)
    return {a.slug: a for a in Article.objects.filter(language="en")}


@pytest.fixture
def guia(guide):
    """The fixture guide plus its Spanish translations (tests/fixtures/content/articles/es/)."""
    from dryneedling_site.articles.loader import load_articles
    from dryneedling_site.articles.models import Article

    load_articles(FIXTURE_ARTICLES / "es")
    return {a.slug: a for a in Article.objects.filter(language="es")}


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
