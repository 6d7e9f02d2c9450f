"""Every staff page opens for the roles that use it, and refuses the others."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.registers.helpers_views import intake_letter, registered_letter, staff_client, text_of

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

CLERK, UNIT_CLERK, EXECUTIVE, OFFICER, ADMIN = (
    "central_clerk",
    "unit_clerk",
    "executive",
    "officer",
    "tenant_admin",
)
EVERYONE = (CLERK, UNIT_CLERK, EXECUTIVE, OFFICER, ADMIN)

# page -> roles that may open it (all others get 403)
PAGES: dict[str, tuple[str, ...]] = {
    "/staff/": EVERYONE,
    "/staff/intake/": (CLERK, UNIT_CLERK, ADMIN),
    "/staff/intake/new/": (CLERK, UNIT_CLERK, ADMIN),
    "/staff/registers/receive/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
    "/staff/registers/send/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
    "/staff/registers/circular/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
    "/staff/registers/order/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
    "/staff/registers/announcement/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
    "/staff/reserve/": (CLERK, UNIT_CLERK, ADMIN),
    "/staff/outgoing/new/": EVERYONE,
    "/staff/tasks/": EVERYONE,
    "/staff/overdue/": EVERYONE,
    "/staff/delegations/": EVERYONE,
    "/staff/search/": EVERYONE,
    "/staff/reports/": (CLERK, UNIT_CLERK, EXECUTIVE, ADMIN),
}


@pytest.mark.parametrize("role", EVERYONE)
def test_each_page_opens_for_its_roles_and_refuses_the_others(alpha: Any, role: str) -> None:
    client, _user = staff_client(alpha, f"u-{role}", role)
    for url, allowed in PAGES.items():
        response = client.get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (url, role, response.status_code)
        if expected == 403:
            assert "ไม่มีสิทธิ์" in response.content.decode()


def test_menu_shows_what_the_role_uses(alpha: Any) -> None:
    officer, _ = staff_client(alpha, "officer1", OFFICER)
    clerk, _ = staff_client(alpha, "clerk1", CLERK)
    officer_menu = text_of(officer.get("/staff/"))
    clerk_menu = text_of(clerk.get("/staff/"))
    for item in ("ภาพรวม", "หนังสือส่ง", "งานของฉัน", "เรื่องค้าง", "ค้นหา"):
        assert item in officer_menu and item in clerk_menu
    for item in ("รอลงรับ", "ทะเบียน", "รายงาน"):
        assert item in clerk_menu
    assert "รอลงรับ" not in officer_menu and "รายงาน" not in officer_menu


def test_dashboard_counts_the_queue_and_shows_roles(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk2", CLERK)
    intake_letter(alpha, clerk, subject="หนังสือรอลงรับฉบับหนึ่ง")
    intake_letter(alpha, clerk, subject="หนังสือรอลงรับฉบับสอง", reference="ขก 1/2")
    page = text_of(client.get("/staff/"))
    assert "2 รอลงรับ" in page
    assert "หนังสือรอลงรับฉบับสอง" in page
    assert "เจ้าหน้าที่สารบรรณกลาง" in page  # the person's role


def test_anonymous_goes_to_the_login_page(alpha: Any) -> None:
    client = client_for(alpha)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_unknown_register_is_404(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk3", CLERK)
    assert client.get("/staff/registers/payroll/").status_code == 404


def test_letter_page_opens_and_an_unknown_letter_is_404(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk4", CLERK)
    letter = registered_letter(alpha, clerk)
    response = client.get(f"/staff/letters/{letter.pk}/")
    assert response.status_code == 200
    page = text_of(response)
    assert letter.subject in page and "ทะเบียนหนังสือรับ 1/" in page
    assert client.get(f"/staff/letters/{letter.pk + 1000}/").status_code == 404


def test_classified_letter_is_404_for_people_not_named(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk5", CLERK)
    officer, _ = staff_client(alpha, "officer5", OFFICER)
    secret = intake_letter(alpha, clerk, secrecy="confidential", subject="เรื่องลับ")
    assert client.get(f"/staff/letters/{secret.pk}/").status_code == 200  # its creator
    assert officer.get(f"/staff/letters/{secret.pk}/").status_code == 404
    with alpha:
        from accounts.models import User
        from registers.services.letters import letter_grant_access

        letter_grant_access(
            letter=secret, actor=clerk, user_ids=[User.objects.get(username="officer5").pk]
        )
    assert officer.get(f"/staff/letters/{secret.pk}/").status_code == 200


def test_a_beta_user_cannot_reach_alphas_letters(alpha: Any, beta: Any) -> None:
    alpha_clerk, clerk = staff_client(alpha, "clerk6", CLERK)
    letter = registered_letter(alpha, clerk, subject="เรื่องของอัลฟาเท่านั้น")
    beta_clerk, _ = staff_client(beta, "clerk6", CLERK)
    response = beta_clerk.get(f"/staff/letters/{letter.pk}/")
    assert response.status_code == 404
    assert "เรื่องของอัลฟาเท่านั้น" not in response.content.decode()
    # Alpha's session cookie means nothing on beta's host.
    stolen = Client(HTTP_HOST=client_for(beta).defaults["HTTP_HOST"])
    stolen.cookies["sessionid"] = alpha_clerk.cookies["sessionid"].value
    refused = stolen.get(f"/staff/letters/{letter.pk}/")
    assert refused.status_code == 302 and "/accounts/login/" in refused.url
