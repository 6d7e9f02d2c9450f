"""Reads of the signing app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from signing.models import AttachmentSignatureCheck, SigningCredential, TypedNameSignature


def credential_active(user: Any) -> SigningCredential | None:
    """The user's credential that can sign now (not revoked, not expired), if any.

    Letters call this to choose between ``pdf_sign`` and the typed-name fallback.
    """
    return (
        SigningCredential.objects.filter(
            user=user, revoked_at__isnull=True, not_after__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


def credentials_of(user: Any) -> QuerySet[SigningCredential]:
    return SigningCredential.objects.filter(user=user).order_by("-created_at")


def typed_signatures_for_hash(sha256: str) -> QuerySet[TypedNameSignature]:
    """Typed-name signatures whose document (before or after the block) has this SHA-256."""
    from django.db.models import Q

    return TypedNameSignature.objects.filter(
        Q(document_sha256=sha256) | Q(signed_sha256=sha256)
    ).select_related("user")


def signature_checks_for_letter(letter_id: int) -> QuerySet[AttachmentSignatureCheck]:
    return AttachmentSignatureCheck.objects.filter(attachment__letter_id=letter_id).select_related(
        "attachment"
    )
