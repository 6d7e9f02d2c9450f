"""The reports there are: each register (forms 13 and 14 and their kin) and each retention list."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from registers.choices import RegisterKind
from registers.errors import RegistersError


class InvalidReport(RegistersError):
    """The report asked for does not exist or lacks what it needs (a list, a valid range)."""


# kind -> title, in the order the UI lists them.
REPORT_KINDS: dict[str, Promise] = {
    RegisterKind.RECEIVE.value: _("ทะเบียนหนังสือรับ"),
    RegisterKind.SEND.value: _("ทะเบียนหนังสือส่ง"),
    RegisterKind.CIRCULAR.value: _("ทะเบียนหนังสือเวียน"),
    RegisterKind.ORDER.value: _("ทะเบียนคำสั่ง"),
    RegisterKind.ANNOUNCEMENT.value: _("ทะเบียนประกาศ"),
    "storage_list": _("บัญชีหนังสือส่งเก็บ"),
    "storage_register": _("ทะเบียนหนังสือเก็บ"),
    "destruction_list": _("บัญชีหนังสือขอทำลาย"),
    "handover_list": _("บัญชีส่งมอบหนังสือครบ 20 ปี"),
}

# The regulation's form number of each report (printed in the corner, as on paper).
FORM_NUMBERS: dict[str, int | None] = {
    RegisterKind.RECEIVE.value: 13,
    RegisterKind.SEND.value: 14,
    RegisterKind.CIRCULAR.value: None,
    RegisterKind.ORDER.value: None,
    RegisterKind.ANNOUNCEMENT.value: None,
    "storage_list": 19,
    "storage_register": 20,
    "destruction_list": 25,
    "handover_list": 21,
}

REGISTER_KINDS = frozenset(k.value for k in RegisterKind)
# Reports of one list (list_id); the others cover a date range.
LIST_KINDS = frozenset({"destruction_list", "handover_list"})
FORMATS = ("pdf", "xlsx")
