"""Benchmark (not a test): Find a PT search time at 10,000 and 100,000 clinics on SQLite.

    .venv/bin/python bench/find_a_pt.py [--searches 400] [--seed 4]

Builds a scratch SQLite database in a temporary folder (never the project's own), fills it
with synthetic clinics placed at real ZIP-code centres from the zipcodes package (jittered by
up to about a mile, so they cluster where ZIP codes do), and times what the search view does
for "ZIP + 25 miles" minus rendering: ZIP -> point, the bounding-box query, the exact distance
for each candidate in Python, the sort, the count, and fetching the first page of 20 clinics
with their therapists and languages. Prints median and p95 for each size and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
RADIUS_MILES = 25
PAGE_SIZE = 20


def configure_django(folder: str) -> None:
    """Point Django at a scratch SQLite file, with DEBUG off so queries are not recorded."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/find_a_pt_bench.sqlite3"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)  # this process only
    os.environ["DJANGO_SETTINGS_MODULE"] = "dryneedling_site.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def zip_codes() -> list[tuple[str, float, float]]:
    """Street-delivery ZIP codes with coordinates: where synthetic clinics and searches go."""
    import zipcodes

    return [
        (r["zip_code"], float(r["lat"]), float(r["long"]))
        for r in zipcodes.list_all()
        if r["active"] and r["zip_code_type"] == "STANDARD" and float(r["lat"]) != 0
    ]


def add_clinics(start: int, stop: int, places: list[tuple[str, float, float]], rng: random.Random) -> None:
    from django.db import connection

    from dryneedling_site.clinics.models import Clinic, Language, Therapist

    batch = []
    for number in range(start, stop):
        zip_code, lat, lon = rng.choice(places)
        batch.append(
            Clinic(
                name=f"Bench Clinic {number}",
                slug=f"bench-clinic-{number}",
                address=f"{number} Example Street",
                city="Benchville",
                state="NY",
                zip_code=zip_code,
                latitude=round(lat + rng.uniform(-0.015, 0.015), 5),
                longitude=round(lon + rng.uniform(-0.015, 0.015), 5),
                phone="2125550100",
                offers_dry_needling=rng.random() < 0.8,
                accepting_new_patients=rng.random() < 0.7,
            )
        )
    Clinic.objects.bulk_create(batch, batch_size=2000)
    new_ids = list(Clinic.objects.order_by("-pk").values_list("pk", flat=True)[: stop - start])
    Therapist.objects.bulk_create(
        (Therapist(clinic_id=pk, name=f"Therapist {pk}", credentials="PT, DPT") for pk in new_ids),
        batch_size=2000,
    )
    english, _ = Language.objects.get_or_create(name="English")
    spanish, _ = Language.objects.get_or_create(name="Spanish")
    spoken = Clinic.languages.through
    spoken.objects.bulk_create(
        [spoken(clinic_id=pk, language_id=english.pk) for pk in new_ids]
        + [spoken(clinic_id=pk, language_id=spanish.pk) for pk in new_ids if rng.random() < 0.3],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def one_search(zip_code: str) -> tuple[float, float, int]:
    """One search as the view runs it, without rendering: (seconds in all, seconds to rank, matches)."""
    from django.core.paginator import Paginator

    from dryneedling_site.clinics import geo
    from dryneedling_site.clinics.models import Clinic

    started = time.perf_counter()
    place = geo.zip_place(zip_code)
    results = Clinic.objects.matching(dry_needling=True).near(place.latitude, place.longitude, RADIUS_MILES)
    ranked = time.perf_counter()
    page = Paginator(results, PAGE_SIZE).get_page(1)
    for clinic in page.object_list:
        list(clinic.therapists.all())
        list(clinic.languages.all())
    finished = time.perf_counter()
    return finished - started, ranked - started, page.paginator.count


def measure(searches: list[str]) -> dict[str, float]:
    for zip_code in searches[:20]:  # warm the ZIP data and SQLite's page cache
        one_search(zip_code)
    totals, rankings, matches = zip(*(one_search(z) for z in searches), strict=True)
    ms = sorted(t * 1000 for t in totals)
    return {
        "median": statistics.median(ms),
        "p95": ms[int(0.95 * (len(ms) - 1))],
        "max": ms[-1],
        "rank_median": statistics.median(t * 1000 for t in rankings),
        "matches": statistics.mean(matches),
        "most": max(matches),
    }


def query_plan() -> str:
    from django.db import connection

    from dryneedling_site.clinics import geo
    from dryneedling_site.clinics.models import Clinic

    box = geo.bounding_box(40.7484, -73.9967, RADIUS_MILES)
    candidates = Clinic.objects.offering_dry_needling().in_box(box).order_by()  # as near() runs it
    sql, params = candidates.values_list("pk", "latitude", "longitude").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "; ".join(row[-1] for row in cursor.fetchall())


def report(size: int, seconds: float, figures: dict[str, float]) -> None:
    print(f"\n{size:,} clinics (built in {seconds:.1f} s)")
    print(f"  median {figures['median']:.2f} ms, p95 {figures['p95']:.2f} ms, max {figures['max']:.1f} ms")
    print(f"  of which ranking with near(): median {figures['rank_median']:.2f} ms")
    print(f"  clinics within {RADIUS_MILES} miles: mean {figures['matches']:.0f}, most {figures['most']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=400, help="random ZIP searches per size")
    parser.add_argument("--seed", type=int, default=4)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="find-a-pt-bench-") as folder:
        configure_django(folder)
        import django

        rng = random.Random(options.seed)
        places = zip_codes()
        searches = [rng.choice(places)[0] for _ in range(options.searches)]
        print(f"Find a PT: ZIP + {RADIUS_MILES} miles, dry needling only, first page of {PAGE_SIZE}")
        print(
            f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, Django {django.get_version()}"
        )
        print(f"{len(searches)} random ZIP searches per size")
        results = {}
        for previous, size in zip((0, *SIZES), SIZES, strict=False):
            started = time.perf_counter()
            add_clinics(previous, size, places, rng)
            built = time.perf_counter() - started
            results[size] = measure(searches)
            report(size, built, results[size])

        print(f"\nQuery plan: {query_plan()}")
        small, large = results[SIZES[0]], results[SIZES[-1]]
        ratio = large["median"] / small["median"]
        print(f"Median at {SIZES[-1]:,}: {large['median']:.2f} ms (target <= 20 ms)")
        print(f"Median at {SIZES[-1]:,} / at {SIZES[0]:,}: {ratio:.2f}x (target <= 2x)")
        print("Targets met." if large["median"] <= 20 and ratio <= 2 else "Targets NOT met.")


if __name__ == "__main__":
    main()
