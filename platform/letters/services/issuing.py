"""Approval: the draft becomes a registered outgoing letter with its number, and its PDF.

Everything happens in ONE transaction: the number is taken from the send (circular, order or
announcement) register, the PDF is rendered with that number, its QR code and today's date,
signed by the approver (PAdES with their certificate, or their typed name without one: the
signing app decides), stored under its SHA-256, attached to the letter and audited. If any step
fails, signing included, the transaction rolls back and the number returns to the register.

Signing inside the transaction keeps the register's counter row locked while the timestamp and
revocation data are fetched (bounded by the signing app's timeouts); the alternative, numbering
first and signing later, could leave a numbered letter that was never issued.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import tenant_base_url
from letters.choices import REGISTER_KIND, DraftStatus, register_for
from letters.errors import DraftNotAllowed, DraftStateError
from letters.models import IssuedLetter, LetterDraft, issued_key
from letters.pdf.qr import qr_svg
from letters.pdf.render import SignatureSpot, letter_pdf_and_spot
from letters.selectors.drafts import can_approve, draft_content
from registers.agency import current_agency
from registers.choices import RETENTION_YEARS, AttachmentRole
from registers.inputs import FileInput, LetterInput
from registers.models import Letter
from registers.services.attachments import attachment_store
from registers.services.audit import audit_append
from registers.services.letters import (
    letter_create_outgoing,
    letter_grant_access,
    letter_register_outgoing,
)
from signing.services import SignatureAppearance, document_sign
from tenants.db import tenant_connection


def verify_url(token: str) -> str:
    """The public page a letter's QR code opens, on the municipality's own site."""
    tenant: Any = tenant_connection.tenant
    domain = tenant.get_primary_domain()
    host = str(domain.domain) if domain else f"{current_agency().slug}.{settings.PLATFORM_DOMAIN}"
    path = reverse("letters:verify", args=[token], urlconf=settings.ROOT_URLCONF)
    return f"{tenant_base_url(host)}{path}"


def _letter_input(draft: LetterDraft) -> LetterInput:
    kind, sub_kind = REGISTER_KIND[draft.kind]
    return LetterInput(
        channel=draft.channel,
        kind=kind,
        sub_kind=sub_kind,
        sender=current_agency().name_th,
        recipient=draft.addressee,
        recipient_email=draft.recipient_email,
        subject=draft.subject,
        urgency=draft.urgency,
        secrecy=draft.secrecy,
        owner_unit_id=getattr(draft.created_by, "org_unit_id", None),
        enclosures=tuple(line.strip() for line in draft.enclosures.splitlines() if line.strip()),
    )


def _store(issued: IssuedLetter, pdf: bytes) -> None:
    """Content-addressed: identical bytes are written once and never overwritten."""
    key = issued_key(issued, "")
    if not default_storage.exists(key):
        saved = default_storage.save(key, ContentFile(pdf))
        if saved != key:  # a storage that renames instead of keeping the key is misconfigured
            raise RuntimeError(f"storage saved {key} as {saved}")
    issued.file.name = key


def _appearance(actor: Any, spot: SignatureSpot | None) -> SignatureAppearance:
    """The visible block: the approver's name and position, in the template's signature gap."""
    name = actor.get_full_name() or actor.get_username()
    position = getattr(actor, "position", "")
    if spot is None:
        return SignatureAppearance(name_th=name, position_th=position)
    return SignatureAppearance(
        name_th=name, position_th=position, page=spot.page, box=spot.box, font_size=10.5
    )


def draft_approve(*, draft: LetterDraft, actor: Any, ip_address: str | None = None) -> IssuedLetter:
    """อนุมัติ: register, number, render, sign, store and audit the letter in one transaction."""
    if not can_approve(actor):
        raise DraftNotAllowed(_("เฉพาะผู้บริหารหรือผู้ดูแลระบบของหน่วยงานที่อนุมัติหนังสือได้"))
    now = timezone.now()
    with transaction.atomic():
        draft = LetterDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.status != DraftStatus.SUBMITTED:
            raise DraftStateError(_("ร่างนี้ไม่ได้อยู่ระหว่างเสนอลงนาม"))
        letter = letter_create_outgoing(data=_letter_input(draft), actor=actor)
        entry = letter_register_outgoing(
            letter=letter, register=register_for(draft.kind, circular=draft.circular), actor=actor
        )
        letter = Letter.objects.get(pk=letter.pk)
        if letter.is_restricted and draft.created_by_id != actor.pk:
            # ลับ / ลับมาก: the author keeps sight of the letter they wrote.
            letter_grant_access(letter=letter, actor=actor, user_ids=[draft.created_by_id])
        token = secrets.token_urlsafe(32)
        unsigned, spot = letter_pdf_and_spot(
            draft_content(
                draft,
                number=entry.reference,
                letter_date=letter.letter_date,
                qr_svg=qr_svg(verify_url(token)),
            )
        )
        signature = document_sign(
            pdf=unsigned,
            user=actor,
            visible=_appearance(actor, spot),
            retention_years=_retention_years(letter),
            reason="อนุมัติและออกหนังสือ",
            location=current_agency().name_th,
            ip_address=ip_address,
            letter=letter,
        )
        pdf = signature.pdf
        issued = IssuedLetter(
            draft=draft,
            letter=letter,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            verify_token=token,
            signature_method=signature.method,
            signature_level=signature.level,
            issued_at=now,
            issued_by=actor,
        )
        _store(issued, pdf)
        issued.save()
        # The register's copy of the main file: downloads, e-mail dispatch and search use it.
        attachment_store(
            letter=letter,
            upload=FileInput(name=f"{entry.reference.replace('/', '-')}.pdf", content=pdf),
            role=AttachmentRole.MAIN,
            actor=actor,
            content_type="application/pdf",
        )
        draft.status = DraftStatus.ISSUED
        draft.letter = letter
        draft.decided_by = actor
        draft.decided_at = now
        draft.save(update_fields=["status", "letter", "decided_by", "decided_at", "updated_at"])
        audit_append(
            action="draft.approve",
            actor=actor,
            letter=letter,
            data={
                "draft": draft.pk,
                "reference": entry.reference,
                "register": entry.register,
                "number": entry.number,
                "sha256": issued.sha256,
                "signature": signature.method,
                "level": signature.level,
            },
        )
    return issued


def _retention_years(letter: Letter) -> int | None:
    if letter.retention_years:
        return int(letter.retention_years)
    return RETENTION_YEARS.get(letter.retention_class)
