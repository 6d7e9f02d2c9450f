"""Approval: the draft becomes a registered outgoing letter with its number; then its signature.

Two steps, so that no network call is ever made while the register's counter row is locked:

1. ``draft_approve``, ONE short transaction: the outgoing letter is registered and numbered in
   the send (circular, order or announcement) register (``numbers_take`` locks the counter row
   until the commit), the PDF is rendered with that number, today's date and its QR code, and
   recorded with those unsigned bytes (in the row: no file storage call, which may be S3) as an
   ``IssuedLetter`` awaiting its signature (``signing_state`` pending, the draft ``signing``:
   "อนุมัติและออกเลขแล้ว รอลงนาม"), audited (``draft.approve``). How it will be signed is decided here: with the
   approver's certificate if they have an active one now, else their typed name. If anything
   fails (the render), everything rolls back and the number returns to the register.
2. After the commit, ``letters.tasks.issued_letter_sign`` runs ``issued_letter_sign``: it locks
   only this letter's row (a duplicate task skips it), signs the stored unsigned PDF through
   ``signing.services.document_sign`` (PAdES B-LT/B-LTA: timestamp, OCSP/CRL, maybe AWS KMS,
   over the network; or the typed name), stores the signed PDF content-addressed, attaches it
   as the register's main file (downloads, search and e-mail dispatch use it), marks the
   letter ISSUED and audits (``draft.signed``), all in one transaction. The storage writes
   (S3 in production) are made before the signing app records the signature, whose audit entry
   takes the municipality's audit-chain lock until the commit (``before_record``). A failure of a service
   (``SigningUnavailable``) leaves it pending: the task retries with back-off and the beat
   sweep ``letters.tasks.issued_letters_sweep`` re-queues letters whose task was lost.

A permanent failure (the signer's certificate revoked or expired, a key that cannot sign) marks
the signature failed (``draft.sign_failed``) with the signing app's Thai message. The letter
keeps its number (the register is a legal record; a number is never reused) and is not offered
anywhere until an approver asks for it to be signed again (``issued_letter_sign_again``): it is
then signed by that approver, with their active certificate or, without one, their typed name
(the signing app's rules). Until signed, nothing offers the letter: no PDF download, no e-mail
(the registers' letter has no main file yet), the public check page says it awaits signature.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import tenant_base_url
from letters.choices import REGISTER_KIND, DraftStatus, SigningState, register_for
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
from signing.errors import SigningError, SigningUnavailable
from signing.selectors import credential_active
from signing.services import SignatureAppearance, SignedDocument, document_sign
from tenants.db import tenant_connection
from tenants.task_queue import tenant_task_after_commit

logger = logging.getLogger(__name__)

SIGNING_REASON = "อนุมัติและออกหนังสือ"
# Kept on the letter (data, in Thai like the signing app's messages stored there).
UNEXPECTED_FAILURE = "เกิดข้อผิดพลาดของระบบระหว่างลงนาม ระบบจะลองใหม่อัตโนมัติ"
GAVE_UP = "ลงนามไม่สำเร็จติดต่อกันนานกว่า {hours} ชั่วโมง ระบบจึงหยุดลองใหม่ ({error})"
# A failure that lasts this long is mailed to the approver (a blip the task's own retries
# cover is not); one that lasts this long stops the retries (an OCSP responder gone for good
# would otherwise be asked every few minutes for ever). ลงนามใหม่ starts again.
NOTIFY_FAILING_AFTER = timedelta(minutes=15)
GIVE_UP_AFTER = timedelta(hours=24)


def site_url(name: str, *args: Any) -> str:
    """A page of the municipality's own site, as a full URL (for QR codes and e-mail)."""
    tenant: Any = tenant_connection.tenant
    domain = tenant.get_primary_domain()
    host = str(domain.domain) if domain else f"{current_agency().slug}.{settings.PLATFORM_DOMAIN}"
    path = reverse(name, args=args, urlconf=settings.ROOT_URLCONF)
    return f"{tenant_base_url(host)}{path}"


