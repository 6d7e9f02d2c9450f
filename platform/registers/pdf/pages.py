"""Where things are on a PDF page as a reader sees it: after /Rotate, inside the crop box.

An overlay is drawn in "display" coordinates (origin at the visible bottom-left corner, x to
the right, y up, as the page appears on screen) and placed with the matrix from
``display_to_user``, so it lands in the same visible spot whatever the page's rotation and
whatever origin its boxes have.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, Transformation
from pypdf.errors import PyPdfError

from registers.pdf.render import PdfError

MM = 72 / 25.4
# What pypdf raises on damaged or unusual files, besides its own errors.
PDF_FAILURES = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError)


def open_pdf(data: bytes) -> PdfReader:
    """A reader of ``data``; an owner-password-only PDF opens, a user-password one does not."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("the PDF needs a password")
        if len(reader.pages) == 0:
            raise PdfError("the PDF has no pages")
    except PDF_FAILURES as exc:
        raise PdfError(f"unreadable PDF: {exc}") from exc
    return reader


def page_rotation(page: PageObject) -> int:
    return int(page.get("/Rotate", 0) or 0) % 360


def display_size(page: PageObject) -> tuple[float, float]:
    """Width and height of the visible area as displayed (swapped on quarter turns)."""
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    if page_rotation(page) in (90, 270):
        return height, width
    return width, height


def display_to_user(
    page: PageObject, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0
) -> Transformation:
    """The matrix that takes an overlay's coordinates, scaled by ``scale`` and moved to (dx, dy)
    in display coordinates, to the page's own space.

    /Rotate turns the page clockwise for display; this is the inverse turn plus the crop box's
    origin (pages cut from larger sheets often have a non-zero one).
    """
    box = page.cropbox
    x0, y0 = float(box.left), float(box.bottom)
    width, height = float(box.width), float(box.height)
    a, b, c, d, e, f = {
        0: (1, 0, 0, 1, 0.0, 0.0),
        90: (0, 1, -1, 0, width, 0.0),
        180: (-1, 0, 0, -1, width, height),
        270: (0, -1, 1, 0, 0.0, height),
    }.get(page_rotation(page), (1, 0, 0, 1, 0.0, 0.0))  # a bad /Rotate: shown unturned
    x, y = a * dx + c * dy + e + x0, b * dx + d * dy + f + y0
    return Transformation((a * scale, b * scale, c * scale, d * scale, x, y))
