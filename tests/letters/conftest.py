"""Fixtures of the letters tests: inside alpha's schema, with an author, an approver, a clerk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_staff


@pytest.fixture
def in_alpha(alpha: Any) -> Iterator[Any]:
    with alpha:
        yield alpha


@pytest.fixture
def author(in_alpha: Any) -> Any:
    return make_staff(
        in_alpha,
        "writer",
        role_codes=("officer",),
        first_name="สมศรี",
        last_name="เขียนดี",
        position="นักจัดการงานทั่วไป",
    )


@pytest.fixture
def approver(in_alpha: Any) -> Any:
    return make_staff(
        in_alpha,
        "mayor",
        role_codes=("executive",),
        first_name="สมชาย",
        last_name="ใจดี",
        position="นายกเทศมนตรีตำบลอัลฟา",
    )


@pytest.fixture
def committed_tenant(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A throwaway municipality with committed rows (the browser test's server reads them)."""
    from tests.cleanup import committed_municipality

    with django_db_blocker.unblock(), committed_municipality() as tenant:
        yield tenant


# The signing app's test PKI (OCSP responder and timestamp authority on a free port) and the
# settings that point the signing code at it, for letters approved with a certificate.
from tests.signing.conftest import pki, signing_env  # noqa: E402, F401
