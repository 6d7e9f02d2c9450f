"""Signature checks of arriving PDFs, in the worker (the tenant's schema comes from the
message headers, tenant-schemas-celery)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from registers.models import Attachment
from signing.intake import attachment_signature_check
from signing.validation import looks_signed

logger = logging.getLogger(__name__)

SWEEP_DAYS = 2
SWEEP_LIMIT = 200


@shared_task(name="signing.tasks.check_attachment_signature", acks_late=True)
def check_attachment_signature(attachment_id: int) -> str | None:
    attachment = Attachment.objects.select_related("letter").filter(pk=attachment_id).first()
    if attachment is None or attachment.removed_at is not None:
        return None
    return attachment_signature_check(attachment).verdict


@shared_task(name="signing.tasks.check_missed_signatures")
def check_missed_signatures(limit: int = SWEEP_LIMIT) -> int:
    """Recent original PDFs that carry a signature but have no report (the queue missed them)."""
    since = timezone.now() - dt.timedelta(days=SWEEP_DAYS)
    candidates = Attachment.objects.filter(
        content_type="application/pdf",
        derived_from__isnull=True,
        removed_at__isnull=True,
        created_at__gte=since,
        signature_check__isnull=True,
    ).select_related("letter")[:limit]
    checked = 0
    for attachment in candidates:
        try:
            if looks_signed(attachment.open_bytes()):
                attachment_signature_check(attachment)
                checked += 1
        except Exception:
            logger.exception("signature check of attachment %s failed", attachment.pk)
    return checked