def verify_url(token: str) -> str:
    """The public page a letter's QR code opens, on the municipality's own site."""
    return site_url("letters:verify", token)


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


def _store(key: str, pdf: bytes) -> str:
    """Content-addressed: identical bytes are written once and never overwritten."""
    if not default_storage.exists(key):
        saved = default_storage.save(key, ContentFile(pdf))
        if saved != key:  # a storage that renames instead of keeping the key is misconfigured
            raise RuntimeError(f"storage saved {key} as {saved}")
    return key


def _appearance(actor: Any, spot: dict[str, Any] | None) -> SignatureAppearance:
    """The visible block: the signer's name and position, in the template's signature gap."""
    name = actor.get_full_name() or actor.get_username()
    position = getattr(actor, "position", "")
    if not spot:
        return SignatureAppearance(name_th=name, position_th=position)
    x1, y1, x2, y2 = (float(v) for v in spot["box"])
    return SignatureAppearance(
        name_th=name,
        position_th=position,
        page=int(spot["page"]),
        box=(x1, y1, x2, y2),
        font_size=10.5,
    )


def _spot_json(spot: SignatureSpot | None) -> dict[str, Any] | None:
    return None if spot is None else {"page": spot.page, "box": list(spot.box)}


def draft_approve(*, draft: LetterDraft, actor: Any, ip_address: str | None = None) -> IssuedLetter:
    """อนุมัติ: register, number, render and store the letter in one transaction; it is signed
    after the commit (``issued_letter_sign``, queued here). Returns the ``IssuedLetter``,
    awaiting its signature."""
    if not can_approve(actor):
        raise DraftNotAllowed(_("เฉพาะผู้บริหารหรือผู้ดูแลระบบของหน่วยงานที่อนุมัติหนังสือได้"))
    now = timezone.now()
    with transaction.atomic():
        draft = LetterDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.status != DraftStatus.SUBMITTED:
            raise DraftStateError(_("ร่างนี้ไม่ได้อยู่ระหว่างเสนอลงนาม"))
        letter = letter_create_outgoing(data=_letter_input(draft), actor=actor)
        # From here until the commit the register's counter row is locked: local work only.
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
        issued = IssuedLetter(
            draft=draft,
            letter=letter,
            unsigned_pdf=unsigned,
            unsigned_sha256=hashlib.sha256(unsigned).hexdigest(),
            signature_spot=_spot_json(spot),
            verify_token=token,
            issued_at=now,
            issued_by=actor,
            signer=actor,
            signer_ip=ip_address or None,
            with_certificate=credential_active(actor) is not None,
            signing_state=SigningState.PENDING,
        )
        issued.save()
        draft.status = DraftStatus.SIGNING
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
                "unsigned_sha256": issued.unsigned_sha256,
                "signature": "pades" if issued.with_certificate else "typed_name",
            },
        )
        sign_after_commit(issued.pk)
    return issued


def sign_after_commit(issued_id: int) -> None:
    """Queue the signature once the surrounding transaction commits (never before: the task
    must find the row). A broker that is down loses nothing: the beat sweep re-queues it."""
    tenant_task_after_commit(
        "letters.tasks.issued_letter_sign",
        issued_id,
        what=f"the signature of issued letter {issued_id}",
    )


