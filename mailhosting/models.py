"""Control plane of mail hosting: each municipality's mail domains, DKIM keys, addresses, DNS state.

Everything here lives in the public schema: Postfix and Dovecot read it through SQL views, and the
LMTP service maps a recipient to its municipality before it touches any tenant schema.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CENTRAL_LOCAL_PART = "saraban"  # DGA: the central address must begin with "saraban"


class DomainKind(models.TextChoices):
    OWN = "own", _("โดเมนของหน่วยงาน")
    PLATFORM = "platform", _("โดเมนย่อยที่ระบบจัดให้")


class DomainStatus(models.TextChoices):
    PENDING = "pending", _("รอตั้งค่า DNS")
    VERIFIED = "verified", _("ตรวจสอบแล้ว")
    FAILING = "failing", _("DNS ไม่ถูกต้อง")


class MailDomain(models.Model):
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="mail_domains"
    )
    name = models.CharField(_("โดเมน"), max_length=253, unique=True)
    kind = models.CharField(_("ประเภท"), max_length=16, choices=DomainKind.choices)
    # The domain that addresses are published under; the platform subdomain serves while the
    # municipality's own domain is pending.
    is_primary = models.BooleanField(_("โดเมนหลัก"), default=False)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=DomainStatus.choices, default=DomainStatus.PENDING
    )
    ownership_token = models.CharField(max_length=64)
    verified_at = models.DateTimeField(_("ตรวจสอบผ่านเมื่อ"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("ตรวจสอบล่าสุดเมื่อ"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("โดเมนอีเมล")
        verbose_name_plural = _("โดเมนอีเมล")
        ordering = ["municipality_id", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def central_address(self) -> str:
        return f"{CENTRAL_LOCAL_PART}@{self.name}"


class DkimKeyStatus(models.TextChoices):
    PENDING = "pending", _("รอเผยแพร่ใน DNS")
    ACTIVE = "active", _("ใช้งาน")
    RETIRED = "retired", _("เลิกใช้")


class DkimKey(models.Model):
    """An RSA-2048 DKIM key; the private half is encrypted at rest (see dkim_keys.py)."""

    domain = models.ForeignKey(MailDomain, on_delete=models.CASCADE, related_name="dkim_keys")
    selector = models.CharField(_("selector"), max_length=63)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=DkimKeyStatus.choices, default=DkimKeyStatus.PENDING
    )
    public_key_b64 = models.TextField()
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("กุญแจ DKIM")
        verbose_name_plural = _("กุญแจ DKIM")
        constraints = [
            models.UniqueConstraint(fields=["domain", "selector"], name="dkim_selector_unique"),
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(status="active"),
                name="dkim_one_active_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain.name}"


class MailboxKind(models.TextChoices):
    CENTRAL = "central", _("ที่อยู่กลาง (สารบรรณ)")
    UNIT = "unit", _("ที่อยู่ของหน่วยงานย่อย")
    STAFF = "staff", _("กล่องจดหมายของเจ้าหน้าที่")


class Mailbox(models.Model):
    """An address of a municipality. Central and unit addresses feed the registers over LMTP;
    staff mailboxes are ordinary IMAP mailboxes served by Dovecot."""

    domain = models.ForeignKey(MailDomain, on_delete=models.CASCADE, related_name="mailboxes")
    local_part = models.CharField(_("ชื่อหน้า @"), max_length=64)
    kind = models.CharField(_("ประเภท"), max_length=16, choices=MailboxKind.choices)
    display_name = models.CharField(_("ชื่อที่แสดง"), max_length=200, blank=True)
    # Unit addresses say which org unit their letters are routed to (an id in the tenant schema).
    org_unit_code = models.CharField(max_length=64, blank=True)
    # Dovecot's password scheme string (e.g. {SHA512-CRYPT}...); empty for register addresses.
    password_hash = models.CharField(max_length=255, blank=True)
    quota_mb = models.PositiveIntegerField(default=2048)
    active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ที่อยู่อีเมล")
        verbose_name_plural = _("ที่อยู่อีเมล")
        constraints = [
            models.UniqueConstraint(fields=["domain", "local_part"], name="mailbox_unique"),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        return f"{self.local_part}@{self.domain.name}"


class MailAlias(models.Model):
    domain = models.ForeignKey(MailDomain, on_delete=models.CASCADE, related_name="aliases")
    local_part = models.CharField(_("ชื่อหน้า @"), max_length=64)
    destinations = models.TextField(_("ส่งต่อไปยัง"), help_text=_("ที่อยู่ละหนึ่งบรรทัด"))
    active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ชื่อแทน")
        verbose_name_plural = _("ชื่อแทน")
        constraints = [
            models.UniqueConstraint(fields=["domain", "local_part"], name="alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.local_part}@{self.domain.name}"

    def destination_list(self) -> list[str]:
        return [line.strip() for line in self.destinations.splitlines() if line.strip()]


class RecordStatus(models.TextChoices):
    OK = "ok", _("ถูกต้อง")
    MISSING = "missing", _("ไม่พบ")
    MISMATCH = "mismatch", _("ไม่ตรงกับที่กำหนด")
    ERROR = "error", _("ตรวจสอบไม่ได้")


class DnsRecordState(models.Model):
    """The latest check of one expected record; changes are kept in DnsRecordEvent."""

    domain = models.ForeignKey(MailDomain, on_delete=models.CASCADE, related_name="dns_states")
    purpose = models.CharField(max_length=32)  # mx, spf, dkim, dmarc, mta_sts, tls_rpt, ownership
    name = models.CharField(max_length=253)
    rtype = models.CharField(max_length=8)
    expected = models.TextField()
    found = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=RecordStatus.choices)
    detail = models.TextField(blank=True)
    checked_at = models.DateTimeField()
    since = models.DateTimeField(help_text="when the record entered its current status")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "purpose", "name"], name="dns_state_unique"),
        ]
        ordering = ["domain_id", "purpose"]

    def __str__(self) -> str:
        return f"{self.name} {self.rtype}: {self.status}"


class DnsRecordEvent(models.Model):
    """History: one row each time a record's status changes (append-only)."""

    domain = models.ForeignKey(MailDomain, on_delete=models.CASCADE, related_name="dns_events")
    purpose = models.CharField(max_length=32)
    name = models.CharField(max_length=253)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=RecordStatus.choices)
    found = models.TextField(blank=True)
    detail = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.from_status} -> {self.to_status}"


