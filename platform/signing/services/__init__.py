"""The signing API (docs/signing.md). Writes run in one transaction and are audited.

- ``document_sign(pdf=..., user=..., visible=..., retention_years=..., ip_address=...,
  letter=...)`` is what the letters app calls when a letter is issued: the signer's
  certificate if they have one (PAdES, level from the retention), else the typed name.

- ``pdf_sign(pdf=..., credential=..., level=signature_level_for(years), reason=..., location=...,
  visible=SignatureAppearance(name_th=..., position_th=..., page=-1, box=(x1, y1, x2, y2)))``
  returns the PAdES-signed bytes (B-LT or B-LTA, timestamped, revocation data embedded).
- ``typed_name_sign(pdf=..., user=..., visible=..., ip_address=...)`` is the fallback for a
  signer without a credential (``signing.selectors.credential_active(user)`` is None).
- ``credential_upload_pkcs12`` / ``credential_register_kms`` / ``credential_revoke``.
"""

from signing.appearance import SignatureAppearance
from signing.services.credentials import (
    credential_register_kms,
    credential_revoke,
    credential_upload_pkcs12,
)
from signing.services.document import SignedDocument, document_sign
from signing.services.pdf import Level, credential_signer, pdf_sign, signature_level_for
from signing.services.typed_name import TypedNameResult, typed_name_sign

__all__ = [
    "Level",
    "SignatureAppearance",
    "SignedDocument",
    "TypedNameResult",
    "credential_register_kms",
    "credential_revoke",
    "credential_signer",
    "credential_upload_pkcs12",
    "document_sign",
    "pdf_sign",
    "signature_level_for",
    "typed_name_sign",
]
