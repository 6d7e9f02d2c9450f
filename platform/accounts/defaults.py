"""What every new municipality starts with: its usual divisions and the system's roles."""

from __future__ import annotations

from typing import NamedTuple

from accounts.models import RoleCode


class DefaultUnit(NamedTuple):
    code: str
    name_th: str
    name_en: str


DEFAULT_ORG_UNITS: tuple[DefaultUnit, ...] = (
    DefaultUnit("office-of-the-clerk", "สำนักปลัด", "Office of the Permanent Secretary"),
    DefaultUnit("finance", "กองคลัง", "Finance Division"),
    DefaultUnit("engineering", "กองช่าง", "Engineering Division"),
    DefaultUnit("education", "กองการศึกษา", "Education Division"),
    DefaultUnit(
        "public-health", "กองสาธารณสุขและสิ่งแวดล้อม", "Public Health and Environment Division"
    ),
)

DEFAULT_ROLES: tuple[tuple[str, str, str], ...] = (
    (RoleCode.CENTRAL_CLERK, "เจ้าหน้าที่สารบรรณกลาง", "Central registry clerk"),
    (RoleCode.UNIT_CLERK, "เจ้าหน้าที่สารบรรณกอง", "Unit clerk"),
    (RoleCode.EXECUTIVE, "ผู้บริหาร", "Executive"),
    (RoleCode.OFFICER, "เจ้าหน้าที่ผู้ปฏิบัติ", "Officer"),
    (RoleCode.TENANT_ADMIN, "ผู้ดูแลระบบของหน่วยงาน", "Tenant administrator"),
)
