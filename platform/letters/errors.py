"""Refusals of the letters services, each with a message in Thai and in English."""

from __future__ import annotations

from thaiformat.bilingual import BilingualError


class LettersError(BilingualError):
    """A refusal of the drafting and issuing services (Thai / English)."""


class InvalidDraft(LettersError):
    """The draft's data breaks a rule (missing fields, a kind that needs an addressee)."""


class DraftStateError(LettersError):
    """The action does not fit the draft's state (editing a submitted draft, approving twice)."""


class DraftNotAllowed(LettersError):
    """The person may not do this to the draft."""
