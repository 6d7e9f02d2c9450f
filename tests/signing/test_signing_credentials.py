"""Signing credentials: PKCS#12 uploads checked and kept encrypted, replace and revoke (audited),
the staff page, and a letter signed with a stored credential that pdfsig accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization

from registers.models import AuditEntry
from signing.errors import CredentialRejected, SigningError
from signing.models import SigningCredential
from signing.selectors import credential_active
from signing.services import (
    SignatureAppearance,
    credential_revoke,
    credential_upload_pkcs12,
    pdf_sign,
)
from signing.validation import pdf_validate
from tests.conftest import client_for, make_staff
from tests.signing.conftest import letter_pdf
from tests.signing.helpers_pki import Pki, nss_db, pdfsig

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


@pytest.fixture
def signer(alpha: Any) -> Any:
    return make_staff(alpha, "palad", role_codes=("executive",), first_name="สมชาย")


def test_upload_checks_and_encrypts_then_signs(
    alpha: Any, signer: Any, signing_env: Pki, settings: Any, tmp_path: Path
) -> None:
    settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with alpha:
        credential = credential_upload_pkcs12(
            user=signer, data=signing_env.p12(signing_env.valid), password="test-pass"
        )
        assert credential_active(signer) == credential
        assert (
            credential.subject.endswith("CN=นายสมชาย ใจดี") or "นายสมชาย ใจดี" in credential.subject
        )
        raw = signing_env.valid.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
        stored = bytes(SigningCredential.objects.get(pk=credential.pk).encrypted_key or b"")
        assert stored and raw not in stored and raw[40:72] not in stored
        assert AuditEntry.objects.filter(action="signing.credential_add", actor=signer).exists()

        signed = pdf_sign(
            pdf=letter_pdf(), credential=credential, level="B-LT", reason="ลงนาม",
            visible=SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="ปลัดเทศบาล"),
        )  # fmt: skip
        assert pdf_validate(signed).verdict == "valid"
        path = tmp_path / "signed.pdf"
        path.write_bytes(signed)
        out = pdfsig(path, nss_db(tmp_path, signing_env.write_root(tmp_path)))
        assert "Signature is Valid." in out and "Certificate is Trusted." in out, out

        # Another encryption key (a lost or changed SIGNING_KEY_ENCRYPTION_KEY): refused clearly.
        settings.SIGNING_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
        with pytest.raises(SigningError, match="SIGNING_KEY_ENCRYPTION_KEY"):
            pdf_sign(pdf=letter_pdf(), credential=credential)


@pytest.mark.parametrize(
    ("who", "password", "reason"),
    [
        ("valid", "wrong", "รหัสผ่านไม่ถูกต้อง"),
        ("expired", "test-pass", "หมดอายุ"),
        ("no_signing", "test-pass", "Key Usage"),
    ],
)
def test_bad_uploads_are_refused_in_thai_and_english(
    alpha: Any, signer: Any, pki: Pki, who: str, password: str, reason: str
) -> None:
    with alpha:
        with pytest.raises(CredentialRejected) as caught:
            credential_upload_pkcs12(
                user=signer, data=pki.p12(getattr(pki, who)), password=password
            )
        assert reason in caught.value.text("th")
        assert not SigningCredential.objects.filter(user=signer).exists()


def test_replace_and_revoke(alpha: Any, signer: Any, pki: Pki) -> None:
    with alpha:
        first = credential_upload_pkcs12(user=signer, data=pki.p12(pki.valid), password="test-pass")
        second = credential_upload_pkcs12(
            user=signer, data=pki.p12(pki.valid), password="test-pass"
        )
        first.refresh_from_db()
        assert first.revoked_at is not None and first.encrypted_key is None
        assert credential_active(signer) == second
        credential_revoke(user=signer, credential=second)
        assert credential_active(signer) is None
        assert AuditEntry.objects.filter(action="signing.credential_revoke").count() == 1
        other = make_staff(alpha, "other", role_codes=("central_clerk",))
        third = credential_upload_pkcs12(user=signer, data=pki.p12(pki.valid), password="test-pass")
        with pytest.raises(CredentialRejected):
            credential_revoke(user=other, credential=third)


def test_staff_page_upload_and_revoke(alpha: Any, signer: Any, pki: Pki) -> None:
    client = client_for(alpha)
    with alpha:
        client.force_login(signer)
    page = client.get("/staff/signing/")
    assert page.status_code == 200
    assert "ใบรับรองสำหรับลงนาม" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        "/staff/signing/",
        {
            "kind": "pkcs12",
            "p12-file": SimpleUploadedFile("me.p12", pki.p12(pki.valid)),
            "p12-password": "nope",
        },
    )
    assert bad.status_code == 400
    assert "รหัสผ่านไม่ถูกต้อง" in bad.content.decode()
    good = client.post(
        "/staff/signing/",
        {
            "kind": "pkcs12",
            "p12-file": SimpleUploadedFile("me.p12", pki.p12(pki.valid)),
            "p12-password": "test-pass",
        },
    )
    assert good.status_code == 302
    with alpha:
        credential = credential_active(signer)
        assert credential is not None
    shown = client.get("/staff/signing/").content.decode()
    assert credential.fingerprint_sha256 in shown
    assert client.post(f"/staff/signing/{credential.pk}/revoke/").status_code == 302
    with alpha:
        assert credential_active(signer) is None
