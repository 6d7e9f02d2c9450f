"""Writes of the public site: one transaction each, recorded in the municipality's audit chain."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publicsite import selectors
from publicsite.models import PublishedAnnouncement, SiteContact
from registers.models import Letter
from registers.services.audit import audit_append
from thaiformat.bilingual import BilingualError


class PublicSiteError(BilingualError):
    pass


def site_contact_update(
    *,
    actor: Any,
    phone: str,
    office_hours: str,
    postal_address: str,
    announcement_text: str,
) -> SiteContact:
    """Save the contact page; the announcement is dated the day its text last changed."""
    with transaction.atomic():
        contact = SiteContact.objects.select_for_update().order_by("pk").first() or SiteContact()
        contact.phone = phone.strip()
        contact.office_hours = office_hours.strip()
        contact.postal_address = postal_address.strip()
        text = announcement_text.strip()
        if contact.announced_on is None or text != contact.announcement_text:
            contact.announced_on = timezone.localdate()
        contact.announcement_text = text
        contact.updated_by = actor
        contact.save()
        audit_append(
            action="site.contact",
            actor=actor,
            data={
                "phone": contact.phone,
                "office_hours": contact.office_hours,
                "postal_address": contact.postal_address,
                "announcement_text": contact.announcement_text,
                "announced_on": contact.announced_on,
            },
        )
    return contact


def announcement_publish(*, letter: Letter, actor: Any) -> PublishedAnnouncement:
    """Put a numbered order or announcement, with its PDF, on the public site (one action)."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if not selectors.letters_publishable().filter(pk=letter.pk).exists():
            raise PublicSiteError(
                _("เผยแพร่ได้เฉพาะหนังสือที่ออกเลขในทะเบียนคำสั่งหรือทะเบียนประกาศ และไม่มีชั้นความลับ")
            )
        pdf = selectors.main_pdf(letter)
        if pdf is None:
            raise PublicSiteError(_("หนังสือนี้ยังไม่มีไฟล์ PDF ของตัวหนังสือ แนบไฟล์ก่อนเผยแพร่"))
        publication = PublishedAnnouncement.objects.filter(letter=letter).first()
        if publication is not None and publication.is_public:
            raise PublicSiteError(_("หนังสือนี้เผยแพร่อยู่แล้ว"))
        publication = publication or PublishedAnnouncement(letter=letter)
        publication.register = selectors.register_of(letter)
        publication.reference = letter.reference
        publication.title = letter.subject
        publication.letter_date = letter.letter_date
        publication.attachment = pdf
        publication.published_at = timezone.now()
        publication.published_by = actor
        publication.withdrawn_at = None
        publication.withdrawn_by = None
        publication.withdraw_reason = ""
        publication.save()
        audit_append(
            action="site.publish",
            actor=actor,
            letter=letter,
            data={"publication": publication.pk, "attachment": pdf.pk},
        )
    return publication


def announcement_withdraw(
    *, publication: PublishedAnnouncement, actor: Any, reason: str = ""
) -> PublishedAnnouncement:
    """Take an announcement off the public site; the record of it having been public stays."""
    with transaction.atomic():
        publication = PublishedAnnouncement.objects.select_for_update().get(pk=publication.pk)
        if not publication.is_public:
            raise PublicSiteError(_("ประกาศนี้ถอนออกจากเว็บไซต์แล้ว"))
        publication.withdrawn_at = timezone.now()
        publication.withdrawn_by = actor
        publication.withdraw_reason = reason.strip()[:500]
        publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        audit_append(
            action="site.withdraw",
            actor=actor,
            letter=publication.letter,
            data={"publication": publication.pk, "reason": publication.withdraw_reason},
        )
    return publication
