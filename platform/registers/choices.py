"""The regulation's vocabularies (ระเบียบงานสารบรรณ 2526 and amendments), with their e-CMS codes.

Values are stable English identifiers (stored, used in the API); labels are Thai first.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    INCOMING = "incoming", _("หนังสือรับ")
    OUTGOING = "outgoing", _("หนังสือส่ง")


class LetterKind(models.TextChoices):
    """The six kinds of letters (ชนิดของหนังสือ), regulation clause 9."""

    EXTERNAL = "external", _("หนังสือภายนอก")
    INTERNAL = "internal", _("หนังสือภายใน")
    STAMPED = "stamped", _("หนังสือประทับตรา")
    DIRECTIVE = "directive", _("หนังสือสั่งการ")
    PUBLIC_RELATIONS = "public_relations", _("หนังสือประชาสัมพันธ์")
    EVIDENCE = "evidence", _("หนังสือที่เจ้าหน้าที่ทำขึ้นหรือรับไว้เป็นหลักฐาน")


class LetterSubKind(models.TextChoices):
    NONE = "", _("-")
    ORDER = "order", _("คำสั่ง")
    REGULATION = "regulation", _("ระเบียบ")
    BYLAW = "bylaw", _("ข้อบังคับ")
    ANNOUNCEMENT = "announcement", _("ประกาศ")
    STATEMENT = "statement", _("แถลงการณ์")
    NEWS = "news", _("ข่าว")
    CERTIFICATE = "certificate", _("หนังสือรับรอง")
    MINUTES = "minutes", _("รายงานการประชุม")
    MEMO = "memo", pgettext_lazy("ชนิดหนังสือ", "บันทึก")
    OTHER = "other", _("หนังสืออื่น")


# Which sub-kinds each kind allows; kinds not listed take none.
SUB_KINDS: dict[str, tuple[str, ...]] = {
    LetterKind.DIRECTIVE: (LetterSubKind.ORDER, LetterSubKind.REGULATION, LetterSubKind.BYLAW),
    LetterKind.PUBLIC_RELATIONS: (
        LetterSubKind.ANNOUNCEMENT,
        LetterSubKind.STATEMENT,
        LetterSubKind.NEWS,
    ),
    LetterKind.EVIDENCE: (
        LetterSubKind.CERTIFICATE,
        LetterSubKind.MINUTES,
        LetterSubKind.MEMO,
        LetterSubKind.OTHER,
    ),
}


class Urgency(models.TextChoices):
    """ชั้นความเร็ว. e-CMS SpeedCode is the position: 0 normal .. 3 most urgent."""

    NORMAL = "normal", _("ปกติ")
    URGENT = "urgent", _("ด่วน")
    VERY_URGENT = "very_urgent", _("ด่วนมาก")
    MOST_URGENT = "most_urgent", _("ด่วนที่สุด")

    @property
    def ecms_code(self) -> int:
        return list(Urgency).index(self)


class Secrecy(models.TextChoices):
    """ชั้นความลับ (ระเบียบว่าด้วยการรักษาความลับของทางราชการ 2544). e-CMS SecretCode = position."""

    NORMAL = "normal", _("ปกติ")
    CONFIDENTIAL = "confidential", _("ลับ")
    SECRET = "secret", _("ลับมาก")
    TOP_SECRET = "top_secret", _("ลับที่สุด")

    @property
    def ecms_code(self) -> int:
        return list(Secrecy).index(self)


RESTRICTED_SECRECY = (Secrecy.CONFIDENTIAL, Secrecy.SECRET, Secrecy.TOP_SECRET)


class Channel(models.TextChoices):
    EMAIL = "email", _("อีเมล")
    PLATFORM = "platform", _("หน่วยงานบนระบบสารบรรณคลาวด์")
    SCAN = "scan", _("กระดาษ (สแกน)")
    HAND = "hand", _("ส่งด้วยมือ")
    POST = "post", _("ไปรษณีย์")
    ECMS = "ecms", _("ระบบ e-CMS")


class LetterStatus(models.TextChoices):
    INTAKE = "intake", _("รอลงรับ")
    REJECTED = "rejected", _("ไม่รับ")
    DRAFT = "draft", _("ร่าง")
    REGISTERED = "registered", _("ลงทะเบียนแล้ว")
    IN_PROGRESS = "in_progress", _("กำลังดำเนินการ")
    DONE = "done", _("ดำเนินการเสร็จ")
    STORED = "stored", _("เก็บแล้ว")
    DESTROYED = "destroyed", _("ทำลายแล้ว")
    HANDED_OVER = "handed_over", _("ส่งมอบหอจดหมายเหตุแล้ว")


class RegisterKind(models.TextChoices):
    RECEIVE = "receive", _("ทะเบียนหนังสือรับ")
    SEND = "send", _("ทะเบียนหนังสือส่ง")
    CIRCULAR = "circular", _("ทะเบียนหนังสือเวียน")
    ORDER = "order", _("ทะเบียนคำสั่ง")
    ANNOUNCEMENT = "announcement", _("ทะเบียนประกาศ")


OUTGOING_REGISTERS = (
    RegisterKind.SEND,
    RegisterKind.CIRCULAR,
    RegisterKind.ORDER,
    RegisterKind.ANNOUNCEMENT,
)
# Registers whose numbers are written n/<BE year> (orders and announcements).
YEAR_SUFFIXED_REGISTERS = (RegisterKind.ORDER, RegisterKind.ANNOUNCEMENT)


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("ใช้งาน")
    RESERVED = "reserved", _("จองไว้")
    CANCELLED = "cancelled", _("ยกเลิก")


class NumberingReset(models.TextChoices):
    CALENDAR = "calendar", _("ปีปฏิทิน (เริ่ม 1 มกราคม)")
    FISCAL = "fiscal", _("ปีงบประมาณ (เริ่ม 1 ตุลาคม)")


class MailAutoRegister(models.TextChoices):
    """Which mail to saraban@ is registered (ลงรับ) at once, without a clerk."""

    NEVER = "never", _("ไม่ลงรับอัตโนมัติ (เจ้าหน้าที่ลงรับเอง)")
    GOVERNMENT = "government", _("ลงรับอัตโนมัติเมื่อผู้ส่งเป็นหน่วยงานรัฐที่ยืนยันตัวตนได้")
    AUTHENTICATED = "authenticated", _("ลงรับอัตโนมัติเมื่อผู้ส่งยืนยันตัวตนได้ (DKIM/SPF)")


class RetentionClass(models.TextChoices):
    TEN_YEARS = "10y", _("เก็บไม่น้อยกว่า 10 ปี")
    ONE_YEAR = "1y", _("เรื่องปกติประจำ เก็บไม่น้อยกว่า 1 ปี")
    FIVE_YEARS = "5y", _("สำเนาหรือเอกสารการเงินที่ตรวจสอบแล้ว เก็บไม่น้อยกว่า 5 ปี")
    PERMANENT = "permanent", _("เก็บตลอดไป (ห้ามทำลาย)")
    OTHER_LAW = "other_law", _("ตามกฎหมายอื่น")


RETENTION_YEARS: dict[str, int | None] = {
    RetentionClass.TEN_YEARS: 10,
    RetentionClass.ONE_YEAR: 1,
    RetentionClass.FIVE_YEARS: 5,
    RetentionClass.PERMANENT: None,
    RetentionClass.OTHER_LAW: None,  # the years come from the other law (Letter.retention_years)
}


class AttachmentRole(models.TextChoices):
    MAIN = "main", _("หนังสือหลัก")
    ATTACHMENT = "attachment", _("สิ่งที่ส่งมาด้วย")
    STAMPED = "stamped", _("ฉบับประทับตรารับ")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("รอรับทราบ")
    ACKNOWLEDGED = "acknowledged", _("รับทราบแล้ว")
    DONE = "done", _("ดำเนินการแล้ว")
    CANCELLED = "cancelled", _("ยกเลิก")


class EndorsementKind(models.TextChoices):
    ENDORSE = "endorse", _("เกษียนหนังสือ")
    ORDER = "order", _("สั่งการ")


class DestructionStatus(models.TextChoices):
    DRAFT = "draft", _("จัดทำบัญชี")
    DECIDED = "decided", _("คณะกรรมการพิจารณาแล้ว")
    SENT_TO_ARCHIVES = "sent", _("ส่งกรมศิลปากรแล้ว")
    APPROVED = "approved", _("หอจดหมายเหตุไม่ทักท้วง")
    OBJECTED = "objected", _("หอจดหมายเหตุทักท้วง")
    DESTROYED = "destroyed", _("ทำลายแล้ว")


class DestructionDecision(models.TextChoices):
    PENDING = "pending", _("รอพิจารณา")
    DESTROY = "destroy", _("ทำลาย")
    KEEP = "keep", _("ไม่ทำลาย ขยายเวลาเก็บ")


class ArchivesAnswer(models.TextChoices):
    NO_OBJECTION = "no_objection", _("ไม่ทักท้วง")
    NO_ANSWER_60_DAYS = "no_answer", _("ไม่ตอบภายใน 60 วัน")
    OBJECTION = "objection", _("ทักท้วง")


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("ประธานกรรมการ")
    MEMBER = "member", _("กรรมการ")
