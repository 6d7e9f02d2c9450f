"""Thai charsets as mail clients label them, all decoded with Windows-874 (their superset).

Outlook labels Thai `windows-874`, which Python only knows from 3.14; older Thai systems label
`TIS-620` or `ISO-8859-11` but often send Windows-874 bytes (curly quotes, dashes, the euro sign)
that a strict TIS-620 decoder rejects. Decoding every Thai label as cp874 reads all of them.
"""

from __future__ import annotations

import codecs
import re

THAI_LABELS = frozenset(
    {
        "windows-874",
        "windows_874",
        "x-windows-874",
        "x_windows_874",
        "ms874",
        "tis-620",
        "tis_620",
        "tis620",
        "x-tis620",
        "iso-8859-11",
        "iso_8859_11",
        "iso8859-11",
        "iso8859_11",
        "iso-ir-166",
    }
)
_CP874 = codecs.lookup("cp874")


def _search(name: str) -> codecs.CodecInfo | None:
    normalised = name.strip().lower()
    if normalised in THAI_LABELS or normalised.replace("_", "-") in THAI_LABELS:
        return _CP874
    return None


_registered = False


def register() -> None:
    """Install the lookup once per process (email's decoders ask the codecs registry)."""
    global _registered
    if not _registered:
        codecs.register(_search)
        _registered = True


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes whose label may be missing or wrong: declared, then UTF-8, then Thai."""
    register()
    # Python's own tis-620 and iso8859-11 codecs are found before our lookup and read
    # Windows-874 bytes as C1 controls: every Thai label means cp874 here.
    if declared and declared.strip().lower() in THAI_LABELS:
        declared = "cp874"
    candidates = [c for c in (declared, "utf-8", "cp874") if c]
    for charset in candidates:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp874", errors="replace")


def _c1_to_cp874(text: str) -> str:
    """C1 controls never occur in real text: they are Windows-874 bytes (quotes, dashes) that a
    TIS-620 or ISO-8859-11 decoder passed through."""
    return "".join(
        bytes([ord(ch)]).decode("cp874", errors="replace") if "\x80" <= ch <= "\x9f" else ch
        for ch in text
    )


_SURROGATES = re.compile("[\udc80-\udcff]")
_C1 = re.compile("[\x80-\x9f]")


def needs_repair(text: str) -> bool:
    return bool(_SURROGATES.search(text) or _C1.search(text))


def repair(text: str) -> str:
    """Undo the surrogate escapes the email package leaves for raw 8-bit header bytes."""
    if _SURROGATES.search(text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    if _C1.search(text):
        text = _c1_to_cp874(text)
    return text
