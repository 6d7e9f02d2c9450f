"""A signer whose key lives in AWS KMS (moto in server mode: real RSA keys, kms.sign over HTTP).

The certificate is issued by the test PKI for the KMS key's public key; the signed letter must
validate with pyHanko and with pdfsig, and a certificate for another key is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import serialization

from signing.errors import CredentialRejected
from signing.kms import KmsSigner
from signing.services import SignatureAppearance, credential_register_kms, pdf_sign
from signing.validation import pdf_validate
from tests.conftest import make_staff
from tests.moto_server import moto_start
from tests.signing.conftest import letter_pdf
from tests.signing.helpers_pki import Pki, free_port, nss_db, pdfsig

pytestmark = [pytest.mark.letters, pytest.mark.django_db]

REGION = "ap-southeast-7"


@pytest.fixture(scope="module")
def kms_endpoint() -> Iterator[str]:
    port = free_port()
    process = moto_start(port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def kms(kms_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    settings.SIGNING_KMS_ENDPOINT_URL = kms_endpoint
    settings.SIGNING_KMS_REGION = REGION
    return boto3.client("kms", endpoint_url=kms_endpoint, region_name=REGION)


def _kms_key(kms: Any) -> tuple[str, Any]:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    return key_id, public


def test_letter_signed_in_kms_validates(
    alpha: Any, kms: Any, signing_env: Pki, tmp_path: Path
) -> None:
    key_id, public = _kms_key(kms)
    issued = signing_env.issue_for_key("นางสาวกุญแจ คลาวด์", public)
    chain_pem = b"".join(c.pem() for c in signing_env.chain(issued))
    user = make_staff(alpha, "kmsuser", role_codes=("executive",))
    with alpha:
        credential = credential_register_kms(user=user, key_id=key_id, certificate_pem=chain_pem)
        signed = pdf_sign(
            pdf=letter_pdf(), credential=credential, level="B-LTA", reason="ลงนาม",
            visible=SignatureAppearance(name_th="นางสาวกุญแจ คลาวด์", position_th="ผู้อำนวยการกองคลัง"),
        )  # fmt: skip
    report = pdf_validate(signed)
    assert report.verdict == "valid", report
    assert report.signatures[0].signer_name == "นางสาวกุญแจ คลาวด์"
    path = tmp_path / "kms.pdf"
    path.write_bytes(signed)
    out = pdfsig(path, nss_db(tmp_path, signing_env.write_root(tmp_path)))
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out


def test_certificate_of_another_key_is_refused(alpha: Any, kms: Any, pki: Pki) -> None:
    key_id, _public = _kms_key(kms)
    chain_pem = b"".join(c.pem() for c in pki.chain(pki.valid))  # not the KMS key's
    user = make_staff(alpha, "kmsuser2", role_codes=("executive",))
    with alpha, pytest.raises(CredentialRejected, match="KMS"):
        credential_register_kms(user=user, key_id=key_id, certificate_pem=chain_pem)


def test_kms_down_is_temporary_a_disabled_key_is_not(
    alpha: Any, kms: Any, signing_env: Pki, settings: Any
) -> None:
    """KMS unreachable: SigningUnavailable (the letters app retries); an unknown key: final."""
    from signing.errors import SigningError, SigningUnavailable

    key_id, public = _kms_key(kms)
    issued = signing_env.issue_for_key("นายกุญแจ ปิดใช้", public)
    chain_pem = b"".join(c.pem() for c in signing_env.chain(issued))
    user = make_staff(alpha, "kmsuser3", role_codes=("executive",))
    with alpha:
        credential = credential_register_kms(user=user, key_id=key_id, certificate_pem=chain_pem)
        settings.SIGNING_KMS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
        with pytest.raises(SigningUnavailable):
            pdf_sign(pdf=letter_pdf(), credential=credential)
        settings.SIGNING_KMS_ENDPOINT_URL = kms.meta.endpoint_url
        chain = [c.asn1() for c in signing_env.chain(issued)]
        gone = KmsSigner(key_id=str(uuid.uuid4()), signing_cert=chain[0], other_certs=chain[1:])
        with pytest.raises(SigningError) as refused:  # NotFoundException: not worth retrying
            pdf_sign(pdf=letter_pdf(), credential=gone)
        assert not isinstance(refused.value, SigningUnavailable)
