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


def staff_group(name: str):
    """The group its data migration creates (rebuilt here: transactional tests flush tables)."""
    import importlib
    import pkgutil

    from django.contrib.auth.models import Group, Permission

    from dryneedling_site.articles import migrations

    existing = Group.objects.filter(name=name).first()
    if existing:
        return existing
    # Found by name suffix, so renumbered migrations still match.
    suffix = "_" + name.lower().replace(" ", "_") + "_group"
    [module] = [m.name for m in pkgutil.iter_modules(migrations.__path__) if m.name.endswith(suffix)]
    migration = importlib.import_module(f"{migrations.__name__}.{module}")
    created = Group.objects.create(name=name)
    for app_label, codename in migration.PERMISSIONS:
        created.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return created
