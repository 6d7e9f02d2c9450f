"""Tenant-plane rows of the public site: in each municipality's own schema."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteContact(models.Model):
    """The contact page and the announcement of the electronic contact channel (one row).

    The announcement's text may name ``$name``, ``$address``, ``$phone``, ``$website``,
    ``$hours`` and ``$postal``: the page fills them in, so the text stays true when the address
    or the phone changes.
    """

    phone = models.CharField(_("โทรศัพท์ของสำนักงาน"), max_length=60, blank=True)
    office_hours = models.CharField(_("เวลาทำการ"), max_length=200, blank=True)
    postal_address = models.TextField(_("ที่อยู่ทางไปรษณีย์"), blank=True)
    announcement_text = models.TextField(_("ประกาศช่องทางการติดต่อทางอิเล็กทรอนิกส์"), blank=True)
    announced_on = models.DateField(_("ประกาศ ณ วันที่"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ข้อมูลติดต่อหน่วยงาน")
        verbose_name_plural = _("ข้อมูลติดต่อหน่วยงาน")

    def __str__(self) -> str:
        return str(self.phone or self.pk)


class PublishedAnnouncement(models.Model):
    """A letter of the orders or announcements register shown on the public site, with its PDF.

    Withdrawing keeps the row (who, when, why); only rows without ``withdrawn_at`` are public.
    """

    letter = models.OneToOneField(
        "registers.Letter", on_delete=models.PROTECT, related_name="publication"
    )
    register = models.CharField(_("ทะเบียน"), max_length=16)
    reference = models.CharField(_("ที่"), max_length=120)
    title = models.CharField(_("เรื่อง"), max_length=500)
    letter_date = models.DateField(_("ลงวันที่"), null=True, blank=True)
    attachment = models.ForeignKey(
        "registers.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("เผยแพร่เมื่อ"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("ถอนเมื่อ"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.CharField(_("เหตุผลที่ถอน"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ประกาศที่เผยแพร่")
        verbose_name_plural = _("ประกาศที่เผยแพร่")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["-published_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="publication_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None
