"""The shipped guide in a real browser: the one browser check that reads `content/`.

Code tests use fixture articles so a copy edit never breaks them; this check is the content's
accessibility gate (like `lint_content` for words): it fails only when the shipped text itself
makes a page inaccessible (an empty link, a table without headers, an image without a name).
"""

from pathlib import Path

import pytest
from django.conf import settings

from dryneedling_site.articles.loader import load_articles, load_pages
from dryneedling_site.articles.models import Article

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def shipped_site(live_server, transactional_db):
    load_articles(CONTENT / "articles")
    load_pages(CONTENT / "pages")
    return live_server


def test_every_shipped_page_passes_axe(shipped_site, page, assert_accessible, third_party_requests):
    paths = ["/", "/articles/", "/about/", "/privacy/", "/es/about/", "/es/privacy/"]
    paths += [a.get_absolute_url() for a in Article.objects.published()]
    assert len(paths) > 6
    for path in paths:
        response = page.goto(shipped_site.url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    assert third_party_requests == []
