"""A letter's story, oldest first, told from its audit trail in words people use at the registry.

The trail is the single record of what happened (hash-chained, append-only); names are the ones
written at the time, so a later rename does not rewrite history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from registers.choices import (
    OUTGOING_REGISTERS,
    Channel,
    DestructionDecision,
    EndorsementKind,
    RegisterKind,
)
from registers.models import AuditEntry, DeliveryStatus, Letter
from thaiformat.dates import format_thai_date


@dataclasses.dataclass(frozen=True)
class TimelineItem:
    at: datetime
    actor_name: str
    action: str  # the audit action code, e.g. "routing.forward" (for icons and filters)
    text: str  # what happened, in the active language (Thai first)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _with_detail(head: str, detail: Any) -> str:
    detail = str(detail or "").strip()
    return f"{head}: {detail}" if detail else head


def _thai_date(value: Any) -> str:
    if not value:
        return ""
    return format_thai_date(date.fromisoformat(str(value)[:10]))


def _behalf(data: dict[str, Any]) -> str:
    person = data.get("on_behalf_of")
    if not person:
        return ""
    return " " + _("(แทน %(name)s)") % {"name": person.get("name", "")}


def _receive(data: dict[str, Any]) -> str:
    return _("ลงรับ เลขรับ %(number)s/%(period)s") % data


def _outgoing_number(data: dict[str, Any]) -> str:
    register = _label(RegisterKind, data.get("register"))
    return _("ออกเลข%(register)s ที่ %(reference)s") % {
        "register": register,
        "reference": data.get("reference", ""),
    }


def _cancel(data: dict[str, Any]) -> str:
    head = _("ยกเลิกเลข %(number)s/%(period)s") % data
    return _with_detail(head, data.get("reason"))


def _intake(data: dict[str, Any]) -> str:
    return _("รับเข้าระบบ (รอลงรับ) ทาง%(channel)s") % {
        "channel": _label(Channel, data.get("channel"))
    }


def _endorse(data: dict[str, Any]) -> str:
    head = _label(EndorsementKind, data.get("kind"))
    return _with_detail(head, data.get("text")) + _behalf(data)


def _forward(data: dict[str, Any]) -> str:
    names = []
    if data.get("to_unit"):
        names.append(data["to_unit"].get("name", ""))
    if data.get("to_user"):
        names.append(data["to_user"].get("name", ""))
    text = _with_detail(_("ส่งต่อถึง %(to)s") % {"to": " / ".join(names)}, data.get("instruction"))
    if data.get("due_date"):
        text += " " + _("(กำหนดเสร็จ %(date)s)") % {"date": _thai_date(data["due_date"])}
    return text


def _acknowledge(data: dict[str, Any]) -> str:
    return _("รับทราบ") + _behalf(data)


def _complete(data: dict[str, Any]) -> str:
    return _with_detail(_("ดำเนินการแล้ว"), data.get("note")) + _behalf(data)


def _close(data: dict[str, Any]) -> str:
    return _with_detail(_("ปิดเรื่อง (ดำเนินการเสร็จ)"), data.get("note"))


def _keep_until(year: Any) -> str:
    if year is None:
        return _("เก็บตลอดไป (ห้ามทำลาย)")
    return _("เก็บถึง พ.ศ. %(year)s") % {"year": year}


def _store(data: dict[str, Any]) -> str:
    head = _("จัดเก็บ ลำดับที่ %(item)s/%(period)s") % {
        "item": data.get("item_number"),
        "period": data.get("period"),
    }
    return f"{head} {_keep_until(data.get('keep_until_year'))}"


def _destruction_listed(data: dict[str, Any]) -> str:
    return _("อยู่ในบัญชีหนังสือขอทำลาย พ.ศ. %(year)s ลำดับที่ %(item)s") % {
        "year": data.get("year"),
        "item": data.get("item_number"),
    }


def _decide(data: dict[str, Any]) -> str:
    text = _("คณะกรรมการพิจารณา: %(decision)s") % {
        "decision": _label(DestructionDecision, data.get("decision"))
    }
    if data.get("keep_until_year"):
        text += " " + _keep_until(data["keep_until_year"])
    return text


def _destroyed(data: dict[str, Any]) -> str:
    return _("ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย พ.ศ. %(year)s (ลบไฟล์ %(files)s ไฟล์)") % {
        "year": data.get("year"),
        "files": len(data.get("files", [])),
    }


def _kept(data: dict[str, Any]) -> str:
    return _("ไม่ทำลาย ขยายเวลา%(keep)s") % {"keep": _keep_until(data.get("keep_until_year"))}


def _handover_listed(data: dict[str, Any]) -> str:
    return _("อยู่ในบัญชีส่งมอบหนังสือครบ 20 ปี พ.ศ. %(year)s ลำดับที่ %(item)s") % {
        "year": data.get("year"),
        "item": data.get("item_number"),
    }


def _signature_checked(data: dict[str, Any]) -> str:
    from signing.models import SignatureVerdict  # signing depends on registers, not back

    head = _("ตรวจลายมือชื่อดิจิทัลในไฟล์: %(verdict)s") % {
        "verdict": _label(SignatureVerdict, data.get("verdict"))
    }
    return _with_detail(head, data.get("signer"))


WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "intake.create": _intake,
    "intake.reject": lambda d: _with_detail(_("ไม่รับหนังสือ"), d.get("reason")),
    "register.receive": _receive,
    "outgoing.create": lambda d: _("สร้างร่างหนังสือส่ง"),
    "register.cancel": _cancel,
    "letter.grant_access": lambda d: _("ให้สิทธิ์เข้าถึงหนังสือชั้นความลับ"),
    "attachment.stamp": lambda d: _("ประทับตรารับ เลขรับ %(number)s/%(period)s") % d,
    "attachment.download": lambda d: _("เปิดดูไฟล์แนบ"),
    "routing.endorse": _endorse,
    "routing.forward": _forward,
    "routing.acknowledge": _acknowledge,
    "routing.complete": _complete,
    "routing.close": _close,
    "retention.store": _store,
    "retention.destruction_listed": _destruction_listed,
    "retention.decide": _decide,
    "retention.destroy": _destroyed,
    "retention.keep": _kept,
    "retention.handover_listed": _handover_listed,
    "retention.handed_over": lambda d: _("ส่งมอบหอจดหมายเหตุแห่งชาติแล้ว"),
    "signing.attachment_checked": lambda d: _signature_checked(d),
    "signing.typed_name": lambda d: _("ลงลายมือชื่อโดยพิมพ์ชื่อ: %(name)s") % d,
    "signing.pades": lambda d: _("ลงลายมือชื่อดิจิทัล (%(level)s): %(subject)s") % d,
}
WORDS.update({f"register.{register}": _outgoing_number for register in OUTGOING_REGISTERS})
# ส่งทางอีเมล (registers.services.dispatch); each recipient's full history is on the letter.
WORDS.update(
    {
        "dispatch.email": lambda d: _("สั่งส่งทางอีเมลถึง %(to)s") % {"to": ", ".join(d["to"])},
        "dispatch.sent": lambda d: _("ส่งอีเมลออกถึง %(to)s") % d,
        "dispatch.status": lambda d: (
            _("ผลการส่งถึง %(to)s: %(status)s")
            % {"to": d["to"], "status": _label(DeliveryStatus, d["status"])}
        ),
        "dispatch.acknowledged": lambda d: _("%(to)s ลงรับแล้ว เลขรับ %(number)s") % d,
    }
)


def describe(action: str, data: dict[str, Any]) -> str:
    """Words for one audit action; an action this module does not know shows as its code."""
    words = WORDS.get(action)
    if words is None:
        return action
    try:
        return words(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return action  # a link written by an older version with other data keys


def letter_timeline(letter: Letter) -> list[TimelineItem]:
    """What happened to ``letter``, oldest first."""
    rows = AuditEntry.objects.filter(letter=letter).order_by("seq")
    return [
        TimelineItem(
            at=row.created_at,
            actor_name=row.actor_name,
            action=row.action,
            text=describe(row.action, row.data or {}),
        )
        for row in rows.only("created_at", "actor_name", "action", "data")
    ]
