"""Fixtures for the feedback tests."""

from __future__ import annotations

import pytest

from dryneedling_site.feedback.services import new_visitor_token


@pytest.fixture
def article(db):
    from tests.factories import make_article

    return make_article(slug="what-to-expect", title="What to expect")


@pytest.fixture
def visitor() -> str:
    """A visitor's cookie token, as the vote endpoint would issue it."""
    return new_visitor_token()
