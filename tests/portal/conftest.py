"""Fixtures of the portal tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def committed_tenant(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A throwaway onboarded municipality with committed rows (for the browser tests)."""
    from tests.cleanup import committed_municipality

    with django_db_blocker.unblock(), committed_municipality() as tenant:
        yield tenant
