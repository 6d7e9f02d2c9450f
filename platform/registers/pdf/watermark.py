"""Watermark every page of a PDF for one download of a classified (ลับ / ลับมาก) letter."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter

from registers.pdf.pages import PDF_FAILURES, display_size, display_to_user, open_pdf
from registers.pdf.render import PdfError, render


def watermark_overlay(width: float, height: float, *, name: str, detail: str) -> PageObject:
    """A transparent page of the displayed size with the diagonal watermark."""
    pdf = render(
        "watermark.typ",
        inputs={"width": f"{width:.3f}", "height": f"{height:.3f}", "name": name, "detail": detail},
    )
    return PdfReader(io.BytesIO(pdf)).pages[0]


def watermark_pdf(data: bytes, *, name: str, detail: str) -> bytes:
    """A full rewrite of ``data`` (never an incremental update, which could be peeled off) with
    ``name`` across every page and ``detail`` (secrecy, date and time) under it."""
    writer = PdfWriter(clone_from=open_pdf(data))
    overlays: dict[tuple[float, float], PageObject] = {}  # one render per page size
    try:
        for page in writer.pages:
            width, height = display_size(page)
            key = (round(width, 1), round(height, 1))
            if key not in overlays:
                overlays[key] = watermark_overlay(width, height, name=name, detail=detail)
            page.merge_transformed_page(overlays[key], display_to_user(page), over=True)
        out = io.BytesIO()
        writer.write(out)
    except PDF_FAILURES as exc:
        raise PdfError(f"could not watermark the PDF: {exc}") from exc
    return out.getvalue()
