"""Catch-up for receipt stamps (ตรารับ) that the post-commit hook could not make.

Beat runs it per municipality through ``tenants.tasks.fan_out``; the worker activates the
tenant's schema from the message headers.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task

from registers.services.stamping import entries_missing_stamp, letter_stamp_receipt
from tenants.db import tenant_connection

logger = logging.getLogger(__name__)

BATCH = 200
TIME_BUDGET_SECONDS = 240.0


@shared_task
def stamp_missing_receipts(limit: int = BATCH) -> dict[str, object]:
    """Stamp active receive entries whose letter has a PDF or image main file but no stamped
    copy; newest first, at most ``limit`` per run and within a time budget, so a few broken
    files cannot hold up the rest for long."""
    started = time.monotonic()
    stamped = skipped = failed = 0
    for entry in entries_missing_stamp()[:limit]:
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            break
        try:
            result = letter_stamp_receipt(entry=entry)
        except Exception:
            failed += 1
            logger.exception(
                "receipt stamp failed for entry %s (letter %s)", entry.pk, entry.letter_id
            )
            continue
        if result is None:
            skipped += 1
        else:
            stamped += 1
    return {
        "schema": tenant_connection.schema_name,
        "stamped": stamped,
        "skipped": skipped,
        "failed": failed,
    }
