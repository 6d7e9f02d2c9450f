"""The QR code printed on an issued letter, as SVG for typst (vector: sharp at any scale)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def qr_svg(url: str) -> str:
    # Level M survives a smudged print; the URL is short, so the code stays small.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=1,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image()
    return str(image.to_string(encoding="unicode"))
