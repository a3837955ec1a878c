"""The cache is an accelerator, never a dependency: a dead or hung Redis degrades the site."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client

from dryneedling_site.core import cachesafe
from dryneedling_site.core.pagecache import VERSION_KEY
from tests.factories import make_article

REDIS_OPTIONS = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


def redis_caches(location: str) -> dict:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    options = {**REDIS_OPTIONS, "retry": Retry(NoBackoff(), 0)}
    backend = "django.core.cache.backends.redis.RedisCache"
    return {
        "default": {"BACKEND": backend, "LOCATION": location, "OPTIONS": options},
        "limits": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "limits", "OPTIONS": options},
    }


@pytest.fixture
def dead_redis(settings) -> str:
    """Redis settings pointing at a port nothing listens on (connection refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{port}/0")
    cachesafe.reset()
    yield
    cachesafe.reset()


@pytest.fixture
def hung_redis(settings):
    """A socket that accepts connections (in its backlog) and never answers: a frozen Redis.

    Yields a function that counts the connections the site has opened to it so far.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    cachesafe.reset()
    accepted = []

    def connections() -> int:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except BlockingIOError:
                return len(accepted)

    yield connections
    cachesafe.reset()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture
def article(db):
    return make_article(slug="cache-failure-article", title="When the cache fails")


def test_pages_render_uncached_when_the_cache_refuses_connections(dead_redis, article):
    for _ in range(2):
        response = Client().get("/articles/cache-failure-article/")
        assert response.status_code == 200
        assert "When the cache fails" in response.content.decode()
        assert response["X-Page-Cache"] == "miss"


def test_a_hung_cache_costs_one_short_timeout_not_one_per_call(hung_redis, article):
    visitor = Client()
    first = visitor.get("/articles/cache-failure-article/")
    assert first.status_code == 200 and "When the cache fails" in first.content.decode()
    # One attempt timed out and opened the breaker; the page's other cache calls skipped Redis.
    assert hung_redis() == 1
    for _ in range(5):
        assert visitor.get("/articles/cache-failure-article/").status_code == 200
        assert visitor.get("/").status_code == 200
    assert hung_redis() == 1


def test_the_breaker_opens_once_and_closes_by_itself(caplog):
    guard = cachesafe.GuardedCache("default", cooldown=0.05)
    backend = caches["default"]
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Redis is down")

    original = backend.get
    backend.get = broken
    try:
        with caplog.at_level(logging.WARNING, logger="dryneedling_site.core.cachesafe"):
            for _ in range(20):
                assert guard.get("some-key", "fallback") == "fallback"
            assert len(calls) == 1 and guard.is_open
            time.sleep(0.06)
            guard.get("some-key")  # the probe after the cooldown fails: still open
            assert len(calls) == 2 and guard.is_open
    finally:
        backend.get = original
    time.sleep(0.06)
    backend.set("some-key", "from the cache")
    assert guard.get("some-key") == "from the cache"
    assert not guard.is_open
    messages = [record.getMessage() for record in caplog.records]
    assert len([m for m in messages if "unavailable" in m]) == 1, messages


def test_recovery_is_logged_once_and_content_versions_start_afresh(caplog):
    guard = cachesafe.guarded("default")
    guard.cooldown = 0.01
    caches["default"].set(VERSION_KEY.format(scope="articles"), 1.0, None)
    original = caches["default"].get_many
    caches["default"].get_many = lambda *a, **k: (_ for _ in ()).throw(TimeoutError("hung"))
    try:
        guard.get_many(["x"])
    finally:
        caches["default"].get_many = original
    time.sleep(0.02)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dryneedling_site.core.cachesafe"):
        guard.get("x")
        guard.get("x")
    assert [r.getMessage() for r in caplog.records] == ["Cache 'default' is back; using it again."]
    # A bump missed while the cache was down cannot leave an old page pinned.
    assert caches["default"].get(VERSION_KEY.format(scope="articles")) > 1.0


def test_rate_limits_hold_in_process_memory_while_the_cache_is_down(dead_redis, article, settings):
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (100, 3600), "address": (3, 3600)}
    answers = [
        Client().post(
            "/articles/cache-failure-article/feedback/", {"helpful": "yes"}, REMOTE_ADDR="192.0.2.9"
        )
        for _ in range(5)
    ]
    assert [response.status_code for response in answers] == [303, 303, 303, 429, 429]


def test_staff_edits_succeed_and_invalidate_while_the_cache_is_down(
    dead_redis, article, editor_client, django_capture_on_commit_callbacks
):
    from tests.articles.test_admin import change_form_data

    visitor = Client()
    assert "When the cache fails" in visitor.get("/articles/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            change_form_data(article, title="Renamed during the outage", published=""),
        )
    assert response.status_code == 302  # saved, not a 500
    article.refresh_from_db()
    assert not article.published
    assert "When the cache fails" not in visitor.get("/articles/").content.decode()
    assert visitor.get("/articles/cache-failure-article/").status_code == 404


def test_healthz_says_degraded_but_200_when_the_cache_is_down(dead_redis, db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_a_missing_limits_alias_degrades_instead_of_failing(article, settings):
    settings.CACHES = {"default": settings.CACHES["default"]}  # e.g. an old settings override
    cachesafe.reset()
    response = Client().post("/articles/cache-failure-article/feedback/", {"helpful": "yes"})
    assert response.status_code == 303