def issued_letter_sign(*, issued_id: int) -> str:
    """Sign an approved letter, once. Returns "signed"; "done" when there is nothing to do
    (already signed, failed, or no such letter); "busy" when another worker is signing it right
    now; "retry" after a temporary failure (a service did not answer); "failed" after a
    permanent one (recorded on the letter, audited, shown on its page).

    The row lock is this letter's only (``skip_locked``: a duplicated task does not wait); the
    register's counter and the audit chain are not held during the network calls.
    """
    try:
        with transaction.atomic():
            issued = (
                IssuedLetter.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("letter", "signer", "issued_by")
                .filter(pk=issued_id)
                .first()
            )
            if issued is None:
                return "busy" if IssuedLetter.objects.filter(pk=issued_id).exists() else "done"
            if issued.signing_state != SigningState.PENDING:
                return "done"
            signature = _sign(issued, before_record=lambda pdf: _store_signed(issued, pdf))
            _finish(issued, signature)
        return "signed"
    except SigningUnavailable as error:
        logger.warning("signing issued letter %s failed for now: %s", issued_id, error)
        _record_failure(issued_id, error.text("th"), permanent=False)
        return "retry"
    except SigningError as error:
        logger.warning("signing issued letter %s failed: %s", issued_id, error)
        _record_failure(issued_id, error.text("th"), permanent=True)
        return "failed"
    except Exception:  # storage or database trouble, or a bug: keep it pending, try again
        logger.exception("signing issued letter %s failed unexpectedly", issued_id)
        _record_failure(issued_id, UNEXPECTED_FAILURE, permanent=False)
        return "retry"


def _signer(issued: IssuedLetter) -> Any:
    return issued.signer or issued.issued_by


def _sign(issued: IssuedLetter, *, before_record: Callable[[bytes], None]) -> SignedDocument:
    unsigned = issued.open_unsigned()
    if hashlib.sha256(unsigned).hexdigest() != issued.unsigned_sha256:
        raise RuntimeError(f"the stored unsigned PDF of issued letter {issued.pk} has changed")
    signer = _signer(issued)
    return document_sign(
        pdf=unsigned,
        user=signer,
        visible=_appearance(signer, issued.signature_spot),
        retention_years=_retention_years(issued.letter),
        reason=SIGNING_REASON,
        location=current_agency().name_th,
        ip_address=issued.signer_ip,
        letter=issued.letter,
        require_certificate=issued.with_certificate,
        before_record=before_record,
    )


def _store_signed(issued: IssuedLetter, pdf: bytes) -> None:
    """The file storage writes (S3 in production), made before the signature is recorded: once
    the signing app audits, the municipality's audit-chain lock is held until the commit."""
    letter = issued.letter
    issued.sha256 = hashlib.sha256(pdf).hexdigest()
    issued.size = len(pdf)
    issued.file.name = _store(issued_key(issued, ""), pdf)
    # The register's copy of the main file: downloads, e-mail dispatch and search use it.
    attachment_store(
        letter=letter,
        upload=FileInput(name=f"{letter.reference.replace('/', '-')}.pdf", content=pdf),
        role=AttachmentRole.MAIN,
        actor=_signer(issued),
        content_type="application/pdf",
    )


def _finish(issued: IssuedLetter, signature: SignedDocument) -> None:
    """Mark issued and audit (the caller's transaction, the row locked; the files are stored
    and attached already, ``_store_signed``)."""
    now = timezone.now()
    signer = _signer(issued)
    letter = issued.letter
    if issued.sha256 != signature.sha256:
        raise RuntimeError(f"issued letter {issued.pk}: stored and signed bytes differ")
    issued.signature_method = signature.method
    issued.signature_level = signature.level
    issued.signing_state = SigningState.SIGNED
    issued.signed_at = now
    issued.signing_attempts += 1
    issued.signing_attempted_at = now
    issued.signing_error = ""
    issued.signing_failing_since = None
    issued.signing_failure_notified = False
    issued.unsigned_pdf = b""  # the signed PDF starts with these bytes (incremental update)
    issued.save()
    LetterDraft.objects.filter(pk=issued.draft_id).update(status=DraftStatus.ISSUED, updated_at=now)
    audit_append(
        action="draft.signed",
        actor=signer,
        letter=letter,
        data={
            "draft": issued.draft_id,
            "reference": letter.reference,
            "sha256": issued.sha256,
            "unsigned_sha256": issued.unsigned_sha256,
            "signature": signature.method,
            "level": signature.level,
            "attempts": issued.signing_attempts,
        },
    )


