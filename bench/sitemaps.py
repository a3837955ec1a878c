"""Benchmark (not a test): the sitemap index and its pages at 300,000 clinics on SQLite.

    .venv/bin/python bench/sitemaps.py [--clinics 300000]

Builds a scratch SQLite database in a temporary folder (never the project's own), bulk-creates
the clinics, then requests /sitemap.xml and every page it lists through Django's test client
in one process: first uncached (cold), then again from the page cache (warm). Prints the
slowest and median page, the largest page, and checks that every clinic's page is listed
exactly once in each language.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5_000


def configure_django(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/sitemaps_bench.sqlite3",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="dryneedling_site.settings",
        DJANGO_SITE_URL="https://guide.example.org",
        DJANGO_STATIC_ROOT=folder,
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def fill(count: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from dryneedling_site.clinics.models import Clinic

    call_command("migrate", verbosity=0)
    for start in range(0, count, BATCH):
        with transaction.atomic():
            Clinic.objects.bulk_create(
                Clinic(
                    name=f"Clinic {number}",
                    slug=f"clinic-{number}-portland-or",
                    address=f"{number} Main St",
                    city="Portland",
                    state="OR",
                    zip_code="97201",
                    latitude=45.5,
                    longitude=-122.7,
                    phone="5035550123",
                )
                for number in range(start, min(start + BATCH, count))
            )


def timed_get(client, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(path, HTTP_HOST="127.0.0.1")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return elapsed, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        configure_django(folder)
        started = time.perf_counter()
        fill(args.clinics)
        print(f"{args.clinics:,} clinics created in {time.perf_counter() - started:.1f} s")

        from django.core.cache import cache
        from django.test import Client

        cache.clear()
        client = Client()
        index_time, index = timed_get(client, "/sitemap.xml")
        pages = re.findall(r"<loc>https://guide\.example\.org(/[^<]+)</loc>", index.decode())
        cold, warm, sizes, clinic_urls = [], [], [], []
        for path in pages:
            elapsed, body = timed_get(client, path)
            cold.append(elapsed)
            sizes.append(len(body))
            urls = re.findall(r"<loc>([^<]+)</loc>", body.decode())
            if len(urls) > 10_000:
                raise SystemExit(f"{path} lists {len(urls):,} URLs, more than 10,000")
            clinic_urls += [url for url in urls if "/find-a-pt/clinic-" in url]  # English and Spanish
        for path in pages:
            warm.append(timed_get(client, path)[0])
        index_warm = timed_get(client, "/sitemap.xml")[0]
        listed = len(set(clinic_urls))
        spanish = len({url for url in clinic_urls if "/es/find-a-pt/" in url})
        print(
            f"index: {len(pages)} pages, {index_time * 1000:.0f} ms cold, {index_warm * 1000:.1f} ms cached"
        )
        print(
            f"pages cold: median {statistics.median(cold) * 1000:.0f} ms, slowest {max(cold) * 1000:.0f} ms; "
            f"cached: median {statistics.median(warm) * 1000:.1f} ms, slowest {max(warm) * 1000:.1f} ms"
        )
        print(
            f"largest page {max(sizes) / 1e6:.2f} MB; clinic pages listed once each: {listed - spanish:,} in"
            f" English and {spanish:,} in Spanish, of {args.clinics:,} clinics"
        )
        if listed != 2 * args.clinics or spanish != args.clinics or len(clinic_urls) != listed:
            raise SystemExit("Some clinic pages are missing from the sitemaps, or listed twice.")


if __name__ == "__main__":
    main()
