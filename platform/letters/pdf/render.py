"""Letters to PDF (and PNG for the live preview) with typst and the shipped Thai font.

One typst ``Compiler`` is kept per process: it loads the fonts and the template once, so a letter
compiles in tens of milliseconds. It is not thread-safe, hence the lock.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import Any

import typst

from letters.pdf.content import LetterContent, template_data
from registers.pdf.render import FONTS, PdfError

ASSETS = Path(__file__).resolve().parent / "assets"
TEMPLATE = ASSETS / "letter.typ"
# PDF/A-2u: archival, and every glyph maps to Unicode, so the text copies and searches.
PDF_STANDARD = "a-2u"
PREVIEW_PPI = 80
A4_HEIGHT_PT = 841.89
# The template's signature gap: the signature column (60% of the 453.5 pt between the 3 cm and
# 2 cm margins) by 5 em of 16 pt text (the signing block has five short lines).
SIGNATURE_WIDTH_PT = 0.6 * (595.28 - 85.04 - 56.69)
SIGNATURE_HEIGHT_PT = 5 * 16

_lock = threading.Lock()
_compiler: Any = None


def _compiler_get() -> Any:
    global _compiler
    if _compiler is None:
        # typst's stub ties input and font_paths to one type variable: call it untyped.
        make: Any = typst.Compiler
        _compiler = make(
            str(TEMPLATE), root=str(ASSETS), font_paths=[str(FONTS)], ignore_system_fonts=True
        )
    return _compiler


def _compile(content: LetterContent, **options: Any) -> Any:
    inputs = {"data": json.dumps(template_data(content), ensure_ascii=False)}
    with _lock:
        try:
            return _compiler_get().compile(sys_inputs=inputs, **options)
        except RuntimeError as exc:  # typst reports compile errors as RuntimeError
            raise PdfError(str(exc)) from exc


@dataclasses.dataclass(frozen=True)
class SignatureSpot:
    """Where the signature block goes: the gap above the signer's name, in PDF points from the
    page's bottom-left corner (pyHanko's convention); ``page`` counts from 0."""

    page: int
    box: tuple[float, float, float, float]


def letter_pdf(content: LetterContent) -> bytes:
    return letter_pdf_and_spot(content)[0]


def letter_pdf_and_spot(content: LetterContent) -> tuple[bytes, SignatureSpot | None]:
    """The PDF, and where its signature goes (None for a kind without one)."""
    inputs = {"data": json.dumps(template_data(content), ensure_ascii=False)}
    with _lock:
        try:
            compiler = _compiler_get()
            pdf = compiler.compile(sys_inputs=inputs, format="pdf", pdf_standards=PDF_STANDARD)
            spots = json.loads(compiler.query("<signature-spot>", field="value"))
        except RuntimeError as exc:  # typst reports compile errors as RuntimeError
            raise PdfError(str(exc)) from exc
    if not isinstance(pdf, bytes):
        raise PdfError("typst returned no PDF")
    return pdf, _spot(spots[0]) if spots else None


def _points(length: str) -> float:
    if not length.endswith("pt"):
        raise PdfError(f"unexpected length from typst: {length}")
    return float(length[:-2])


def _spot(position: dict[str, Any]) -> SignatureSpot:
    # typst measures from the page's top-left corner; the spot is the gap's top-left corner.
    left, top = _points(position["x"]), A4_HEIGHT_PT - _points(position["y"])
    return SignatureSpot(
        page=int(position["page"]) - 1,
        box=(left, top - SIGNATURE_HEIGHT_PT, left + SIGNATURE_WIDTH_PT, top),
    )


def letter_pngs(content: LetterContent, *, ppi: float = PREVIEW_PPI) -> list[bytes]:
    """One PNG per page (typst returns a list for several pages, bytes for one)."""
    pages = _compile(content, format="png", ppi=ppi)
    if isinstance(pages, bytes):
        return [pages]
    if isinstance(pages, list):
        return [bytes(page) for page in pages]
    raise PdfError("typst returned no image")
