"""Private signing keys encrypted at rest (Fernet), as mailhosting/dkim_keys.py does for DKIM.

The key comes from SIGNING_KEY_ENCRYPTION_KEY. Without it one is derived from SECRET_KEY with
HKDF (separate salt and info from DKIM's) so the embedded default works; production sets its own,
so that a database dump alone signs nothing.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from signing.errors import SigningError


def _fernet() -> Fernet:
    configured = settings.SIGNING_KEY_ENCRYPTION_KEY
    if configured:
        return Fernet(configured.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"saraban-signing", info=b"signing-keys"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def key_encrypt(private_der: bytes) -> bytes:
    return _fernet().encrypt(private_der)


def key_decrypt(token: bytes | memoryview) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:  # a changed key: say so rather than sign with garbage
        raise SigningError(
            _("ถอดรหัสกุญแจลงนามไม่ได้ (SIGNING_KEY_ENCRYPTION_KEY ถูกเปลี่ยนหรือไม่)")
        ) from exc
