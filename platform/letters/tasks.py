"""Signatures of approved letters, made after the approval committed (letters.services.issuing).

Queued from the municipality's schema after the commit, with the schema in the message headers
(tenant-schemas-celery), like the registers' dispatch tasks. The service locks the letter's row
and skips a letter already signed, so a repeated or duplicated task never signs twice. A
service that does not answer (TSA, OCSP/CRL, KMS) is retried with back-off; the beat sweep,
fanned out per municipality (``tenants.tasks.fan_out``), queues again letters left pending.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from letters.notices import signing_failure_notify
from letters.selectors.drafts import issued_awaiting_signature
from letters.services.issuing import issued_letter_sign as sign_service

MAX_RETRIES = 5
# Back-off: 30 s, 1, 2, 4, 8 minutes (about 15 minutes in all); the sweep takes over after.
FIRST_COUNTDOWN = 30
MAX_COUNTDOWN = 480
# A pending letter not attempted for this long has no live task (longer than any back-off).
SWEEP_AFTER = timedelta(minutes=10)


def countdown(retries: int) -> int:
    return int(min(FIRST_COUNTDOWN * 2**retries, MAX_COUNTDOWN))


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def issued_letter_sign(self: Any, issued_id: int) -> str:
    outcome = sign_service(issued_id=issued_id)
    if outcome == "retry" and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=countdown(self.request.retries))
    # Retries spent: the letter stays pending with its last error shown; the sweep re-queues it.
    return outcome


@shared_task(acks_late=True)
def issued_signing_failure_notify(issued_id: int) -> int:
    """Tell the signer and the approver that the letter is not signed, and what to do."""
    return signing_failure_notify(issued_id=issued_id)


@shared_task
def issued_letters_sweep() -> int:
    """Queue the signature of every letter left awaiting it (a lost task, a crash, a restart,
    retries spent during a long outage); per municipality, fanned out by beat."""
    ids = issued_awaiting_signature(older_than=timezone.now() - SWEEP_AFTER)
    for pk in ids:
        issued_letter_sign.delay(pk)
    return len(ids)
