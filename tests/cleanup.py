"""Removing throwaway municipalities that tests and benchmarks commit."""

from __future__ import annotations

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
