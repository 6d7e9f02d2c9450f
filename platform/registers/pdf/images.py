"""Scanned images as one-page PDFs (typst reads PNG, JPEG, GIF and WebP; not TIFF)."""

from __future__ import annotations

from registers.pdf.render import PdfError, render

# Image types this module turns into a PDF, with the file suffix typst recognises them by.
IMAGE_SUFFIXES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def image_to_pdf(data: bytes, content_type: str) -> bytes:
    """One A4-wide page holding the image (297 mm wide when the scan is landscape)."""
    suffix = IMAGE_SUFFIXES.get(content_type)
    if suffix is None:
        raise PdfError(f"cannot make a PDF of {content_type}")
    name = f"scan{suffix}"
    return render("image_page.typ", inputs={"image": name}, files={name: data})
