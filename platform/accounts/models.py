"""Staff of one municipality (in its schema) or of the vendor (in the public schema)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    CENTRAL_CLERK = "central_clerk", _("เจ้าหน้าที่สารบรรณกลาง")
    UNIT_CLERK = "unit_clerk", _("เจ้าหน้าที่สารบรรณกอง")
    EXECUTIVE = "executive", _("ผู้บริหาร")
    OFFICER = "officer", _("เจ้าหน้าที่ผู้ปฏิบัติ")
    TENANT_ADMIN = "tenant_admin", _("ผู้ดูแลระบบของหน่วยงาน")


class OrgUnit(models.Model):
    """A division of the municipality (สำนัก/กอง), optionally under another one."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อ (ภาษาไทย)"), max_length=200)
    name_en = models.CharField(_("ชื่อ (ภาษาอังกฤษ)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        ordering = ["sort_order", "name_th"]
        verbose_name = _("หน่วยงานภายใน")
        verbose_name_plural = _("หน่วยงานภายใน")

    def __str__(self) -> str:
        return self.name_th


class Role(models.Model):
    """What a person may do in the correspondence system (several per person)."""

    code = models.CharField(_("รหัส"), max_length=32, unique=True, choices=RoleCode.choices)
    name_th = models.CharField(_("ชื่อ (ภาษาไทย)"), max_length=200)
    name_en = models.CharField(_("ชื่อ (ภาษาอังกฤษ)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("บทบาท")
        verbose_name_plural = _("บทบาท")

    def __str__(self) -> str:
        return self.name_th


class User(AbstractUser):
    """A person who logs in. Lives in exactly one schema, so it can log in on one site only."""

    email = models.EmailField(_("อีเมล"), blank=True)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=32, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("หน่วยงานภายใน"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("บทบาท"), blank=True, related_name="users")

    class Meta:
        verbose_name = _("ผู้ใช้งาน")
        verbose_name_plural = _("ผู้ใช้งาน")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="user_email_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, code: str) -> bool:
        return self.roles.filter(code=code).exists()


class TwoFactorRequirement(models.TextChoices):
    OPTIONAL = "optional", _("ไม่บังคับ (ผู้ใช้เลือกเปิดเอง)")
    ADMINS = "admins", _("บังคับสำหรับผู้ดูแลระบบของหน่วยงาน")
    EVERYONE = "everyone", _("บังคับทุกคน")


class SecurityPolicy(models.Model):
    """The municipality's login policy: one row per schema, written by its tenant admin.

    Without a row the platform default applies (``settings.ACCOUNTS_TWO_FACTOR_DEFAULT``)."""

    two_factor = models.CharField(
        _("การยืนยันตัวตนสองขั้นตอน"),
        max_length=16,
        choices=TwoFactorRequirement.choices,
        default=TwoFactorRequirement.EVERYONE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("นโยบายการเข้าสู่ระบบ")
        verbose_name_plural = _("นโยบายการเข้าสู่ระบบ")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="security_policy_single_row")
        ]

    def __str__(self) -> str:
        return str(self.get_two_factor_display())
