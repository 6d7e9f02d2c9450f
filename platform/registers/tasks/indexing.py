"""After a batch of arrived letters commits: the text of their PDFs, their search documents and
their receipt stamps (ตรารับ), which the mail ingest leaves out of its transaction.

``letters_index_arrived`` is queued after each batch's commit; ``index_missing_letters`` (beat,
per municipality through ``tenants.tasks.fan_out``) finds the letters a lost task left without a
search document. A failed stamp is left to ``receipts.stamp_missing_receipts``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from celery import shared_task

from registers.services.indexing import letters_index, letters_unindexed_ids

logger = logging.getLogger(__name__)

BATCH = 500
TIME_BUDGET_SECONDS = 240.0


@shared_task(acks_late=True)
def letters_index_arrived(letter_ids: Sequence[int]) -> int:
    return letters_index(letter_ids, stamp=True)


@shared_task
def index_missing_letters(limit: int = BATCH) -> int:
    started = time.monotonic()
    done = 0
    ids = letters_unindexed_ids(limit)
    for start in range(0, len(ids), 50):
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            break
        done += letters_index(ids[start : start + 50], stamp=True)
    return done
