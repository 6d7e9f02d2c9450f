"""The visible signature block, typeset by typst with the project's Thai font.

pyHanko's own text stamps need HarfBuzz for Thai shaping; typst shapes Thai correctly, so the
block is rendered as a one-page PDF and pyHanko imports that page as the field's appearance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import typst
from pyhanko.pdf_utils import layout
from pyhanko.stamp import StaticStampStyle

from registers.pdf.render import FONTS, PdfError
from thaiformat.dates import format_thai_datetime

TEMPLATE = FONTS.parent.parent / "signing" / "signature_block.typ"
# typst's stub ties `input` and `font_paths` to one type variable (docs/NOTES.md).
_compile: Any = typst.compile


@dataclasses.dataclass(frozen=True)
class SignatureAppearance:
    """Where the visible block goes and what it says.

    ``box`` is ``(x1, y1, x2, y2)`` in PDF points from the page's bottom-left corner;
    ``page`` counts from 0 (-1: the last page). Thai name and position as they should print,
    e.g. ``SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="นายกเทศมนตรีตำบลศิลา")``.
    """

    name_th: str
    position_th: str = ""
    page: int = -1
    box: tuple[float, float, float, float] = (330.0, 60.0, 540.0, 150.0)
    font_size: float = 12.0


def block_pdf(
    appearance: SignatureAppearance, *, heading: str, when: dt.datetime, detail: str = ""
) -> bytes:
    """A one-page PDF exactly the size of ``appearance.box`` holding the block."""
    x1, y1, x2, y2 = appearance.box
    inputs = {
        "width": f"{abs(x2 - x1):.2f}",
        "height": f"{abs(y2 - y1):.2f}",
        "size": f"{appearance.font_size:.1f}",
        "heading": heading,
        "name": appearance.name_th,
        "position": appearance.position_th,
        "when": format_thai_datetime(when),
        "detail": detail,
    }
    try:
        pdf = _compile(
            str(TEMPLATE),
            root=str(TEMPLATE.parent),
            font_paths=[str(FONTS)],
            ignore_system_fonts=True,
            sys_inputs=inputs,
        )
    except RuntimeError as exc:
        raise PdfError(str(exc)) from exc
    if not isinstance(pdf, bytes):
        raise PdfError("typst returned no PDF")
    return pdf


def stamp_style(block_file: str) -> StaticStampStyle:
    """pyHanko style drawing the page of ``block_file`` (from ``block_pdf``) edge to edge."""
    return StaticStampStyle.from_pdf_file(
        block_file,
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),
        ),
    )
