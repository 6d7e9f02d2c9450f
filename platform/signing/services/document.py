"""One call for the letters app: sign with the signer's certificate, or by typed name when
they have none (the fallback the 2021 amendment allows)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registers.services.audit import audit_append
from signing.appearance import SignatureAppearance
from signing.errors import SigningError
from signing.selectors import credential_active
from signing.services.pdf import pdf_sign, signature_level_for
from signing.services.typed_name import typed_name_sign


@dataclasses.dataclass(frozen=True)
class SignedDocument:
    pdf: bytes
    method: Literal["pades", "typed_name"]
    level: str  # "B-LT", "B-LTA", or "" for a typed name
    sha256: str  # of ``pdf``, the document as issued


def document_sign(
    *,
    pdf: bytes,
    user: Any,
    visible: SignatureAppearance,
    retention_years: int | None,
    reason: str = "",
    location: str = "",
    ip_address: str | None = None,
    letter: Any = None,
    require_certificate: bool = False,
    before_record: Callable[[bytes], None] | None = None,
) -> SignedDocument:
    """Sign an issued letter as ``user``.

    With an active credential (``credential_active(user)``): PAdES at
    ``signature_level_for(retention_years)`` (B-LTA when kept 10 years or more, or for ever
    with ``None``). Without one: the typed-name signature, recorded with ``ip_address``.
    Both add the visible block and an audit entry (linked to ``letter`` when given). Raises
    ``signing.errors.SigningError`` when a certificate signature fails (no TSA, revoked
    certificate, KMS unreachable): it does not fall back silently. Its subclass
    ``SigningUnavailable`` means a service did not answer (TSA, OCSP/CRL, KMS): try again later.
    ``require_certificate`` refuses the typed-name fallback (``SigningError``) when the user has
    no active credential any more: a caller that decided earlier, while the user still had one,
    to sign with a certificate (the letters app signs after the approval has committed).
    ``before_record`` is called with the signed bytes before anything is written to the database
    (the record, the audit entry, which takes the municipality's audit-chain lock until the
    caller's transaction ends): a caller that stores the signed PDF (S3) in the same
    transaction does it there, so that no storage call is made under that lock.

    Call it outside long transactions: PAdES fetches OCSP/CRL and a timestamp over the network.
    Never while holding a lock others wait for (a register's counter row, the audit chain).
    """
    credential = credential_active(user)
    if credential is None and require_certificate:
        raise SigningError(_("ผู้ลงนามไม่มีใบรับรองที่ใช้ลงนามได้แล้ว (ถูกเพิกถอนหรือหมดอายุ)"))
    if credential is None:
        result = typed_name_sign(
            pdf=pdf, user=user, visible=visible, ip_address=ip_address, reason=reason,
            letter=letter, before_record=before_record,
        )  # fmt: skip
        return SignedDocument(
            pdf=result.pdf, method="typed_name", level="", sha256=result.record.signed_sha256
        )
    level = signature_level_for(retention_years)
    signed = pdf_sign(
        pdf=pdf, credential=credential, level=level, reason=reason, location=location,
        visible=visible,
    )  # fmt: skip
    digest = hashlib.sha256(signed).hexdigest()
    if before_record is not None:
        before_record(signed)
    with transaction.atomic():
        audit_append(
            action="signing.pades",
            actor=user,
            letter=letter,
            data={
                "credential": credential.pk,
                "subject": credential.subject,
                "level": level,
                "document_sha256": hashlib.sha256(pdf).hexdigest(),
                "signed_sha256": digest,
            },
        )
    return SignedDocument(pdf=signed, method="pades", level=level, sha256=digest)
