"""The text of a PDF for search, by poppler's pdftotext (reads Thai well), bounded in time and pages."""

from __future__ import annotations

import logging
import subprocess
import tempfile
import unicodedata

logger = logging.getLogger(__name__)

MAX_PAGES = 60
TIMEOUT_SECONDS = 30
MAX_CHARS = 500_000


def pdf_text(data: bytes, *, max_pages: int = MAX_PAGES, timeout: float = TIMEOUT_SECONDS) -> str:
    """The text of the first ``max_pages`` pages; "" for a scan without text, a damaged file, a
    password, a missing pdftotext or a run longer than ``timeout`` seconds."""
    if not data.startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        return ""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(data)
        source.flush()
        try:
            result = subprocess.run(
                ["pdftotext", "-q", "-enc", "UTF-8", "-l", str(max_pages), source.name, "-"],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("pdftotext gave up: %s", exc)
            return ""
    if result.returncode != 0:
        logger.info("pdftotext exit %s: no text taken", result.returncode)
        return ""
    text = result.stdout.decode("utf-8", errors="replace")
    # PostgreSQL text cannot hold NUL; page breaks are just line breaks for search.
    text = text.replace("\x00", "").replace("\f", "\n")
    return unicodedata.normalize("NFC", text).strip()[:MAX_CHARS]
