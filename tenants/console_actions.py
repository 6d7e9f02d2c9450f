"""What vendor staff do to a municipality from the console. Each action runs in one transaction
and records who did it and why (ConsoleAction; lifecycle changes also as LifecycleEvent)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenants.models import (
    ConsoleAction,
    ConsoleActionKind,
    LifecycleEvent,
    LifecycleState,
    Municipality,
    OnboardingStatus,
)
from tenants.onboarding import onboarding_register
from tenants.services import municipality_set_state
from tenants.validation import OnboardingRequest, primary_domain_for
from thaiformat.bilingual import BilingualError

logger = logging.getLogger(__name__)

# Which states each lifecycle action may start from.
SUSPENDABLE = frozenset(
    {LifecycleState.TRIAL, LifecycleState.ACTIVE, LifecycleState.GRACE, LifecycleState.READ_ONLY}
)
RESUMABLE = frozenset({LifecycleState.SUSPENDED, LifecycleState.ARCHIVED})


class ConsoleActionRefused(BilingualError):
    """The action does not apply to the municipality as it is now."""


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ConsoleActionRefused(_("ต้องระบุเหตุผล"))
    return reason


def _record(
    municipality: Municipality, kind: str, actor: str, reason: str, **data: Any
) -> ConsoleAction:
    return ConsoleAction.objects.create(
        municipality=municipality, kind=kind, actor=actor[:150], reason=reason, data=data
    )


def _queue_onboarding(municipality_id: int) -> None:
    from tenants.tasks import onboarding_run

    # After the commit: the worker must see the municipality and its pending steps.
    transaction.on_commit(lambda: onboarding_run.delay(municipality_id))


@transaction.atomic
def onboarding_start(*, request: OnboardingRequest, actor: str) -> Municipality:
    """Register the municipality now (validation errors reach the form) and run its steps in
    the background; the wizard's progress page follows the recorded steps."""
    municipality = onboarding_register(request)
    _record(municipality, ConsoleActionKind.ONBOARDING_START, actor, str(_("เพิ่มจากหน้าเริ่มใช้งาน")))
    _queue_onboarding(municipality.pk)
    return municipality


@transaction.atomic
def onboarding_retry(*, municipality: Municipality, actor: str) -> Municipality:
    """Queue the onboarding again; it resumes at the first step that is not done."""
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if locked.onboarding_status == OnboardingStatus.DONE:
        raise ConsoleActionRefused(_("การเริ่มใช้งานเสร็จสิ้นแล้ว"))
    failed = list(
        locked.onboarding_steps.filter(status=OnboardingStatus.FAILED).values_list(
            "name", flat=True
        )
    )
    # Pending again at once, so that the progress page keeps polling until the worker reports.
    locked.onboarding_status = OnboardingStatus.PENDING
    locked.save(update_fields=["onboarding_status", "updated_at"])
    _record(
        locked,
        ConsoleActionKind.ONBOARDING_RETRY,
        actor,
        str(_("ลองใหม่จากขั้นตอนที่ล้มเหลว")),
        steps=failed,
    )
    _queue_onboarding(locked.pk)
    return locked


@transaction.atomic
def municipality_suspend(*, municipality: Municipality, actor: str, reason: str) -> Municipality:
    reason = _require_reason(reason)
    if municipality.state not in SUSPENDABLE:
        raise ConsoleActionRefused(
            _("ระงับไม่ได้ในสถานะ %(state)s"), state=municipality.get_state_display()
        )
    _record(municipality, ConsoleActionKind.SUSPEND, actor, reason)
    return municipality_set_state(
        municipality=municipality, state=LifecycleState.SUSPENDED, actor=actor, reason=reason
    )


def _state_before_suspension(municipality: Municipality) -> str:
    """The state the municipality had before it was suspended or archived (active if unknown)."""
    event = (
        LifecycleEvent.objects.filter(municipality=municipality, to_state__in=RESUMABLE)
        .exclude(from_state__in=RESUMABLE)
        .order_by("-created_at", "-id")
        .first()
    )
    return event.from_state if event is not None else LifecycleState.ACTIVE


@transaction.atomic
def municipality_resume(*, municipality: Municipality, actor: str, reason: str) -> Municipality:
    reason = _require_reason(reason)
    if municipality.state not in RESUMABLE:
        raise ConsoleActionRefused(
            _("เปิดใช้งานอีกครั้งได้เฉพาะหน่วยงานที่ถูกระงับหรือเก็บถาวร (สถานะปัจจุบัน %(state)s)"),
            state=municipality.get_state_display(),
        )
    target = _state_before_suspension(municipality)
    _record(municipality, ConsoleActionKind.RESUME, actor, reason, to_state=target)
    return municipality_set_state(
        municipality=municipality, state=target, actor=actor, reason=reason
    )


@transaction.atomic
def municipality_archive_from_console(
    *, municipality: Municipality, actor: str, reason: str
) -> Municipality:
    reason = _require_reason(reason)
    if municipality.state == LifecycleState.ARCHIVED:
        raise ConsoleActionRefused(_("หน่วยงานนี้เก็บถาวรแล้ว"))
    _record(municipality, ConsoleActionKind.ARCHIVE, actor, reason)
    return municipality_set_state(
        municipality=municipality, state=LifecycleState.ARCHIVED, actor=actor, reason=reason
    )


@transaction.atomic
def invitation_resend(*, municipality: Municipality, actor: str, reason: str) -> str:
    """E-mail the first administrator a new invitation link; returns the address it went to."""
    from accounts.models import User
    from accounts.services import user_send_invitation

    reason = _require_reason(reason)
    if municipality.onboarding_status != OnboardingStatus.DONE:
        raise ConsoleActionRefused(_("ยังเริ่มใช้งานไม่เสร็จ ส่งคำเชิญไม่ได้"))
    with municipality:
        user = User.objects.filter(username=municipality.admin_email).first()
        if user is None:
            raise ConsoleActionRefused(
                _("ไม่พบบัญชีผู้ดูแลระบบ %(email)s"), email=municipality.admin_email
            )
        if user.has_usable_password():
            raise ConsoleActionRefused(
                _("ผู้ดูแลระบบ %(email)s ตั้งรหัสผ่านแล้ว ไม่ต้องส่งคำเชิญอีก"), email=user.email
            )
        try:
            user_send_invitation(
                user=user,
                host=primary_domain_for(municipality.slug),
                organisation_name=municipality.name_th,
            )
        except OSError as exc:
            logger.warning("invitation to %s not sent: %s", user.email, exc)
            raise ConsoleActionRefused(
                _("ส่งอีเมลไม่สำเร็จ: %(error)s"), error=f"{type(exc).__name__}: {exc}"
            ) from exc
        address = str(user.email)
    _record(municipality, ConsoleActionKind.RESEND_INVITATION, actor, reason, to=address)
    return address
