"""DKIM keys: RSA-2048 generated with `cryptography`; private keys encrypted at rest.

The encryption key comes from MAIL_KEY_ENCRYPTION_KEY (a Fernet key). Without it, one is derived
from SECRET_KEY with HKDF so that the embedded default works; production sets its own, so that a
leaked database dump alone does not sign mail for every municipality.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

KEY_BITS = 2048


@dataclass(frozen=True)
class GeneratedKey:
    selector: str
    private_pem: bytes
    public_key_b64: str  # the p= value of the DKIM TXT record


def _fernet() -> Fernet:
    configured = getattr(settings, "MAIL_KEY_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"saraban-dkim", info=b"dkim-private-keys"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_selector() -> str:
    """Selectors carry the month they were made in, so that rotations are easy to read in DNS."""
    return f"s{timezone.localdate():%Y%m}{secrets.token_hex(2)}"


def generate_key(selector: str | None = None) -> GeneratedKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return GeneratedKey(
        selector=selector or new_selector(),
        private_pem=private_pem,
        public_key_b64=base64.b64encode(public_der).decode("ascii"),
    )


def encrypt_private_key(private_pem: bytes) -> bytes:
    return _fernet().encrypt(private_pem)


def decrypt_private_key(token: bytes | memoryview) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:  # a changed MAIL_KEY_ENCRYPTION_KEY: say so, do not sign garbage
        raise RuntimeError(
            "DKIM private key cannot be decrypted: was MAIL_KEY_ENCRYPTION_KEY changed?"
        ) from exc