class InboundOutcome(models.TextChoices):
    INTAKE = "intake", _("เข้ารายการรอลงรับ")
    REGISTERED = "registered", _("ลงรับอัตโนมัติ")
    AUTO_REPLY = "auto_reply", _("ตอบกลับอัตโนมัติ (ไม่ลงรับ)")
    DELIVERY_REPORT = "delivery_report", _("รายงานผลการส่ง")
    LOOP = "loop", _("อีเมลวนซ้ำ (ไม่รับ)")


class InboundMessage(models.Model):
    """One message delivered to one central/unit address: the idempotency key and its trail.

    Unique per (recipient, Message-ID): Postfix retries after a 451 or a lost connection, and
    the same letter must never be registered twice.
    """

    recipient = models.CharField(max_length=320)
    message_id = models.CharField(max_length=998)
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="inbound_messages"
    )
    mail_from = models.CharField(max_length=320, blank=True)
    subject = models.TextField(blank=True)
    raw_key = models.CharField(max_length=500)
    raw_sha256 = models.CharField(max_length=64)
    raw_size = models.BigIntegerField()
    outcome = models.CharField(max_length=20, choices=InboundOutcome.choices)
    letter_id = models.BigIntegerField(null=True, blank=True)  # in the municipality's schema
    defects = models.JSONField(default=list, blank=True)
    auth_results = models.JSONField(default=dict, blank=True)  # spf, dkim, dmarc
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("อีเมลขาเข้า")
        verbose_name_plural = _("อีเมลขาเข้า")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "message_id"], name="inbound_once_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.recipient} {self.message_id}"


class AckStatus(models.TextChoices):
    PENDING = "pending", _("รอส่ง")
    SENT = "sent", _("ส่งแล้ว")
    FAILED = "failed", _("ส่งไม่สำเร็จ")


class Acknowledgement(models.Model):
    """แจ้งผลการรับ: the receipt notice owed to a sender, written in the registering transaction
    (an outbox: a crash after the commit cannot lose it; a task sends it)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    letter_id = models.BigIntegerField()  # in the municipality's schema
    from_address = models.CharField(max_length=320)
    to_address = models.CharField(max_length=320)
    in_reply_to = models.CharField(max_length=998, blank=True)
    subject = models.CharField(max_length=1000)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=AckStatus.choices, default=AckStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("การแจ้งผลการรับ")
        verbose_name_plural = _("การแจ้งผลการรับ")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "letter_id", "to_address"], name="ack_once_per_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"
