"""A bounded, honest page cache: junk is never stored, each view has a key budget, and a
version bump the cache refuses never leaves the old page on show."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from dryneedling_site.core import cachesafe
from dryneedling_site.core.pagecache import VERSION_KEY
from tests.clinics.factories import make_clinic
from tests.factories import make_article


def page_keys() -> set[str]:
    """The stored pages (not the content versions or budget counters) in the local cache."""
    return {
        key
        for key in caches["default"]._cache
        if ":pages:" in key and ":pages:version:" not in key and ":pages:budget:" not in key
    }


@pytest.fixture
def clinic(db):
    return make_clinic(name="Bounded Clinic PT", zip_code="97201", city="Portland", state="OR")


JUNK_QUERIES = [
    "location=Nowhereville{n}, ZZ",  # a made-up place
    "location=0{n:04d}",  # a ZIP that does not exist
    "location=97201&radius={n}7",  # a distance the form does not offer
    "location=97201&page={n}x",  # a page that does not exist
    "location=97201&page=0{n}",  # nor with a leading zero
    "location=97201&new_patients=yes{n}",  # a checkbox no browser sends
    "location=97201&dry_needling=any{n}",  # a choice the form does not offer
    "location=97201&language=klingon{n}",
    "location=97201&location={n}",  # a parameter given twice
    "lat={n}.5&lon=999",  # coordinates off the globe
]


def test_junk_searches_add_no_cache_keys(clinic):
    visitor = Client()
    assert visitor.get("/find-a-pt/?location=97201")["X-Page-Cache"] == "miss"
    assert visitor.get("/find-a-pt/?location=97201")["X-Page-Cache"] == "hit"
    before = page_keys()
    answered = set()
    for n in range(10):
        for query in JUNK_QUERIES:
            response = visitor.get("/find-a-pt/?" + query.format(n=n))
            assert response.status_code == 200
            answered.add(response["X-Page-Cache"])
    assert answered == {"miss"}
    assert page_keys() == before
    # Clinic pages that carry a junk search back link are not stored either.
    for n in range(50):
        assert visitor.get(f"{clinic.get_absolute_url()}?location=Nowhere{n}").status_code == 200
    assert page_keys() == before


def test_a_real_place_is_still_cached(clinic):
    visitor = Client()
    for query in ("location=97201&radius=25", "location=Portland, OR", "location=97201&new_patients=on"):
        assert visitor.get(f"/find-a-pt/?{query}")["X-Page-Cache"] == "miss", query
        assert visitor.get(f"/find-a-pt/?{query}")["X-Page-Cache"] == "hit", query
    assert visitor.get(f"{clinic.get_absolute_url()}?location=97201")["X-Page-Cache"] == "miss"
    assert visitor.get(f"{clinic.get_absolute_url()}?location=97201")["X-Page-Cache"] == "hit"


def test_each_view_stores_at_most_its_budget_of_new_pages(clinic, settings):
    settings.PAGE_CACHE_MAX_PER_VIEW = 5
    make_article(slug="budget-article", title="Budget article")
    visitor = Client()
    # Real searches that differ only by the free-text name: each is valid, few are kept.
    for n in range(40):
        assert visitor.get(f"/find-a-pt/?location=97201&name=clinic{n}").status_code == 200
    assert len(page_keys()) == 5
    # Another view keeps its own budget.
    assert visitor.get("/articles/budget-article/")["X-Page-Cache"] == "miss"
    assert visitor.get("/articles/budget-article/")["X-Page-Cache"] == "hit"


class WritesRefusedCache(LocMemCache):
    """A cache that answers reads but refuses writes, like a full Redis under `noeviction`
    (which still accepts DEL)."""

    refusing = False

    def _refuse(self) -> None:
        if WritesRefusedCache.refusing:
            raise ConnectionError("OOM command not allowed when used memory > 'maxmemory'.")

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._refuse()
        super().set(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        self._refuse()
        return super().add(*args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        self._refuse()
        return super().incr(*args, **kwargs)


@pytest.fixture
def full_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": f"{__name__}.WritesRefusedCache", "LOCATION": "refusing-pages"},
    }
    cachesafe.reset()
    WritesRefusedCache.refusing = False
    yield WritesRefusedCache
    WritesRefusedCache.refusing = False
    caches["default"].clear()
    cachesafe.reset()


def another_worker() -> None:
    """Forget this process's breakers: the next request behaves like a worker that never saw
    the failed bump (the shared cache's contents stay)."""
    cachesafe.reset()
    cachesafe.guarded("default").cooldown = 0


def test_a_refused_version_bump_leaves_no_worker_serving_the_old_page(
    full_cache, db, django_capture_on_commit_callbacks
):
    article = make_article(slug="refused-bump", title="Before the correction")
    url = "/articles/refused-bump/"
    visitor = Client()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    full_cache.refusing = True  # Redis is full: reads answer, writes are refused
    article.title = "After the correction"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert VERSION_KEY.format(scope="articles") not in {
        key.split(":", 2)[-1] for key in caches["default"]._cache
    }

    seen = []
    for _ in range(12):  # the editing worker, then workers that never saw the failure
        seen.append(visitor.get(url).content.decode())
        another_worker()
    assert all("After the correction" in page for page in seen)
    assert not any("Before the correction" in page for page in seen)

    full_cache.refusing = False  # Redis has room again
    after = []
    for _ in range(6):
        after.append(visitor.get(url))
        another_worker()
    assert all("After the correction" in response.content.decode() for response in after)
    assert visitor.get(url)["X-Page-Cache"] in ("miss", "hit")
    assert visitor.get(url)["X-Page-Cache"] == "hit"  # and the cache works again


def test_rate_limit_counters_default_to_their_own_redis_database():
    from dryneedling_site.settings import _next_redis_database

    assert _next_redis_database("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _next_redis_database("redis://:secret@cache:6380/4") == "redis://:secret@cache:6380/5"
    assert _next_redis_database("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
