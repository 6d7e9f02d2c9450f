"""Throwaway municipalities that tests and benchmarks commit, and removing them again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def delete_with_dependants(obj: Any, depth: int = 0) -> None:
    """Delete ``obj`` (a model instance or a queryset) and, first, the rows that PROTECT it.

    Onboarding steps of other apps give a municipality a mail domain, a billing account,
    backups... with PROTECT foreign keys (nothing is ever deleted silently in production); a
    throwaway test tenant must leave nothing behind.
    """
    from django.db.models import ProtectedError, RestrictedError

    while True:
        try:
            obj.delete()
            return
        except ProtectedError as error:
            blockers = list(error.protected_objects)
        except RestrictedError as error:
            blockers = list(error.restricted_objects)
        if depth > 5:
            raise RuntimeError(f"cannot delete {obj!r}: {blockers!r}")
        for blocker in blockers:
            delete_with_dependants(blocker, depth + 1)


@contextmanager
def committed_municipality() -> Iterator[Any]:
    """Onboard a throwaway municipality with committed rows; drop its schema and rows after.

    The caller unblocks database access (pytest-django's ``django_db_blocker``)."""
    import uuid

    from django.db import connection

    from tenants import services
    from tenants.models import Municipality
    from tenants.validation import OnboardingRequest
    from tests.conftest import ALPHA

    slug = f"t{uuid.uuid4().hex[:8]}"
    services.onboard_municipality(
        OnboardingRequest(
            **{**ALPHA, "slug": slug, "dla_code": "", "admin_email": f"admin@{slug}.example"}
        )
    )
    tenant = Municipality.objects.get(slug=slug)
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        delete_with_dependants(Municipality.objects.filter(pk=tenant.pk))
