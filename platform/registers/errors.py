"""Refusals of the registers' services, each with a message in Thai and in English."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class RegistersError(Exception):
    """Something the user can act on. ``str()`` gives Thai / English; views use ``text()``."""

    def __init__(self, message: Promise | str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.bilingual())

    def text(self, language: str | None = None) -> str:
        if language is None:
            return str(self.message) % self.params if self.params else str(self.message)
        with translation.override(language):
            return self.text()

    def bilingual(self) -> str:
        return f"{self.text('th')} / {self.text('en')}"


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
