"""Fixtures for Find a PT."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_clinic(db):
    """tests.clinics.factories.make_clinic, with the database enabled."""
    from tests.clinics.factories import make_clinic

    return make_clinic
