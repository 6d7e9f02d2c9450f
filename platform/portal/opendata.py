"""The site listing as open data (JSON, CSV) and in the form DGA collects central addresses in.

CSV files start with a UTF-8 byte-order mark so that Excel on Thai Windows opens them as UTF-8;
headers read Thai first with the English field name in brackets. DGA's exact collection form
was not at hand (domain.md says: verify); the columns follow what the regulation asks an
agency to report: agency, central address, responsible officer, phone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.selectors import ListingEntry

BOM = "\ufeff"


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# (Thai header, English field name, value)
OPEN_DATA_COLUMNS: list[tuple[str, str, Callable[[ListingEntry], Any]]] = [
    ("รหัส อปท.", "dla_code", lambda e: e.dla_code),
    ("ชื่อหน่วยงาน", "name_th", lambda e: e.name_th),
    ("ชื่อภาษาอังกฤษ", "name_en", lambda e: e.name_en),
    ("ประเภท", "organisation_type", lambda e: e.organisation_type),
    ("จังหวัด", "province", lambda e: e.province),
    ("จังหวัด (อังกฤษ)", "province_en", lambda e: e.province_en),
    ("อำเภอ/เขต", "district", lambda e: e.district),
    ("เว็บไซต์", "website", lambda e: e.website),
    ("โดเมนของหน่วยงาน", "custom_domains", lambda e: " ".join(e.custom_domains)),
    ("ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง", "central_address", lambda e: e.central_address),
    ("ผู้รับผิดชอบ", "officer_name", lambda e: e.officer_name),
    ("โทรศัพท์", "officer_phone", lambda e: e.officer_phone),
    ("สถานะการตรวจสอบ", "address_status", lambda e: "verified" if e.verified else "failing"),
    ("ตรวจสอบผ่านล่าสุด", "verified_at", lambda e: _iso(e.verified_at)),
    ("ไม่ผ่านการตรวจสอบตั้งแต่", "failing_since", lambda e: _iso(e.failing_since)),
]

DGA_COLUMNS: list[tuple[str, str, Callable[[ListingEntry], Any]]] = [
    ("ชื่อหน่วยงาน", "agency", lambda e: e.name_th),
    ("จังหวัด", "province", lambda e: e.province),
    ("ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง", "central_address", lambda e: e.central_address),
    ("ชื่อ-สกุล ผู้รับผิดชอบ", "officer_name", lambda e: e.officer_name),
    ("หมายเลขโทรศัพท์", "officer_phone", lambda e: e.officer_phone),
]


def header(thai: str, english: str) -> str:
    return f"{thai} ({english})"


def as_json(entries: Iterable[ListingEntry]) -> bytes:
    items = [
        {
            **{name: value(e) for _th, name, value in OPEN_DATA_COLUMNS},
            "custom_domains": list(e.custom_domains),
            "organisation_type_th": e.organisation_type_label,
        }
        for e in entries
    ]
    document = {
        "title": "ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางขององค์กรปกครองส่วนท้องถิ่น",
        "title_en": "Central e-mail addresses of Thai local governments",
        "generated_at": _iso(timezone.now()),
        "count": len(items),
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def as_csv(
    entries: Iterable[ListingEntry],
    columns: list[tuple[str, str, Callable[[ListingEntry], Any]]] = OPEN_DATA_COLUMNS,
    *,
    numbered: bool = False,
) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    heads = [header(th, en) for th, en, _value in columns]
    writer.writerow([header("ลำดับ", "no"), *heads] if numbered else heads)
    for n, entry in enumerate(entries, start=1):
        row = [value(entry) for _th, _en, value in columns]
        writer.writerow([n, *row] if numbered else row)
    return buffer.getvalue().encode()


def dga_xlsx(entries: Iterable[ListingEntry], *, title: str) -> bytes:
    """DGA's form as a workbook: a title line, the headers, one agency per row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ที่อยู่อีเมลกลาง"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    heads = [header("ลำดับ", "no"), *(header(th, en) for th, en, _v in DGA_COLUMNS)]
    sheet.append(heads)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, entry in enumerate(entries, start=1):
        sheet.append([n, *(value(entry) for _th, _en, value in DGA_COLUMNS)])
    for index, width in enumerate((8, 40, 18, 40, 30, 18), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
