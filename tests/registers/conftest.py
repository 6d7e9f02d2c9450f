"""Fixtures of the registers tests: inside alpha's schema, with a clerk and an executive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.conftest import make_staff


@pytest.fixture
def in_alpha(alpha: Any) -> Iterator[Any]:
    """Run the test body in alpha's schema (rolled back with the test)."""
    with alpha:
        yield alpha


@pytest.fixture
def clerk(in_alpha: Any) -> Any:
    return make_staff(in_alpha, "central", role_codes=("central_clerk",), first_name="สมใจ")


@pytest.fixture
def executive(in_alpha: Any) -> Any:
    return make_staff(
        in_alpha, "mayor", role_codes=("executive",), first_name="นายก", position="นายกเทศมนตรี"
    )


def letter_input(**overrides: Any) -> Any:
    from registers.inputs import LetterInput

    values: dict[str, Any] = {
        "channel": "hand",
        "reference": "ขก 0023.3/ว 1234",
        "letter_date": date(2026, 11, 20),
        "sender": "ที่ทำการปกครองจังหวัดขอนแก่น",
        "recipient": "นายกเทศมนตรีตำบลอัลฟา",
        "subject": "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น",
    }
    values.update(overrides)
    return LetterInput(**values)


def pdf_bytes(text: str = "Saraban test") -> bytes:
    """A small valid one-page PDF made with pypdf (no fonts needed)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
