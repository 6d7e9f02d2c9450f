"""Lay the receipt stamp (ตรารับหนังสือ, form 12) on the top-right corner of a PDF's first page."""

from __future__ import annotations

import dataclasses
import io
import logging

from pypdf import PageObject, PdfReader, PdfWriter

from registers.pdf.pages import MM, PDF_FAILURES, display_size, display_to_user, open_pdf
from registers.pdf.render import PdfError, render

logger = logging.getLogger(__name__)

STAMP_WIDTH = 50 * MM
STAMP_HEIGHT = 25 * MM


@dataclasses.dataclass(frozen=True)
class ReceiptStamp:
    """The lines of the stamp, already formatted (BE date, Bangkok time, digits)."""

    agency: str
    number: str
    date: str
    time: str


def stamp_overlay(stamp: ReceiptStamp) -> bytes:
    """The stamp alone, as a 50 x 25 mm PDF page."""
    return render("stamp.typ", inputs=dataclasses.asdict(stamp))


def placement(width: float, height: float, right: float, top: float) -> tuple[float, float, float]:
    """Scale and bottom-left corner (display coordinates) of the stamp on a width x height page.

    A page too small for the stamp and its margins gets smaller margins, then a smaller stamp;
    the stamp never leaves the page.
    """
    if STAMP_WIDTH + right > width or STAMP_HEIGHT + top > height:
        right, top = min(right, width * 0.05), min(top, height * 0.05)
    scale = min(1.0, (width - right) / STAMP_WIDTH, (height - top) / STAMP_HEIGHT)
    return scale, width - right - STAMP_WIDTH * scale, height - top - STAMP_HEIGHT * scale


def stamp_first_page(
    data: bytes, stamp: ReceiptStamp, *, right_mm: float = 10, top_mm: float = 10
) -> bytes:
    """A copy of the PDF ``data`` with the stamp on page 1, ``right_mm`` and ``top_mm`` from the
    visible top-right corner (after /Rotate, inside the crop box).

    The copy is an incremental update: the original bytes come first, unchanged, so a digital
    signature on the original still verifies as the earlier revision. Encrypted files, and files
    pypdf cannot append to, are rewritten whole instead.
    """
    reader = open_pdf(data)
    overlay = PdfReader(io.BytesIO(stamp_overlay(stamp))).pages[0]
    right, top = right_mm * MM, top_mm * MM
    if not reader.is_encrypted:
        try:
            writer = PdfWriter(io.BytesIO(data), incremental=True)
            return _stamp(writer, overlay, right, top)
        except (*PDF_FAILURES, NotImplementedError) as exc:
            logger.warning("incremental stamping failed, rewriting the PDF whole: %s", exc)
    try:
        return _stamp(PdfWriter(clone_from=reader), overlay, right, top)
    except PDF_FAILURES as exc:
        raise PdfError(f"could not stamp the PDF: {exc}") from exc


def _stamp(writer: PdfWriter, overlay: PageObject, right: float, top: float) -> bytes:
    page = writer.pages[0]
    width, height = display_size(page)
    scale, x, y = placement(width, height, right, top)
    page.merge_transformed_page(overlay, display_to_user(page, x, y, scale), over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
