"""Render a typst template of this package with the shipped Thai fonts only."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import typst

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "fonts"


class PdfError(Exception):
    """A PDF could not be read, changed or made (damaged, encrypted, unsupported image)."""


def render(
    template: str, *, inputs: Mapping[str, str], files: Mapping[str, bytes] | None = None
) -> bytes:
    """Compile ``templates/<template>`` with ``sys.inputs``; ``files`` are readable beside it.

    System fonts are ignored so a PDF looks the same on every server.
    """
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="saraban-typst-") as folder:
        root = Path(folder)
        main = root / "main.typ"
        main.write_text(source, encoding="utf-8")
        for name, data in (files or {}).items():
            (root / name).write_bytes(data)
        try:
            pdf = typst.compile(
                str(main),
                root=str(root),
                font_paths=[str(FONTS)],
                ignore_system_fonts=True,
                sys_inputs=dict(inputs),
            )
        except RuntimeError as exc:  # typst reports compile errors as RuntimeError
            raise PdfError(str(exc)) from exc
    if not isinstance(pdf, bytes):
        raise PdfError("typst returned no PDF")
    return pdf
