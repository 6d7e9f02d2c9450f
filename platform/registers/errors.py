"""Refusals of the registers' services, each with a message in Thai and in English."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from thaiformat.bilingual import BilingualError


class RegistersError(BilingualError):
    """A refusal of the registers services (Thai / English, see thaiformat.bilingual)."""


class InvalidLetter(RegistersError):
    """The letter's data breaks a rule (kind and sub-kind, secrecy, missing fields)."""


class AttachmentRejected(RegistersError):
    """A file was refused: type, size or a letter that may not hold files."""


class InvalidState(RegistersError):
    """The action does not fit the current state (e.g. registering twice)."""


class NotAllowed(RegistersError):
    """The person may not do this."""


class DuplicateLetter(RegistersError):
    """A letter with the same sender reference, date and subject is already here."""

    def __init__(self, message: Promise | str, *, duplicates: list[int], **params: Any) -> None:
        self.duplicates = duplicates
        super().__init__(message, **params)
