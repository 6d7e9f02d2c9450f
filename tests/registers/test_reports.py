"""Printed registers and lists: columns in the form's order, every line, Thai digits, PDF and XLSX.

PDFs are read back with ``pdftotext`` (``-raw`` for content order, ``-layout`` for the page);
set SARABAN_REPORT_DUMP=<dir> to keep every PDF rendered here (to look at them with pdftoppm).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import OrgUnit
from registers.choices import (
    CommitteeRole,
    DestructionDecision,
    RegisterKind,
    Secrecy,
    Urgency,
)
from registers.models import (
    Assignment,
    DestructionCommitteeMember,
    DestructionItem,
    DestructionList,
    HandoverItem,
    HandoverList,
    RegisterEntry,
    RegistrySettings,
    StorageRecord,
)
from registers.reports import REPORT_KINDS, InvalidReport, report_render
from registers.reports.thaibreak import ZERO_WIDTH_SPACE, thai_words
from registers.services import letters as svc
from tests.registers.conftest import letter_input

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

NOV_21 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 09:00 Bangkok, 21 Nov 2569
NOV_22 = datetime(2026, 11, 22, 3, 30, tzinfo=UTC)
NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
LONG_SUBJECT = (
    "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่นเพื่อพิจารณาร่างแผนพัฒนาท้องถิ่นสี่ปีและการจัดทำ"
    "ข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. 2570 ของเทศบาลตำบลอัลฟา"
)
RECEIVE_HEADINGS = [
    "เลขทะเบียนรับ",
    "ที่",
    "ลงวันที่",
    "จาก",
    "ถึง",
    "เรื่อง",
    "การปฏิบัติ",
    "หมายเหตุ",
]
SEND_HEADINGS = ["เลขทะเบียนส่ง", *RECEIVE_HEADINGS[1:]]


class PdfText:
    """A PDF's text in content order (``pdftotext -raw``: typst writes a table cell by cell, a
    cell's lines together), compared with all white space removed, since cells wrap anywhere.
    """

    def __init__(self, content: bytes) -> None:
        self.text = pdftotext(content, "-raw")
        self.squashed = squash(self.text)

    def __contains__(self, needle: str) -> bool:
        return squash(needle) in self.squashed

    def count(self, needle: str) -> int:
        return self.squashed.count(squash(needle))

    def index(self, needle: str) -> int:
        return self.squashed.index(squash(needle))


def squash_invisible(text: str) -> str:
    return re.sub("[\u2060\u200b]", "", text)


def squash(text: str) -> str:
    """Without white space, nor the invisible word joiners and zero-width spaces of the PDF."""
    return re.sub(r"[\s\u2060\u200b]+", "", text)


def pdf_text(content: bytes, name: str = "report") -> PdfText:
    assert content.startswith(b"%PDF")
    dump = os.environ.get("SARABAN_REPORT_DUMP")
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"{name}.pdf").write_bytes(content)
    return PdfText(content)


def pdftotext(content: bytes, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", *options, "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def assert_headings(content: bytes, headings: list[str]) -> None:
    """The table's column headings on page 1 read in exactly the form's order.

    Narrow columns wrap their heading (เลข / ทะเบียน / รับ), so two views are checked: in content
    order (``-raw``) typst writes the header cells left to right, one after the other; on the
    page (``-layout``) the headings that fit on the header's main line stand in that order.
    """
    raw = squash(pdftotext(content, "-raw", "-f", "1", "-l", "1"))
    assert "".join(headings) in raw, raw[:400]
    lines = pdftotext(content, "-layout", "-f", "1", "-l", "1").splitlines()
    main = max(lines, key=lambda line: sum(word in headings for word in line.split()))
    seen = [word for word in main.split() if word in headings]
    assert seen == [h for h in headings if h in seen], main
    assert len(seen) >= len(headings) // 2, main


def sheet_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def header_index(rows: list[list[Any]], first: str) -> int:
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def receive(clerk: Any, at: datetime = NOV_21, **fields: Any) -> RegisterEntry:
    letter = svc.intake_create(data=letter_input(**fields), actor=clerk)
    return svc.letter_register_incoming(letter=letter, actor=clerk, at=at)


def send(clerk: Any, register: str, at: datetime = NOV_21, **fields: Any) -> RegisterEntry:
    data = letter_input(channel="email", reference="", sender="นายกเทศมนตรีตำบลอัลฟา", **fields)
    draft = svc.letter_create_outgoing(data=data, actor=clerk)
    return svc.letter_register_outgoing(letter=draft, register=register, actor=clerk, at=at)


def store(letter: Any, clerk: Any, item: int, keep_until: int | None, **extra: Any) -> Any:
    return StorageRecord.objects.create(
        letter=letter,
        period=2569,
        item_number=item,
        keep_until_year=keep_until,
        stored_by=clerk,
        stored_at=extra.pop("stored_at", datetime(2026, 11, 25, 3, 0, tzinfo=UTC)),
        **extra,
    )


@pytest.fixture
def receive_book(clerk: Any, executive: Any) -> dict[str, Any]:
    """A receive register of November 2569: plain, forwarded, stored, secret and cancelled."""
    finance = OrgUnit.objects.get(code="finance")  # seeded by onboarding
    plain = receive(
        clerk,
        reference="ขก 0023.3/ว 1234",
        sender="ที่ทำการปกครองจังหวัดขอนแก่น",
        recipient="นายกเทศมนตรีตำบลอัลฟา",
        subject=LONG_SUBJECT,
        urgency=Urgency.MOST_URGENT,
    )
    assert plain.letter is not None
    Assignment.objects.create(
        letter=plain.letter,
        to_unit=finance,
        assigned_by=executive,
        assigned_at=datetime(2026, 11, 21, 4, 0, tzinfo=UTC),
    )
    Assignment.objects.create(
        letter=plain.letter,
        to_user=executive,
        assigned_by=clerk,
        assigned_at=datetime(2026, 11, 23, 4, 0, tzinfo=UTC),
    )
    store(plain.letter, clerk, 7, 2579, file_code="01.02")
    injected = receive(
        clerk,
        reference="สป 0001/#set",
        subject='เรื่องทดสอบ #set page(width: 1cm) ] [ #panic("x") $x$',
        letter_date=date(2026, 11, 19),
    )
    secret = receive(
        clerk,
        subject="ความลับเรื่องงบลับ",
        secrecy=Secrecy.SECRET,
        sender="อำเภอเมืองขอนแก่น",  # the LSTM of typst would print ขอน | แก่น
    )
    confidential = receive(clerk, subject="ความลับเรื่องบุคคล", secrecy=Secrecy.CONFIDENTIAL)
    top_secret = receive(clerk, subject="", secrecy=Secrecy.TOP_SECRET, reference="กห 0201/9")
    cancelled = receive(clerk, at=NOV_22, subject="ลงรับซ้ำโดยผิดพลาด")
    svc.entry_cancel(entry=cancelled, actor=clerk, reason="ลงรับซ้ำ")
    outside = receive(clerk, at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC), subject="เดือนธันวาคม")
    return {
        "plain": plain,
        "injected": injected,
        "secret": secret,
        "confidential": confidential,
        "top_secret": top_secret,
        "cancelled": cancelled,
        "outside": outside,
    }


def test_receive_register_pdf_has_form_13_columns_in_order_and_every_line(
    receive_book: dict[str, Any],
) -> None:
    rendered = report_render("receive", "pdf", **NOV, thai_digits=False)
    assert rendered.content_type == "application/pdf"
    assert rendered.filename == "receive_25691101-25691130.pdf"
    text = pdf_text(rendered.content, "receive")
    assert_headings(rendered.content, RECEIVE_HEADINGS)
    words = text
    assert "ทะเบียนหนังสือรับ" in words
    assert "เทศบาลตำบลอัลฟา" in words
    assert "ตั้งแต่วันที่ 1 พฤศจิกายน 2569 ถึงวันที่ 30 พฤศจิกายน 2569" in words
    # Date of registration as the section heading; letter dates in the short BE style.
    assert "วันที่ 21 พฤศจิกายน 2569" in words
    assert "วันที่ 22 พฤศจิกายน 2569" in words
    assert "20 พ.ย. 2569" in words
    assert "ขก 0023.3/ว 1234" in words
    assert "ที่ทำการปกครองจังหวัดขอนแก่น" in words
    # การปฏิบัติ: forwarded to whom and when, then storage; urgency in the remarks.
    assert "ส่ง กองคลัง 21 พ.ย. 2569" in words
    assert "ส่ง นายก 23 พ.ย. 2569" in words
    assert "เก็บ 25 พ.ย. 2569 ลำดับที่ 7/2569 แฟ้ม 01.02" in words
    assert "ด่วนที่สุด" in words
    # User text is printed as written, never run as typst markup.
    assert "สป 0001/#set" in words
    assert '#set page(width: 1cm) ] [ #panic("x") $x$' in words
    # Secret subjects are replaced by their class.
    assert "หนังสือลับมาก" in words
    assert "หนังสือลับ" in words
    assert "ความลับเรื่อง" not in words
    assert "กห 0201/9" in words and "ลับที่สุด" in words
    # The cancelled number keeps its line, with reason, who and when.
    assert "ยกเลิก: ลงรับซ้ำ โดย สมใจ เมื่อ 22 พ.ย. 2569" in words
    assert "เดือนธันวาคม" not in words
    assert "แผ่นที่ 1 จาก" in words
    assert "แบบที่ 13" in words
    # Lines break between dictionary words: the province's name is never cut in two.
    layout = squash_invisible(pdftotext(rendered.content, "-layout")).splitlines()
    assert [line for line in layout if "ขอน" in line]
    assert all("ขอนแก่น" in line for line in layout if "ขอน" in line)
    # Copied text carries no joiners between letters (only zero width spaces between words), and
    # the file says it is Thai: the table's line-breaking language (zh) is not written into it.
    assert "\u2060" not in text.text
    catalog = PdfReader(io.BytesIO(rendered.content)).trailer["/Root"]
    assert catalog["/Lang"] == "th"
    assert "/StructTreeRoot" not in catalog


def test_receive_register_lists_numbers_in_order(receive_book: dict[str, Any]) -> None:
    rows = sheet_rows(report_render("receive", "xlsx", **NOV, thai_digits=False).content)
    numbers = [row[0] for row in rows if isinstance(row[0], int)]
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert receive_book["outside"].number == 7


def test_receive_register_in_thai_digits(receive_book: dict[str, Any]) -> None:
    text = pdf_text(report_render("receive", "pdf", **NOV, thai_digits=True).content, "receive_th")
    assert "วันที่ ๒๑ พฤศจิกายน ๒๕๖๙" in text
    assert "ส่ง กองคลัง ๒๑ พ.ย. ๒๕๖๙" in text
    assert "ขก ๐๐๒๓.๓/ว ๑๒๓๔" in text
    assert re.search("แผ่นที่๑จาก[๑-๙]", text.squashed)
    assert not re.search(r"[0-9]", text.text), re.findall(r".{10}[0-9].{10}", text.text)


def test_thai_digits_default_comes_from_the_registry_settings(
    receive_book: dict[str, Any],
) -> None:
    RegistrySettings.objects.update_or_create(pk=1, defaults={"thai_digits": True})
    rows = sheet_rows(report_render("receive", "xlsx", **NOV).content)
    assert "๒๑ พ.ย. ๒๕๖๙" not in [row[2] for row in rows]  # ลงวันที่ is the letter's date
    assert "๒๐ พ.ย. ๒๕๖๙" in [row[2] for row in rows]
    assert "๑" in [row[0] for row in rows]
    rows = sheet_rows(report_render("receive", "xlsx", **NOV, thai_digits=False).content)
    assert 1 in [row[0] for row in rows]


def test_receive_register_xlsx_has_the_same_columns_and_cells(
    receive_book: dict[str, Any],
) -> None:
    rendered = report_render("receive", "xlsx", **NOV, thai_digits=False)
    assert rendered.filename == "receive_25691101-25691130.xlsx"
    book = load_workbook(io.BytesIO(rendered.content))
    sheet = book.active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "ทะเบียนหนังสือรับ"
    assert rows[1][0] == "เทศบาลตำบลอัลฟา"
    head = header_index(rows, "เลขทะเบียนรับ")
    assert rows[head] == RECEIVE_HEADINGS
    assert sheet.freeze_panes == f"A{head + 2}"
    assert rows[head + 1][0] == "วันที่ 21 พฤศจิกายน 2569"
    first = rows[head + 2]
    assert first[:6] == [
        1,
        "ขก 0023.3/ว 1234",
        "20 พ.ย. 2569",  # BE date as text
        "ที่ทำการปกครองจังหวัดขอนแก่น",
        "นายกเทศมนตรีตำบลอัลฟา",
        LONG_SUBJECT,
    ]
    assert first[6] == (
        "ส่ง กองคลัง 21 พ.ย. 2569\nส่ง นายก 23 พ.ย. 2569\nเก็บ 25 พ.ย. 2569 ลำดับที่ 7/2569 แฟ้ม 01.02"
    )
    assert first[7] == "ด่วนที่สุด"
    by_number = {row[0]: row for row in rows[head + 1 :] if isinstance(row[0], int)}
    assert by_number[3][5] == "หนังสือลับมาก"
    assert by_number[4][5] == "หนังสือลับ"
    assert by_number[5][5] == "ลับที่สุด"
    assert by_number[6][7].startswith("ยกเลิก: ลงรับซ้ำ โดย สมใจ เมื่อ 22 พ.ย. 2569")
    assert by_number[6][5] == "ลงรับซ้ำโดยผิดพลาด"
    assert not any("ความลับเรื่อง" in str(cell) for row in rows for cell in row)
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["A"].width


def test_range_follows_bangkok_days(clerk: Any) -> None:
    last_minute = receive(clerk, at=datetime(2026, 12, 31, 16, 30, tzinfo=UTC), subject="ก่อน")
    next_year = receive(clerk, at=datetime(2026, 12, 31, 17, 30, tzinfo=UTC), subject="หลัง")
    rows = sheet_rows(
        report_render(
            "receive", "xlsx", start=date(2026, 12, 31), end=date(2026, 12, 31), thai_digits=False
        ).content
    )
    subjects = [row[5] for row in rows]
    assert "ก่อน" in subjects and "หลัง" not in subjects
    rows = sheet_rows(
        report_render(
            "receive", "xlsx", start=date(2027, 1, 1), end=None, thai_digits=False
        ).content
    )
    assert "หลัง" in [row[5] for row in rows]
    assert (last_minute.period, next_year.period) == (2569, 2570)


def test_send_register_with_reserved_and_cancelled_numbers(clerk: Any) -> None:
    sent = send(clerk, RegisterKind.SEND, subject="ขอความอนุเคราะห์ข้อมูล", recipient="นายอำเภอ")
    svc.numbers_reserve(
        register=RegisterKind.SEND, count=2, purpose="หนังสือเชิญประชุมสภา", actor=clerk, at=NOV_21
    )
    wrong = send(clerk, RegisterKind.SEND, at=NOV_22, subject="ส่งผิดหน่วยงาน")
    svc.entry_cancel(entry=wrong, actor=clerk, reason="ผิดหน่วยงาน")
    content = report_render("send", "pdf", **NOV, thai_digits=False).content
    text = pdf_text(content, "send")
    assert_headings(content, SEND_HEADINGS)
    words = text
    assert f"ขก 72101/{sent.number}" in words
    assert "ขอความอนุเคราะห์ข้อมูล" in words and "นายอำเภอ" in words
    assert words.count("จองเลข: หนังสือเชิญประชุมสภา") == 2
    assert "ขก 72101/4" in words  # a cancelled number keeps its ที่
    assert "ยกเลิก: ผิดหน่วยงาน โดย สมใจ" in words
    rows = sheet_rows(report_render("send", "xlsx", **NOV, thai_digits=False).content)
    numbers = [row[0] for row in rows if isinstance(row[0], int)]
    assert numbers == [1, 2, 3, 4]
    head = header_index(rows, "เลขทะเบียนส่ง")
    assert rows[head] == SEND_HEADINGS


def test_circular_order_and_announcement_numbers(clerk: Any) -> None:
    send(clerk, RegisterKind.CIRCULAR, subject="แจ้งเวียนแนวทางปฏิบัติ")
    send(
        clerk,
        RegisterKind.ORDER,
        kind="directive",
        sub_kind="order",
        subject="แต่งตั้งคณะกรรมการตรวจรับพัสดุ",
    )
    send(
        clerk,
        RegisterKind.ANNOUNCEMENT,
        kind="public_relations",
        sub_kind="announcement",
        subject="ประกาศรับสมัครพนักงานจ้าง",
    )
    circular = pdf_text(
        report_render("circular", "pdf", **NOV, thai_digits=False).content, "circular"
    )
    assert "ทะเบียนหนังสือเวียน" in circular
    assert "ว 1 ขก 72101/ว 1" in circular
    order = report_render("order", "xlsx", **NOV, thai_digits=False).content
    rows = sheet_rows(order)
    head = header_index(rows, "เลขทะเบียนส่ง")
    assert rows[head + 2][:2] == ["1/2569", "1/2569"]
    assert rows[head + 2][5] == "แต่งตั้งคณะกรรมการตรวจรับพัสดุ"
    announce = pdf_text(
        report_render("announcement", "pdf", **NOV, thai_digits=True).content, "announcement"
    )
    assert "ทะเบียนประกาศ" in announce and "๑/๒๕๖๙" in announce


def test_storage_list_and_register(clerk: Any, receive_book: dict[str, Any]) -> None:
    outgoing = send(clerk, RegisterKind.SEND, subject="รายงานผลการดำเนินงาน")
    store(outgoing.letter, clerk, 8, None, file_code="09.01", remarks="เอกสารสำคัญ")
    store(receive_book["secret"].letter, clerk, 9, 2574)
    content = report_render("storage_list", "pdf", **NOV, thai_digits=False).content
    form_19 = pdf_text(content, "19")
    assert_headings(
        content,
        [
            "ลำดับที่",
            "ที่",
            "ลงวันที่",
            "เรื่อง",
            "อายุการเก็บหนังสือ",
            "หมายเหตุ",
        ],
    )
    words = form_19
    assert "บัญชีหนังสือส่งเก็บ" in words and "วันที่ 25 พฤศจิกายน 2569" in words
    assert "เก็บถึง พ.ศ. 2579" in words and "ห้ามทำลาย" in words
    assert "ขก 72101/1" in words and "รายงานผลการดำเนินงาน" in words
    assert "หนังสือลับมาก" in words and "ความลับเรื่อง" not in words

    rendered = report_render("storage_register", "xlsx", **NOV, thai_digits=False)
    rows = sheet_rows(rendered.content)
    head = header_index(rows, "วันเก็บ")
    assert rows[head] == [
        "วันเก็บ",
        "ลำดับที่",
        "เลขทะเบียนรับ",
        "ที่",
        "เรื่อง",
        "รหัสแฟ้ม",
        "อายุการเก็บหนังสือ",
        "หมายเหตุ",
    ]
    assert rows[head + 1] == [
        "25 พ.ย. 2569",
        7,
        1,
        "ขก 0023.3/ว 1234",
        LONG_SUBJECT,
        "01.02",
        "เก็บถึง พ.ศ. 2579",
        None,
    ]
    assert rows[head + 2][1:] == [
        8,
        None,  # an outgoing letter has no receive number
        "ขก 72101/1",
        "รายงานผลการดำเนินงาน",
        "09.01",
        "ห้ามทำลาย",
        "เอกสารสำคัญ",
    ]
    form_20 = pdf_text(report_render("storage_register", "pdf", **NOV).content, "20")
    assert "ทะเบียนหนังสือเก็บ" in form_20 and "01.02" in form_20
    # Storage outside the range is left out.
    later = report_render(
        "storage_register", "xlsx", start=date(2026, 12, 1), end=None, thai_digits=False
    )
    assert "ไม่มีรายการ" in [row[0] for row in sheet_rows(later.content)]


def test_destruction_list_with_decisions_and_committee(
    clerk: Any, receive_book: dict[str, Any]
) -> None:
    dlist = DestructionList.objects.create(year=2569, created_by=clerk)
    for role, name, position in (
        (CommitteeRole.MEMBER, "นางสาวกรรมการ หนึ่ง", "นักจัดการงานทั่วไป"),
        (CommitteeRole.CHAIR, "นายประธาน ทดสอบ", "ปลัดเทศบาล"),
        (CommitteeRole.MEMBER, "นายกรรมการ สอง", "นิติกร"),
    ):
        DestructionCommitteeMember.objects.create(
            destruction_list=dlist, role=role, name=name, position=position
        )
    DestructionItem.objects.create(
        destruction_list=dlist,
        letter=receive_book["plain"].letter,
        item_number=1,
        decision=DestructionDecision.DESTROY,
    )
    DestructionItem.objects.create(
        destruction_list=dlist,
        letter=receive_book["injected"].letter,
        item_number=2,
        decision=DestructionDecision.KEEP,
        keep_until_year=2575,
        remarks="ยังใช้อ้างอิง",
    )
    rendered = report_render(
        "destruction_list", "pdf", start=None, end=None, list_id=dlist.pk, thai_digits=False
    )
    assert rendered.filename == f"destruction_list_2569_{dlist.pk}.pdf"
    text = pdf_text(rendered.content, "25")
    assert_headings(
        rendered.content,
        [
            "ลำดับที่",
            "รหัสแฟ้ม",
            "ที่",
            "ลงวันที่",
            "เรื่อง",
            "การพิจารณา",
            "หมายเหตุ",
        ],
    )
    words = text
    assert "บัญชีหนังสือขอทำลาย" in words and "ประจำปี พ.ศ. 2569" in words
    assert "1 01.02 ขก 0023.3/ว 1234 20 พ.ย. 2569" in words
    assert "ไม่ทำลาย ขยายเวลาเก็บถึง พ.ศ. 2575" in words
    for name in ("นายประธาน ทดสอบ", "นางสาวกรรมการ หนึ่ง", "นายกรรมการ สอง", "ปลัดเทศบาล"):
        assert name in words
    assert words.count("ลงชื่อ") == 3
    assert words.index("ประธานกรรมการ") < words.index("(นายประธาน ทดสอบ)")
    assert words.index("(นายประธาน ทดสอบ)") < words.index("(นางสาวกรรมการ หนึ่ง)")
    rows = sheet_rows(
        report_render(
            "destruction_list", "xlsx", start=None, end=None, list_id=dlist.pk, thai_digits=False
        ).content
    )
    head = header_index(rows, "ลำดับที่")
    assert rows[head + 1][5] == "ทำลาย"
    assert rows[head + 2][4] == 'เรื่องทดสอบ #set page(width: 1cm) ] [ #panic("x") $x$'
    assert "(นายประธาน ทดสอบ)" in [row[0] for row in rows]


def test_handover_list(clerk: Any, receive_book: dict[str, Any]) -> None:
    hlist = HandoverList.objects.create(year=2569, created_by=clerk)
    HandoverItem.objects.create(
        handover_list=hlist, letter=receive_book["plain"].letter, item_number=1, remarks="ครบ 20 ปี"
    )
    content = report_render(
        "handover_list", "pdf", start=None, end=None, list_id=hlist.pk, thai_digits=True
    ).content
    text = pdf_text(content, "21")
    assert_headings(
        content,
        [
            "ลำดับที่",
            "รหัสแฟ้ม",
            "ที่",
            "ลงวันที่",
            "เรื่อง",
            "หมายเหตุ",
        ],
    )
    words = text
    assert "บัญชีส่งมอบหนังสือครบ ๒๐ ปี" in words and "ประจำปี พ.ศ. ๒๕๖๙" in words
    assert "๐๑.๐๒" in words and "ครบ ๒๐ ปี" in words
    assert "ผู้ส่งมอบ" in words and "ผู้รับมอบ" in words


def test_refusals(in_alpha: Any) -> None:
    with pytest.raises(InvalidReport):
        report_render("nonsense", "pdf", start=None, end=None)
    with pytest.raises(InvalidReport):
        report_render("receive", "docx", start=None, end=None)
    with pytest.raises(InvalidReport):
        report_render("destruction_list", "pdf", start=None, end=None)
    with pytest.raises(InvalidReport):
        report_render("handover_list", "pdf", start=None, end=None, list_id=999999)
    with pytest.raises(InvalidReport):
        report_render("receive", "pdf", start=date(2026, 12, 1), end=date(2026, 11, 1))


def test_a_pdf_too_long_to_print_at_once_is_refused_with_what_to_do(
    receive_book: dict[str, Any], settings: Any
) -> None:
    settings.REPORTS_PDF_MAX_ROWS = 2
    with pytest.raises(InvalidReport) as refused:
        report_render("receive", "pdf", **NOV, thai_digits=False)
    assert "เกินกว่าที่พิมพ์เป็น PDF ได้ในครั้งเดียว (2 รายการ)" in refused.value.text("th")
    assert "choose a shorter date range" in refused.value.text("en")
    # The same lines as a spreadsheet are fine.
    assert report_render("receive", "xlsx", **NOV, thai_digits=False).content


def test_empty_range_still_prints_the_form(in_alpha: Any) -> None:
    content = report_render("send", "pdf", **NOV, thai_digits=False).content
    text = pdf_text(content, "empty")
    assert_headings(content, SEND_HEADINGS)
    assert "ไม่มีรายการ" in text


def test_every_kind_renders_both_formats(in_alpha: Any, clerk: Any) -> None:
    dlist = DestructionList.objects.create(year=2569, created_by=clerk)
    hlist = HandoverList.objects.create(year=2569, created_by=clerk)
    lists = {"destruction_list": dlist.pk, "handover_list": hlist.pk}
    for kind in REPORT_KINDS:
        for fmt in ("pdf", "xlsx"):
            rendered = report_render(kind, fmt, **NOV, list_id=lists.get(kind))
            assert rendered.content[:4] in (b"%PDF", b"PK\x03\x04"), (kind, fmt)


def test_command_writes_the_file_with_be_or_ce_dates(
    receive_book: dict[str, Any], in_alpha: Any, tmp_path: Path
) -> None:
    out = tmp_path / "receive.pdf"
    call_command(
        "register_report",
        "--schema",
        in_alpha.schema_name,
        "--kind",
        "receive",
        "--from",
        "2569-11-01",
        "--to",
        "2569-11-30",
        "--format",
        "pdf",
        "--arabic-digits",
        "-o",
        str(out),
        stdout=StringIO(),
    )
    words = pdf_text(out.read_bytes())
    assert "ตั้งแต่วันที่ 1 พฤศจิกายน 2569 ถึงวันที่ 30 พฤศจิกายน 2569" in words
    assert "ขก 0023.3/ว 1234" in words and "เดือนธันวาคม" not in words
    ce = tmp_path / "receive.xlsx"
    call_command(
        "register_report",
        f"--schema={in_alpha.schema_name}",
        "--kind=receive",
        "--from=2026-12-01",
        "--format=xlsx",
        f"--output={ce}",
        stdout=StringIO(),
    )
    assert "เดือนธันวาคม" in [row[5] for row in sheet_rows(ce.read_bytes())]
    with pytest.raises(CommandError):
        call_command("register_report", "--schema=nowhere", "--kind=receive", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "register_report",
            f"--schema={in_alpha.schema_name}",
            "--kind=destruction_list",
            stdout=StringIO(),
        )


def test_thai_words_break_only_between_dictionary_words() -> None:
    broken = thai_words("ที่ทำการปกครองจังหวัดขอนแก่น")
    assert broken.split(ZERO_WIDTH_SPACE)[-1] == "ขอนแก่น"
    assert squash_invisible(broken) == "ที่ทำการปกครองจังหวัดขอนแก่น"
    # A compound wider than a narrow column is cut into its words, never inside a cluster.
    assert thai_words("องค์การบริหารส่วนจังหวัด").split(ZERO_WIDTH_SPACE) == [
        "องค์การ",
        "บริหาร",
        "ส่วน",
        "จังหวัด",
    ]
    assert thai_words("Report 2569") == "Report 2569"
