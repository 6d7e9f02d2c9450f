"""Onboarding's mail step (plugged in through settings.ONBOARDING_EXTRA_STEPS)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mailhosting.services import mail_provision
from tenants.models import Municipality
from tenants.onboarding import Step


def _run(municipality: Municipality) -> None:
    mail_provision(municipality=municipality)


step_mail = Step("mail", _("ตั้งค่าโดเมนอีเมล กุญแจ DKIM และที่อยู่ saraban@"), _run)
