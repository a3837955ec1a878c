"""With the database down: cached pages still served, everything else a clear 503, never a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client

from dryneedling_site.core.views import server_error
from dryneedling_site.feedback.models import Feedback
from tests.factories import make_article


@pytest.fixture
def article(db):
    return make_article(slug="outage-article", title="Outage article")


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when PostgreSQL is stopped."""

    def refused(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def stop() -> None:
        monkeypatch.setattr(connection, "cursor", refused)

    yield stop
    monkeypatch.undo()  # before the test database rolls back


def test_an_uncached_page_is_a_503_in_the_sites_style(article, database_down):
    database_down()
    response = Client().get("/articles/outage-article/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "<h1>We are back in a moment</h1>" in page
    assert 'href="/find-a-pt/"' in page  # the site's own header and navigation
    assert "Traceback" not in page and "OperationalError" not in page
    assert "no-store" in response["Cache-Control"]


def test_a_cached_page_is_still_served(article, database_down):
    visitor = Client()
    assert visitor.get("/articles/outage-article/").status_code == 200
    database_down()
    response = visitor.get("/articles/outage-article/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert "Outage article" in response.content.decode()


def test_a_vote_from_the_widget_gets_a_json_503(article, database_down):
    database_down()
    response = Client().post(
        "/articles/outage-article/feedback/",
        {"helpful": "yes"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["ok"] is False and "nothing was saved" in body["error"]
    assert "feedback_visitor" not in response.cookies


def test_a_vote_without_javascript_gets_a_503_page(article, database_down):
    database_down()
    response = Client().post("/articles/outage-article/feedback/", {"helpful": "no"})
    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()


def test_a_vote_that_fails_while_writing_stores_nothing(article, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Feedback.objects, "update_or_create", lost)
    response = Client().post(
        "/articles/outage-article/feedback/", {"helpful": "yes"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 503
    monkeypatch.undo()
    assert Feedback.objects.count() == 0


def test_healthz_is_503_with_each_part(db, database_down):
    database_down()
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}


def test_healthz_answers_any_probe(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["guide.example.org"]
    response = Client().get("/healthz", headers={"host": "10.0.0.7:8000"})
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_an_outage_outside_a_view_is_still_a_503(rf):
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_other_errors_stay_500(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
