"""Refusals of the signing services, each with a message in Thai and in English."""

from __future__ import annotations

from thaiformat.bilingual import BilingualError


class SigningError(BilingualError):
    """A signature could not be made (no credential, no timestamp authority, a refused key).

    As such it is final for this document and signer: a revoked or expired certificate, a key
    that cannot sign. ``SigningUnavailable`` is the temporary kind."""


class SigningUnavailable(SigningError):
    """A service the signature needs did not answer or answered badly (the timestamp authority,
    an OCSP/CRL responder, AWS KMS), or none is configured yet: trying again later may work."""


class CredentialRejected(SigningError):
    """An uploaded signing credential was refused (password, expiry, key, key usage)."""
