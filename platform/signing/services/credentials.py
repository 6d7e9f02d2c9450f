"""Upload, replace and revoke one's own signing credential (PKCS#12 or AWS KMS); audited."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.services.audit import audit_append
from signing.certificates import CheckedCertificate, pem_chain_read, pkcs12_read
from signing.errors import CredentialRejected
from signing.keystore import key_encrypt
from signing.kms import kms_client
from signing.models import CredentialKind, SigningCredential

MAX_PKCS12_BYTES = 64 * 1024


def _store(*, user: Any, kind: str, checked: CheckedCertificate, **extra: Any) -> SigningCredential:
    """Revoke the user's active credential (a replacement) and record the new one."""
    now = timezone.now()
    with transaction.atomic():
        replaced = list(
            SigningCredential.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        )
        for old in replaced:
            old.revoked_at = now
            old.encrypted_key = None
            old.save(update_fields=["revoked_at", "encrypted_key"])
        credential = SigningCredential.objects.create(
            user=user, kind=kind, created_at=now, **checked.fields(), **extra
        )
        audit_append(
            action="signing.credential_add",
            actor=user,
            data={
                "credential": credential.pk,
                "kind": kind,
                "subject": credential.subject,
                "fingerprint_sha256": credential.fingerprint_sha256,
                "not_after": credential.not_after,
                "replaced": [old.pk for old in replaced],
            },
        )
    return credential


def credential_upload_pkcs12(*, user: Any, data: bytes, password: str) -> SigningCredential:
    """Check an uploaded .p12/.pfx (password, private key, not expired, key usage for
    signatures) and keep its key encrypted at rest. Replaces the user's active credential.
    Raises ``CredentialRejected`` with the reason in Thai / English."""
    if not data or len(data) > MAX_PKCS12_BYTES:
        raise CredentialRejected(_("ไฟล์ใบรับรองว่างเปล่าหรือใหญ่เกินไป"))
    checked = pkcs12_read(data, password)
    assert checked.private_der is not None
    return _store(
        user=user,
        kind=CredentialKind.PKCS12,
        checked=checked,
        encrypted_key=key_encrypt(checked.private_der),
    )


def credential_register_kms(
    *, user: Any, key_id: str, certificate_pem: bytes, client: Any = None
) -> SigningCredential:
    """Register an AWS KMS key (asymmetric, SIGN_VERIFY) with the certificate issued for it.

    The certificate's public key must be the KMS key's (``kms.get_public_key``), so a wrong
    key id is refused now rather than at the first letter.
    """
    checked = pem_chain_read(certificate_pem)
    client = client or kms_client()
    try:
        public_der = bytes(client.get_public_key(KeyId=key_id)["PublicKey"])
    except Exception as exc:  # botocore's ClientError and connection errors alike
        raise CredentialRejected(_("อ่านกุญแจจาก KMS ไม่ได้: %(cause)s"), cause=str(exc)) from exc
    cert_public = checked.certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if public_der != cert_public:
        raise CredentialRejected(_("กุญแจใน KMS ไม่ตรงกับใบรับรอง"))
    return _store(user=user, kind=CredentialKind.KMS, checked=checked, kms_key_id=key_id)


def credential_revoke(*, user: Any, credential: SigningCredential) -> SigningCredential:
    """Stop signing with one's own credential; its private key is erased (the certificate
    stays, so past signatures can still be explained)."""
    if credential.user_id != user.pk:
        raise CredentialRejected(_("เพิกถอนได้เฉพาะใบรับรองของตนเอง"))
    with transaction.atomic():
        credential = SigningCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is None:
            credential.revoked_at = timezone.now()
            credential.encrypted_key = None
            credential.save(update_fields=["revoked_at", "encrypted_key"])
            audit_append(
                action="signing.credential_revoke",
                actor=user,
                data={"credential": credential.pk, "subject": credential.subject},
            )
    return credential
