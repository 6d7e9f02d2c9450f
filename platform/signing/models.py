"""Signing credentials, typed-name signatures and signature reports of arriving files.

Every table lives in the municipality's schema (TENANT_APPS).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", _("ไฟล์ PKCS#12 (.p12/.pfx)")
    KMS = "kms", _("กุญแจใน AWS KMS")


class SigningCredential(models.Model):
    """One signer's key and certificate. At most one active (not revoked) per user.

    A PKCS#12 upload keeps its private key Fernet-encrypted (``signing.keystore``); a KMS
    credential keeps only the key id, the private key never leaves KMS.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_credentials"
    )
    kind = models.CharField(_("ชนิด"), max_length=10, choices=CredentialKind.choices)
    # The signer's certificate first, then the chain the upload carried (PEM).
    certificate_pem = models.TextField(_("ใบรับรอง"))
    encrypted_key = models.BinaryField(null=True, blank=True, editable=False)
    kms_key_id = models.CharField(_("รหัสกุญแจ KMS"), max_length=300, blank=True)
    subject = models.CharField(_("ผู้ถือใบรับรอง"), max_length=500)
    issuer = models.CharField(_("ผู้ออกใบรับรอง"), max_length=500)
    serial = models.CharField(max_length=80)
    fingerprint_sha256 = models.CharField(max_length=64)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField(_("หมดอายุ"))
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "-created_at"]
        verbose_name = _("ใบรับรองสำหรับลงนาม")
        verbose_name_plural = _("ใบรับรองสำหรับลงนาม")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="signing_one_active_credential",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.not_after > timezone.now()


class TypedNameSignature(models.Model):
    """A typed-name signature (ลงลายมือชื่อโดยพิมพ์ชื่อ, amendment No. 4 of 2564).

    The proof is who was logged in, when, from where, and the SHA-256 of the exact document
    they signed (before the visible block was added) and of the document as issued.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name_th = models.CharField(_("ชื่อผู้ลงนาม"), max_length=300)
    position_th = models.CharField(_("ตำแหน่ง"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("เวลาลงนาม"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("ที่อยู่ IP"), null=True, blank=True)
    document_sha256 = models.CharField(_("SHA-256 ของเอกสาร"), max_length=64)
    signed_sha256 = models.CharField(_("SHA-256 ของเอกสารที่ลงนามแล้ว"), max_length=64)
    reason = models.CharField(_("เหตุผล"), max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("การลงลายมือชื่อโดยพิมพ์ชื่อ")
        verbose_name_plural = _("การลงลายมือชื่อโดยพิมพ์ชื่อ")
        indexes = [models.Index(fields=["document_sha256"], name="typed_sig_doc_hash")]

    def __str__(self) -> str:
        return f"{self.name_th} {self.signed_at:%Y-%m-%d %H:%M}"


class SignatureVerdict(models.TextChoices):
    VALID = "valid", _("ลายมือชื่อถูกต้อง")
    UNTRUSTED = "untrusted", _("ไม่รู้จักผู้ออกใบรับรอง")
    REVOKED = "revoked", _("ใบรับรองถูกเพิกถอน")
    EXPIRED = "expired", _("ใบรับรองหมดอายุ")
    TAMPERED = "tampered", _("เอกสารถูกแก้ไขหลังลงนาม")
    INVALID = "invalid", _("ลายมือชื่อไม่ถูกต้อง")
    UNSIGNED = "unsigned", _("ไม่มีลายมือชื่อดิจิทัล")
    ERROR = "error", _("ตรวจไม่ได้")


class AttachmentSignatureCheck(models.Model):
    """What ``signing.validation.pdf_validate`` said about one stored PDF attachment."""

    attachment = models.OneToOneField(
        "registers.Attachment", on_delete=models.CASCADE, related_name="signature_check"
    )
    verdict = models.CharField(_("ผลการตรวจ"), max_length=12, choices=SignatureVerdict.choices)
    signer = models.CharField(_("ผู้ลงนาม"), max_length=500, blank=True)
    signed_at = models.DateTimeField(_("เวลาลงนาม"), null=True, blank=True)
    timestamped = models.BooleanField(_("มีตราเวลา"), default=False)
    # The full per-signature report (SignatureReport.as_dict()).
    report = models.JSONField(default=dict)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ผลตรวจลายมือชื่อในไฟล์")
        verbose_name_plural = _("ผลตรวจลายมือชื่อในไฟล์")

    def __str__(self) -> str:
        return f"{self.attachment_id}: {self.verdict}"
