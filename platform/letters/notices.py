"""E-mail to the approver when an approved letter cannot be signed (letters.services.issuing
decides when: once per run of failures, when it turns permanent or has lasted a while)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from letters.choices import SigningState
from letters.models import IssuedLetter
from letters.services.issuing import site_url
from registers.agency import current_agency
from thaiformat.dates import format_thai_datetime

logger = logging.getLogger(__name__)


def _addressees(issued: IssuedLetter) -> list[Any]:
    """Who signs and who approved (often the same person), if they can read mail."""
    people: dict[int, Any] = {}
    for user in (issued.signer, issued.issued_by):
        if user is not None and user.is_active and user.email:
            people.setdefault(user.pk, user)
    return list(people.values())


def signing_failure_notify(*, issued_id: int) -> int:
    """Mail the letter's signer and approver why it is not signed and what to do; returns how
    many were mailed (none once it is signed, or for a letter that is gone)."""
    issued = (
        IssuedLetter.objects.select_related("letter", "signer", "issued_by")
        .filter(pk=issued_id)
        .first()
    )
    if issued is None or not issued.signing_failing:
        return 0
    sent = 0
    with translation.override("th"):
        agency = current_agency().name_th
        letter = issued.letter
        # The e-mail leaves the system: a classified letter's subject stays in it.
        subject_text = letter.subject
        if letter.is_restricted:
            subject_text = _("หนังสือชั้นความลับ (%(secrecy)s) โปรดเปิดดูในระบบ") % {
                "secrecy": letter.get_secrecy_display()
            }
        context = {
            "reference": letter.reference,
            "subject": subject_text,
            "issued_at": format_thai_datetime(issued.issued_at),
            "error": issued.signing_error,
            "stopped": issued.signing_state == SigningState.FAILED,
            "link": site_url("letters:draft-detail", issued.draft_id),
            "agency_name": agency,
        }
        subject = _("[%(agency)s] หนังสือที่ %(reference)s ยังลงนามไม่สำเร็จ") % {
            "agency": agency,
            "reference": letter.reference,
        }
        with get_connection() as mail:
            for user in _addressees(issued):
                body = render_to_string(
                    "letters/email/signing_failed.txt",
                    {**context, "name": user.get_full_name() or user.username},
                )
                message = EmailMessage(subject=subject, body=body, to=[user.email])
                message.connection = mail
                try:
                    message.send()
                    sent += 1
                except Exception:  # one bad address must not keep the other from knowing
                    logger.exception("signing failure notice to user %s failed", user.pk)
    return sent
