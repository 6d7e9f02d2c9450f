"""Queue a municipality's task once the caller's transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def tenant_task_after_commit(task_path: str, *args: Any, what: str) -> None:
    """Never before the commit (the task must find the rows); the worker enters this schema
    from the message headers (tenant-schemas-celery). A broker that is down loses nothing:
    every caller has a beat sweep that finds the work left undone. ``what``: for the log."""
    schema = connection.schema_name  # type: ignore[attr-defined]

    def queue() -> None:
        try:
            import_string(task_path).apply_async(args=args, headers={"_schema_name": schema})
        except Exception:
            logger.warning("could not queue %s; its sweep will catch up", what)

    transaction.on_commit(queue)
