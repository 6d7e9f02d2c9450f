"""Signatures on letters: PAdES signing (pyHanko), typed-name signatures and checking the
signatures of PDFs that arrive. The API other apps call is in ``signing.services`` and
``signing.validation`` (docs/signing.md)."""
