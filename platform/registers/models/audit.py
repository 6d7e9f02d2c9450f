"""The append-only, hash-chained audit trail of register actions (one chain per municipality)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One link: its hash covers its own fields and the previous link's hash.

    Rows are only ever inserted (services.audit.audit_append); a trigger in the migration refuses
    UPDATE and DELETE, and ``verify_audit_chain`` names the first link that does not match.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=60)
    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="audit"
    )
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("บันทึกการตรวจสอบ")
        verbose_name_plural = _("บันทึกการตรวจสอบ")
        indexes = [models.Index(fields=["letter", "seq"], name="audit_letter_seq")]

    def __str__(self) -> str:
        return f"{self.seq} {self.action}"
