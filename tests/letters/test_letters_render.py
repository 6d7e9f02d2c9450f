"""Every template as an image and as text: layout regions, Thai text, digits, PDF/A.

Rendered with the real typst and the shipped font; pages rasterised with poppler's pdftoppm.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.letters.helpers_letters import (
    BODY,
    CM,
    SUBJECT,
    dark,
    inked,
    pdf_text,
    rasters,
    red,
)

pytestmark = pytest.mark.letters

KINDS = ("external", "memo", "stamped", "order", "announcement")
A4_WIDTH_CM = 21.0


def content(**overrides: Any) -> Any:
    from letters.pdf.content import LetterContent

    values: dict[str, Any] = {
        "kind": "external",
        "agency": "เทศบาลตำบลอัลฟา",
        "subject": SUBJECT,
        "body": BODY,
        "addressee": "นายอำเภอเมืองขอนแก่น",
        "department": "ถนนมิตรภาพ อำเภอเมือง จังหวัดขอนแก่น 40000",
        "signer_name": "นายสมชาย ใจดี",
        "signer_position": "นายกเทศมนตรีตำบลอัลฟา",
        "contact": "สำนักปลัด\nโทร. 0 4321 1234",
        "number": "ขก 52301/123",
        "letter_date": date(2026, 11, 22),
    }
    values.update(overrides)
    return LetterContent(**values)


def render(**overrides: Any) -> bytes:
    from letters.pdf.render import letter_pdf

    return letter_pdf(content(**overrides))


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_with_text_inside_the_margins(kind: str, tmp_path: Path) -> None:
    (page,) = rasters(render(kind=kind), tmp_path)
    ink = page.box(dark, 0, 0, A4_WIDTH_CM, 29.7)
    assert ink is not None, "blank page"
    left, top, right, bottom = ink
    # 3 cm left and 2 cm right margins (a pixel of anti-aliasing either side).
    assert left >= int(3.0 * CM) - 2, (kind, left / CM)
    assert right <= int((A4_WIDTH_CM - 2.0) * CM) + 2, (kind, right / CM)
    # Text reaches across the line: the body is justified to the right margin.
    assert right >= int((A4_WIDTH_CM - 2.6) * CM), (kind, right / CM)
    assert bottom > top + 8 * CM


@pytest.mark.parametrize("kind", ["external", "stamped", "order", "announcement"])
def test_garuda_is_3_cm_high_top_centre(kind: str, tmp_path: Path) -> None:
    (page,) = rasters(render(kind=kind), tmp_path)
    # The emblem is the only ink in the centre strip between the top margin and 4.5 cm.
    garuda = page.box(inked, 8.0, 1.0, 14.0, 4.55)
    assert garuda is not None
    left, top, right, bottom = garuda
    assert (bottom - top) / CM == pytest.approx(3.0, abs=0.15)
    centre = (left + right) / 2 / CM
    text_centre = 3.0 + (A4_WIDTH_CM - 3.0 - 2.0) / 2
    assert centre == pytest.approx(text_centre, abs=0.2)


def test_memo_has_a_1_5_cm_garuda_top_left_and_its_heading(tmp_path: Path) -> None:
    pdf = render(kind="memo", department="สำนักปลัด งานธุรการ")
    (page,) = rasters(pdf, tmp_path)
    garuda = page.box(inked, 2.8, 1.0, 4.6, 3.1)
    assert garuda is not None
    left, top, _right, bottom = garuda
    assert (bottom - top) / CM == pytest.approx(1.5, abs=0.12)
    assert left / CM == pytest.approx(3.0, abs=0.1)
    text = pdf_text(pdf, tmp_path)
    for words in ("บันทึกข้อความ", "ส่วนราชการ", "สำนักปลัด งานธุรการ", "เรียน"):
        assert words in text


def test_urgency_is_red_top_left_and_secrecy_red_top_and_bottom(tmp_path: Path) -> None:
    pdf = render(urgency="most_urgent", secrecy="confidential")
    (page,) = rasters(pdf, tmp_path)
    urgency = page.box(red, 2.8, 0.5, 8.0, 4.0)
    assert urgency is not None
    # 32 pt: the word's ink is well over 0.7 cm tall.
    assert (urgency[3] - urgency[1]) / CM > 0.7
    assert page.box(red, 8.0, 0, 14.0, 1.5) is not None, "no secrecy stamp at the top"
    assert page.box(red, 8.0, 27.5, 14.0, 29.7) is not None, "no secrecy stamp at the bottom"
    text = pdf_text(pdf, tmp_path)
    assert "ด่วนที่สุด" in text
    assert text.count("ลับ") >= 2
    # Without them, nothing is red.
    (tmp_path / "plain").mkdir()
    (plain,) = rasters(render(), tmp_path / "plain")
    assert plain.box(red, 0, 0, A4_WIDTH_CM, 29.7) is None


def test_thai_text_extracts_and_searches(tmp_path: Path) -> None:
    pdf = render()
    text = pdf_text(pdf, tmp_path)
    assert SUBJECT in text
    assert "ขก 52301/123" in text
    assert "22 พฤศจิกายน 2569" in text  # full Buddhist-Era date
    assert "ขอแสดงความนับถือ" in text
    # Words are boxed, not glued with invisible joiners: nothing hidden in what a reader copies.
    assert "\u2060" not in text and "\u200b" not in text


def test_thai_digits_option(tmp_path: Path) -> None:
    text = pdf_text(render(thai_digits=True), tmp_path)
    assert "๒๒ พฤศจิกายน ๒๕๖๙" in text
    assert "ขก ๕๒๓๐๑/๑๒๓" in text
    assert "2569" not in text


def test_order_and_announcement_titles_and_dates(tmp_path: Path) -> None:
    order = pdf_text(render(kind="order", number="45/2569"), tmp_path)
    assert "คำสั่งเทศบาลตำบลอัลฟา" in order
    assert "ที่ 45/2569" in order
    assert "สั่ง ณ วันที่ 22 พฤศจิกายน พ.ศ. 2569" in order
    announcement = pdf_text(render(kind="announcement", number="3/2569"), tmp_path)
    assert "ประกาศเทศบาลตำบลอัลฟา" in announcement
    assert "ประกาศ ณ วันที่ 22 พฤศจิกายน พ.ศ. 2569" in announcement


def test_long_letter_breaks_lines_between_words_onto_a_second_page(tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader

    long_body = "\n".join([BODY.replace("\n", " ")] * 9)
    pdf = render(body=long_body)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    text = pdf_text(pdf, tmp_path)
    assert "หน้า 2" in text
    # Each line ends on a whole dictionary word: no line ends inside "ประสิทธิภาพ".
    assert "ประสิทธิ\n" not in text and "ประสิ\n" not in text


def test_pdf_a_2u_metadata() -> None:
    pdf = render()
    assert b"pdfaid:part" in pdf or b"<pdfaid:part>2" in pdf
    assert b"pdfaid:conformance" in pdf


def test_images_of_every_kind_are_saved_for_review(tmp_path: Path) -> None:
    """The PNGs under var/screenshots/letters-templates/ are what reviewers look at."""
    import subprocess

    from tests.registers.helpers_browser import SCREENSHOTS

    folder = SCREENSHOTS / "letters-templates"
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        source = tmp_path / f"{kind}.pdf"
        source.write_bytes(render(kind=kind, urgency="urgent", secrecy="confidential"))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(source), str(folder / kind)],
            check=True,
        )
        assert (folder / f"{kind}.png").stat().st_size > 5000
