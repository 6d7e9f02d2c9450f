"""Open data: the listing as JSON and CSV, and DGA's form as XLSX and CSV; cache headers."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.portal.helpers_portal import listed_municipality, record_check

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


@pytest.fixture
def listed(db: None) -> list[Any]:
    shown = []
    for name_th, name_en, province in (
        ("เทศบาลตำบลศิลา", "Sila Subdistrict Municipality", "ขอนแก่น"),
        ("องค์การบริหารส่วนตำบลห้วยแร้ง", "Huai Raeng SAO", "ตราด"),
    ):
        _m, domain = listed_municipality(name_th, name_en, province=province, district="เมือง")
        record_check(domain, ok=True)
        shown.append(domain)
    listed_municipality("เทศบาลตำบลยังไม่ตรวจ")  # pending: in no file
    return shown


def test_json(public_client: Client, listed: list[Any]) -> None:
    response = public_client.get("/opendata/saraban-addresses.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "public" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    document = json.loads(response.content)
    items = {item["name_th"]: item for item in document["items"]}
    assert "เทศบาลตำบลยังไม่ตรวจ" not in items
    sila = items["เทศบาลตำบลศิลา"]
    assert sila["central_address"] == f"saraban@{listed[0].name}"
    assert sila["province_en"] == "Khon Kaen" and sila["address_status"] == "verified"
    assert sila["verified_at"] and sila["website"].startswith(("http://", "https://"))
    assert sila["organisation_type_th"] == "เทศบาลตำบล"


def test_csv_opens_in_excel_and_in_the_csv_module(public_client: Client, listed: list[Any]) -> None:
    response = public_client.get("/opendata/saraban-addresses.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "ชื่อหน่วยงาน (name_th)" in rows[0]
    by_name = {row["ชื่อหน่วยงาน (name_th)"]: row for row in rows}
    assert set(by_name) >= {"เทศบาลตำบลศิลา", "องค์การบริหารส่วนตำบลห้วยแร้ง"}
    assert "เทศบาลตำบลยังไม่ตรวจ" not in by_name
    row = by_name["องค์การบริหารส่วนตำบลห้วยแร้ง"]
    assert row["ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง (central_address)"] == f"saraban@{listed[1].name}"


def test_dga_form_xlsx_and_csv(public_client: Client, listed: list[Any]) -> None:
    response = public_client.get("/opendata/dga-central-addresses.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง" in str(rows[0][0])
    assert rows[1] == (
        "ลำดับ (no)",
        "ชื่อหน่วยงาน (agency)",
        "จังหวัด (province)",
        "ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง (central_address)",
        "ชื่อ-สกุล ผู้รับผิดชอบ (officer_name)",
        "หมายเลขโทรศัพท์ (officer_phone)",
    )
    agencies = {row[1]: row for row in rows[2:]}
    assert agencies["เทศบาลตำบลศิลา"][3] == f"saraban@{listed[0].name}"
    assert agencies["เทศบาลตำบลศิลา"][4] == "นางสาวสมใจ ใจดี"
    assert "เทศบาลตำบลยังไม่ตรวจ" not in agencies

    dga_csv = public_client.get("/opendata/dga-central-addresses.csv")
    rows_csv = list(csv.reader(io.StringIO(dga_csv.content.decode("utf-8-sig"))))
    assert rows_csv[0] == list(rows[1]) and len(rows_csv) == len(rows) - 1


def test_etag_answers_304_until_something_changes(public_client: Client, listed: list[Any]) -> None:
    first = public_client.get("/opendata/saraban-addresses.json")
    etag = first["ETag"]
    again = public_client.get("/opendata/saraban-addresses.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    _m, domain = listed_municipality("เทศบาลตำบลใหม่")
    record_check(domain, ok=True)
    changed = public_client.get("/opendata/saraban-addresses.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "เทศบาลตำบลใหม่" in changed.content.decode()
