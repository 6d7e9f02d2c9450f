"""A pyHanko signer whose private key stays in AWS KMS: each signature is one ``kms.sign`` call.

pyHanko builds the CMS structure and asks for a raw signature over the DER signed attributes
(a few hundred bytes); KMS signs them as a RAW message (limit 4096 bytes) with the key's
RSASSA-PKCS1-v1_5 or ECDSA algorithm for the digest pyHanko chose.
"""

from __future__ import annotations

from typing import Any

import boto3
from asn1crypto import algos, x509
from django.conf import settings
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

_RSA = {
    "sha256": "RSASSA_PKCS1_V1_5_SHA_256",
    "sha384": "RSASSA_PKCS1_V1_5_SHA_384",
    "sha512": "RSASSA_PKCS1_V1_5_SHA_512",
}
_EC = {"sha256": "ECDSA_SHA_256", "sha384": "ECDSA_SHA_384", "sha512": "ECDSA_SHA_512"}


def kms_client() -> Any:
    """boto3 KMS client from settings (credentials: the usual AWS_* environment)."""
    return boto3.client(
        "kms",
        region_name=settings.SIGNING_KMS_REGION,
        endpoint_url=settings.SIGNING_KMS_ENDPOINT_URL or None,
    )


class KmsSigner(Signer):
    """Sign with KMS key ``key_id`` for ``signing_cert`` (whose public key is the KMS key's)."""

    def __init__(
        self,
        *,
        key_id: str,
        signing_cert: x509.Certificate,
        other_certs: list[x509.Certificate],
        client: Any = None,
        digest_algorithm: str = "sha256",
    ) -> None:
        self.key_id = key_id
        self.client = client or kms_client()
        self.is_rsa = signing_cert.public_key.algorithm == "rsa"
        self.digest_algorithm = digest_algorithm
        mechanism = f"{digest_algorithm}_{'rsa' if self.is_rsa else 'ecdsa'}"
        super().__init__(
            signing_cert=signing_cert,
            cert_registry=SimpleCertificateStore.from_certs([signing_cert, *other_certs]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:  # pyHanko sizes the signature placeholder with this
            cert = self.signing_cert
            assert cert is not None
            return bytes(cert.public_key.byte_size if self.is_rsa else 2 * 66 + 8)
        table = _RSA if self.is_rsa else _EC
        response = self.client.sign(
            KeyId=self.key_id,
            Message=data,
            MessageType="RAW",
            SigningAlgorithm=table[digest_algorithm],
        )
        return bytes(response["Signature"])
