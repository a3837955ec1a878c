import pytest
from django.db import DatabaseError

from tests.html import all_sitemaps


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_reports_database_down(client, db, monkeypatch):
    from dryneedling_site.core import views

    class DownConnection:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr(views, "connection", DownConnection())
    assert client.get("/healthz").status_code == 503


def test_healthz_carries_security_headers(client, db):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_read_only_when_the_database_refuses_writes(client):
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        on, off = "PRAGMA query_only = ON", "PRAGMA query_only = OFF"
    else:
        on, off = "SET default_transaction_read_only = on", "SET default_transaction_read_only = off"
    with connection.cursor() as cursor:
        cursor.execute(on)
    try:
        response = client.get("/healthz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(off)
    assert response.status_code == 503
    assert response.json() == {"status": "read-only", "database": "read-only", "cache": "ok"}
    # The probe's write was rolled back: the database is as it was.
    assert client.get("/healthz").json()["status"] == "ok"


def test_robots_points_to_sitemap_and_does_not_reveal_the_admin(client, db, settings):
    text = client.get("/robots.txt").content.decode()
    assert "admin" not in text
    assert "Disallow: /editor/" in text
    assert "Sitemap: https://guide.example.org/sitemap.xml" in text


def test_sitemap_lists_published_articles_only(client, guide):
    from tests.factories import make_article

    make_article(slug="secret-draft", published=False)
    body = all_sitemaps(client)
    assert "https://guide.example.org/articles/what-is-dry-needling/" in body
    assert "https://guide.example.org/articles/aftercare/" in body
    assert "secret-draft" not in body
    assert "<loc>https://guide.example.org/</loc>" in body


def test_healthz_over_https_carries_hsts(db, client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
