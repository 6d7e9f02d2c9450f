"""Checking the signatures of PDFs that arrive (intake uploads and e-mailed letters).

``attachment_stored`` is called by registers.services.attachments for every original PDF; it
costs a byte search on the ingest path and, only for PDFs that carry a signature, queues the
check after commit. The check itself (OCSP requests, hashing) runs in a Celery worker; the
beat sweep ``signing.tasks.check_missed_signatures`` catches what the queue missed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from registers.models import Attachment
from registers.services.audit import audit_append
from signing.models import AttachmentSignatureCheck
from signing.validation import looks_signed, pdf_validate
from tenants.task_queue import tenant_task_after_commit

logger = logging.getLogger(__name__)


def attachment_stored(attachment: Attachment, content: bytes) -> None:
    """Queue a signature check of a just-stored PDF if it looks signed (after commit)."""
    if not looks_signed(content):
        return
    tenant_task_after_commit(
        "signing.tasks.check_attachment_signature",
        attachment.pk,
        what=f"the signature check of attachment {attachment.pk}",
    )


def attachment_signature_check(
    attachment: Attachment, *, actor: Any = None
) -> AttachmentSignatureCheck:
    """Validate the attachment's signatures now and keep the report (replacing an older one)."""
    report = pdf_validate(attachment.open_bytes())
    first = report.first
    with transaction.atomic():
        check, _created = AttachmentSignatureCheck.objects.update_or_create(
            attachment=attachment,
            defaults={
                "verdict": report.verdict,
                "signer": first.signer_name[:500] if first else "",
                "signed_at": (first.timestamp or first.signed_at) if first else None,
                "timestamped": bool(first and first.timestamp),
                "report": report.as_dict(),
                "checked_at": timezone.now(),
            },
        )
        audit_append(
            action="signing.attachment_checked",
            actor=actor,
            letter=attachment.letter,
            data={
                "attachment": attachment.pk,
                "verdict": report.verdict,
                "signer": check.signer,
                "sha256": attachment.sha256,
            },
        )
    return check
