"""Reads of the public site, inside the current municipality's schema."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from mailhosting.selectors import central_address, central_address_verified
from publicsite.models import PublishedAnnouncement, SiteContact
from publicsite.texts import ChannelDetails, fill, standard_announcement
from registers.choices import AttachmentRole, EntryStatus, RegisterKind, Secrecy
from registers.models import Attachment, Letter, RegisterEntry
from tenants.db import tenant_connection as connection

PUBLISHABLE_REGISTERS = (RegisterKind.ANNOUNCEMENT, RegisterKind.ORDER)
DEFAULT_OFFICE_HOURS = "วันจันทร์ ถึง วันศุกร์ เวลา 08.30 - 16.30 น. (เว้นวันหยุดราชการ)"


def site_contact() -> SiteContact:
    """The saved contact row, or an unsaved one with the defaults."""
    contact = SiteContact.objects.order_by("pk").first()
    return contact or SiteContact(office_hours=DEFAULT_OFFICE_HOURS)


def channel_details(contact: SiteContact, *, website: str) -> ChannelDetails:
    tenant = connection.tenant
    address = central_address(municipality=tenant) or "-"
    return ChannelDetails(
        name=str(getattr(tenant, "name_th", "")),
        address=address,
        phone=contact.phone or str(getattr(tenant, "officer_phone", "")) or "-",
        website=website,
        hours=contact.office_hours or DEFAULT_OFFICE_HOURS,
        postal=contact.postal_address.replace("\n", " ") or "-",
    )


def channel_announcement(contact: SiteContact, details: ChannelDetails) -> str:
    return fill(contact.announcement_text or standard_announcement(), details)


def central_address_public() -> tuple[str | None, bool]:
    """This municipality's saraban@ address and whether its DNS checks pass (control plane)."""
    tenant = connection.tenant
    return (
        central_address(municipality=tenant),
        central_address_verified(municipality=tenant),
    )


def announcements_public() -> QuerySet[PublishedAnnouncement]:
    return PublishedAnnouncement.objects.filter(withdrawn_at__isnull=True).order_by(
        "-published_at", "-pk"
    )


def announcement_public_or_none(pk: int) -> PublishedAnnouncement | None:
    return announcements_public().select_related("attachment").filter(pk=pk).first()


def main_pdf(letter: Letter) -> Attachment | None:
    """The letter's own PDF (not an enclosure, not removed by destruction), newest first."""
    return (
        letter.attachments.filter(
            role=AttachmentRole.MAIN, removed_at__isnull=True, content_type="application/pdf"
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def letters_publishable() -> QuerySet[Letter]:
    """Letters numbered in the orders or announcements register that anyone may read."""
    numbered = RegisterEntry.objects.filter(
        letter=OuterRef("pk"), register__in=PUBLISHABLE_REGISTERS, status=EntryStatus.ACTIVE
    )
    return (
        Letter.objects.filter(Exists(numbered), secrecy=Secrecy.NORMAL)
        .select_related("publication")
        .order_by("-letter_date", "-pk")
    )


def register_of(letter: Letter) -> str:
    entry = (
        RegisterEntry.objects.filter(
            letter=letter, register__in=PUBLISHABLE_REGISTERS, status=EntryStatus.ACTIVE
        )
        .order_by("-registered_at")
        .first()
    )
    return entry.register if entry else ""


def register_label(register: str) -> str:
    return _("คำสั่ง") if register == RegisterKind.ORDER else _("ประกาศ")