def _record_failure(issued_id: int, message: str, *, permanent: bool) -> None:
    """Count the attempt and keep the reason; a permanent failure also changes the state, and
    so does a temporary one that has lasted ``GIVE_UP_AFTER``. The approver is mailed once per
    run of failures: when it turns permanent, or when it has lasted ``NOTIFY_FAILING_AFTER``."""
    now = timezone.now()
    with transaction.atomic():
        issued = (
            IssuedLetter.objects.select_for_update(of=("self",))
            .select_related("letter", "signer", "issued_by")
            .filter(pk=issued_id, signing_state=SigningState.PENDING)
            .first()
        )
        if issued is None:
            return
        since = issued.signing_failing_since or now
        if not permanent and now - since >= GIVE_UP_AFTER:
            permanent = True
            message = GAVE_UP.format(
                hours=int(GIVE_UP_AFTER.total_seconds() // 3600), error=message
            )
        notify = permanent or (
            not issued.signing_failure_notified and now - since >= NOTIFY_FAILING_AFTER
        )
        issued.signing_attempts = F("signing_attempts") + 1
        issued.signing_attempted_at = now
        issued.signing_error = message[:2000]
        issued.signing_failing_since = since
        issued.signing_failure_notified = issued.signing_failure_notified or notify
        if permanent:
            issued.signing_state = SigningState.FAILED
        issued.save(
            update_fields=[
                "signing_attempts",
                "signing_attempted_at",
                "signing_error",
                "signing_state",
                "signing_failing_since",
                "signing_failure_notified",
            ]
        )
        if permanent:
            audit_append(
                action="draft.sign_failed",
                actor=_signer(issued),
                letter=issued.letter,
                data={"draft": issued.draft_id, "reference": issued.letter.reference,
                      "error": message[:500]},
            )  # fmt: skip
        if notify:
            tenant_task_after_commit(
                "letters.tasks.issued_signing_failure_notify",
                issued.pk,
                what=f"the notice that issued letter {issued.pk} is not signed",
            )


def issued_letter_sign_again(
    *, issued: IssuedLetter, actor: Any, ip_address: str | None = None
) -> IssuedLetter:
    """ลงนามใหม่: an approver asks for a letter whose signature failed (or keeps failing) to be
    signed again, by them: with their active certificate, or their typed name without one. The
    number stays; the signature is made after the commit like the first one."""
    if not can_approve(actor):
        raise DraftNotAllowed(_("เฉพาะผู้บริหารหรือผู้ดูแลระบบของหน่วยงานที่สั่งลงนามได้"))
    with transaction.atomic():
        try:
            issued = (
                IssuedLetter.objects.select_for_update(nowait=True, of=("self",))
                .select_related("letter")
                .get(pk=issued.pk)
            )
        except DatabaseError:  # the row is locked: a worker is signing it right now
            raise DraftStateError(_("กำลังลงนามหนังสือนี้อยู่ โปรดรอสักครู่")) from None
        if not issued.signing_failing:
            raise DraftStateError(_("หนังสือนี้ไม่ได้อยู่ในสถานะที่ต้องลงนามใหม่"))
        previous = {"signer": issued.signer_id, "error": issued.signing_error[:500]}
        issued.signer = actor
        issued.signer_ip = ip_address or None
        issued.with_certificate = credential_active(actor) is not None
        issued.signing_state = SigningState.PENDING
        issued.signing_error = ""
        issued.signing_failing_since = None
        issued.signing_failure_notified = False
        issued.save(
            update_fields=[
                "signer",
                "signer_ip",
                "with_certificate",
                "signing_state",
                "signing_error",
                "signing_failing_since",
                "signing_failure_notified",
            ]
        )
        audit_append(
            action="draft.sign_again",
            actor=actor,
            letter=issued.letter,
            data={
                "draft": issued.draft_id,
                "reference": issued.letter.reference,
                "signature": "pades" if issued.with_certificate else "typed_name",
                "previous": previous,
            },
        )
        sign_after_commit(issued.pk)
    return issued


def _retention_years(letter: Letter) -> int | None:
    if letter.retention_years:
        return int(letter.retention_years)
    return RETENTION_YEARS.get(letter.retention_class)
