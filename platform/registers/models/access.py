"""Who may see a classified letter, and API tokens of this municipality's staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LetterAccess(models.Model):
    """A person or role named on a ลับ / ลับมาก letter; nobody else sees it (ลับ = confidential)."""

    letter = models.ForeignKey("registers.Letter", on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.ForeignKey(
        "accounts.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ผู้มีสิทธิ์เข้าถึง")
        verbose_name_plural = _("ผู้มีสิทธิ์เข้าถึง")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(role__isnull=False),
                name="access_names_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.user_id or self.role_id}"


class ApiToken(models.Model):
    """A per-municipality API token. Only its SHA-256 is stored; it lives in the tenant's schema,
    so a token of one municipality means nothing on another's host."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("ชื่อ"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("โทเคน API")
        verbose_name_plural = _("โทเคน API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
