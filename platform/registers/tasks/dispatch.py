"""Send a letter's copy to one recipient (registers.services.dispatch), retried with back-off.

Queued from the municipality's schema after the dispatch commits; tenant_schemas_celery carries
the schema in the message headers. The service holds the recipient's row lock while sending and
skips a row already sent, so a repeated or duplicated task never sends twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task

from registers.selectors.dispatch import dispatch_recipients_never_tried
from registers.services.dispatch import dispatch_recipient_send

MAX_RETRIES = 8
SWEEP_AFTER = timedelta(minutes=5)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def dispatch_send(self: Any, recipient_id: int) -> str:
    final = self.request.retries >= MAX_RETRIES
    outcome = dispatch_recipient_send(recipient_id=recipient_id, final_attempt=final)
    if outcome == "retry":
        # 1, 2, 4 ... minutes, at most an hour: a relay restart or a brief outage passes.
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))
    return outcome


@shared_task
def dispatch_sweep() -> int:
    """Queue the sends that were never queued (broker down at the commit); per municipality,
    fanned out by beat. A send that did run is never repeated: the row is then sent or retried
    by its own task."""
    due = dispatch_recipients_never_tried(older_than=SWEEP_AFTER)
    ids = list(due.values_list("pk", flat=True)[:500])
    for pk in ids:
        dispatch_send.delay(pk)
    return len(ids)
