"""One backup job per tenant at a time (stage, upload, retry, retention), across processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# First key of pg_advisory_lock(int, int); the second is the municipality's id.
_TENANT_BACKUP_LOCK = 72_601


class TenantBackupBusy(RuntimeError):
    """Another backup job holds this tenant."""


@contextmanager
def tenant_backup_lock(municipality_id: int, *, wait: bool = True) -> Iterator[None]:
    """Session-level advisory lock: held across the transactions of a whole job."""
    with connection.cursor() as cursor:
        if wait:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [_TENANT_BACKUP_LOCK, municipality_id]
            )
        else:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [_TENANT_BACKUP_LOCK, municipality_id]
            )
            (acquired,) = cursor.fetchone()
            if not acquired:
                raise TenantBackupBusy(str(municipality_id))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [_TENANT_BACKUP_LOCK, municipality_id]
            )
