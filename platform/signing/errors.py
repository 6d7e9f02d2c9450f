"""Refusals of the signing services, each with a message in Thai and in English."""

from __future__ import annotations

from thaiformat.bilingual import BilingualError


class SigningError(BilingualError):
    """A signature could not be made (no credential, no timestamp authority, a refused key)."""


class CredentialRejected(SigningError):
    """An uploaded signing credential was refused (password, expiry, key, key usage)."""
