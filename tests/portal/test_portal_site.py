"""A municipality's public site: contact page, channel announcement, publishing announcements."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for, make_staff
from tests.portal.helpers_portal import record_check
from tests.registers.conftest import letter_input, pdf_bytes

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


def _announcement(
    clerk: Any, subject: str, *, register: str = "announcement", pdf: bool = True
) -> Any:
    from registers.inputs import FileInput
    from registers.services.letters import letter_create_outgoing, letter_register_outgoing

    files = [FileInput("ประกาศ.pdf", pdf_bytes(subject))] if pdf else []
    letter = letter_create_outgoing(
        data=letter_input(kind="public_relations", sub_kind="announcement", subject=subject),
        files=files,
        actor=clerk,
    )
    letter_register_outgoing(letter=letter, register=register, actor=clerk)
    letter.refresh_from_db()
    return letter


def _logged_in(tenant: Any, user: Any) -> Client:
    client = client_for(tenant)
    with tenant:
        client.force_login(user)
    return client


def test_home_and_contact_pages_show_the_central_address_and_the_standard_announcement(
    alpha: Any, alpha_client: Client
) -> None:
    from mailhosting.selectors import primary_mail_domain

    domain = primary_mail_domain(municipality=alpha)
    assert domain is not None
    record_check(domain, ok=True)
    home = alpha_client.get("/").content.decode()
    assert "เทศบาลตำบลอัลฟา" in home and f"saraban@{domain.name}" in home
    assert "ตรวจสอบแล้ว" in home and alpha.officer_phone in home

    contact = alpha_client.get("/contact/").content.decode()
    assert "ช่องทางการติดต่อราชการทางอิเล็กทรอนิกส์" in contact
    assert "พ.ศ. 2565" in contact
    # The standard text's placeholders are filled in with this municipality's details.
    assert f"ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง (อีเมล): saraban@{domain.name}" in contact
    assert "$address" not in contact and "$name" not in contact


def test_tenant_admin_edits_the_contact_page_and_it_is_audited(alpha: Any) -> None:
    from registers.models import AuditEntry

    admin = make_staff(alpha, "siteadmin", role_codes=("tenant_admin",))
    clerk = make_staff(alpha, "siteclerk", role_codes=("central_clerk",))
    assert _logged_in(alpha, clerk).get("/staff/site/").status_code == 403
    client = _logged_in(alpha, admin)
    form = client.get("/staff/site/").content.decode()
    assert "พระราชบัญญัติการปฏิบัติราชการทางอิเล็กทรอนิกส์" in form  # the standard text, to edit

    response = client.post(
        "/staff/site/",
        {
            "phone": "043 999 888",
            "office_hours": "จันทร์-ศุกร์ 08.30-16.30 น.",
            "postal_address": "99 หมู่ 1 ตำบลอัลฟา\nอำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
            "announcement_text": "ประกาศ$name ติดต่อได้ที่ $address หรือโทร $phone $unknown",
        },
    )
    assert response.status_code == 302
    page = client_for(alpha).get("/contact/").content.decode()
    assert "ประกาศเทศบาลตำบลอัลฟา ติดต่อได้ที่ saraban@" in page
    assert "หรือโทร 043 999 888 $unknown" in page  # an unknown word stays as typed
    assert "99 หมู่ 1 ตำบลอัลฟา" in page and "จันทร์-ศุกร์ 08.30-16.30 น." in page
    with alpha:
        entry = AuditEntry.objects.filter(action="site.contact").get()
        assert entry.actor_id == admin.pk and entry.data["phone"] == "043 999 888"

    # A missing required field keeps what was typed and says what is missing.
    bad = client.post("/staff/site/", {"phone": "1", "office_hours": "", "postal_address": "x"})
    assert bad.status_code == 200 and 'value="1"' in bad.content.decode()


def test_announcement_published_with_its_pdf_then_withdrawn(alpha: Any) -> None:
    from publicsite.models import PublishedAnnouncement
    from registers.models import AuditEntry

    with alpha:
        clerk = make_staff(alpha, "pubclerk", role_codes=("central_clerk",))
        letter = _announcement(clerk, "ประกาศรับสมัครบุคคลเพื่อสรรหาเป็นพนักงานจ้าง")
        send_letter = letter_create_and_send(clerk)
    public = client_for(alpha)
    assert "ประกาศรับสมัครบุคคล" not in public.get("/announcements/").content.decode()

    staff = _logged_in(alpha, clerk)
    listing = staff.get("/staff/site/announcements/").content.decode()
    assert "ประกาศรับสมัครบุคคล" in listing
    assert send_letter.subject not in listing  # a send-register letter is not publishable
    assert staff.post(f"/staff/site/announcements/{letter.pk}/publish").status_code == 302

    page = public.get("/announcements/").content.decode()
    assert "ประกาศรับสมัครบุคคลเพื่อสรรหาเป็นพนักงานจ้าง" in page and letter.reference in page
    with alpha:
        publication = PublishedAnnouncement.objects.get(letter=letter)
    pdf = public.get(f"/announcements/{publication.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "ประกาศรับสมัครบุคคล" in public.get("/").content.decode()

    # Publishing twice is refused with a clear message; a send letter cannot be published.
    again = staff.post(f"/staff/site/announcements/{letter.pk}/publish", follow=True)
    assert "เผยแพร่อยู่แล้ว" in again.content.decode()
    assert staff.post(f"/staff/site/announcements/{send_letter.pk}/publish").status_code == 404

    withdrawn = staff.post(
        f"/staff/site/publications/{publication.pk}/withdraw", {"reason": "ปิดรับสมัครแล้ว"}
    )
    assert withdrawn.status_code == 302
    assert "ประกาศรับสมัครบุคคล" not in public.get("/announcements/").content.decode()
    assert public.get(f"/announcements/{publication.pk}.pdf").status_code == 404
    with alpha:
        actions = list(
            AuditEntry.objects.filter(letter=letter, action__startswith="site.").values_list(
                "action", "data__reason"
            )
        )
    assert actions == [("site.publish", None), ("site.withdraw", "ปิดรับสมัครแล้ว")]

    # Published again later, the same row comes back.
    assert staff.post(f"/staff/site/announcements/{letter.pk}/publish").status_code == 302
    assert "ประกาศรับสมัครบุคคล" in public.get("/announcements/").content.decode()


def letter_create_and_send(clerk: Any) -> Any:
    from registers.services.letters import letter_create_outgoing, letter_register_outgoing

    letter = letter_create_outgoing(
        data=letter_input(subject="ขอเชิญประชุมประจำเดือน"), files=[], actor=clerk
    )
    letter_register_outgoing(letter=letter, actor=clerk)
    return letter


def test_publishing_needs_the_pdf_and_no_secrecy(alpha: Any) -> None:
    from publicsite.services import PublicSiteError, announcement_publish

    with alpha:
        clerk = make_staff(alpha, "pdfclerk", role_codes=("central_clerk",))
        no_pdf = _announcement(clerk, "ประกาศไม่มีไฟล์", pdf=False)
        with pytest.raises(PublicSiteError, match="PDF"):
            announcement_publish(letter=no_pdf, actor=clerk)
        order = _announcement(clerk, "คำสั่งแต่งตั้งคณะกรรมการ", register="order")
        publication = announcement_publish(letter=order, actor=clerk)
        assert publication.register == "order"


def test_officers_cannot_publish(alpha: Any) -> None:
    with alpha:
        clerk = make_staff(alpha, "c1", role_codes=("central_clerk",))
        letter = _announcement(clerk, "ประกาศทดสอบสิทธิ์")
    officer = make_staff(alpha, "o1", role_codes=("officer",))
    client = _logged_in(alpha, officer)
    assert client.post(f"/staff/site/announcements/{letter.pk}/publish").status_code == 403
