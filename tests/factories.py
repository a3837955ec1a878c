"""Small factories for test data."""

from __future__ import annotations

import datetime as dt
from itertools import count

from dryneedling_site.articles.models import Article

_numbers = count(1)


def make_article(**fields) -> Article:
    """A published article with plain text; override any field."""
    number = next(_numbers)
    values = {
        "slug": f"article-{number}",
        "title": f"Article {number}",
        "summary": "A short summary.",
        "body": "## Section one\n\nSome words here.\n",
        "position": number,
        "published": True,
        "last_reviewed": dt.date(2026, 1, 15),
        "reviewer_name": "Test Reviewer",
        "reviewer_credentials": "PT",
    }
    values.update(fields)
    return Article.objects.create(**values)
