"""Log in, log out and password reset by e-mail on a tenant's own site, Thai first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import client_for, make_staff

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]


def test_login_page_is_thai_first_and_english_on_request(alpha_client: Client) -> None:
    page = alpha_client.get("/accounts/login/").content.decode()
    assert "เข้าสู่ระบบ" in page and "ชื่อผู้ใช้" in page and 'lang="th"' in page
    alpha_client.cookies["django_language"] = "en"
    english = alpha_client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in english and "Sign in" in english


def test_browser_language_does_not_override_thai(alpha_client: Client) -> None:
    page = alpha_client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.headers["Content-Language"] == "th"


def test_wrong_password_keeps_the_username_and_says_why(alpha: Any) -> None:
    make_staff(alpha, username="malee", password="correct-horse-2569")
    response = client_for(alpha).post("/accounts/login/", {"username": "malee", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in body and 'value="malee"' in body


def test_logout(alpha_staff_client: Client) -> None:
    assert alpha_staff_client.get("/staff/").status_code == 200
    assert alpha_staff_client.post("/accounts/logout/").status_code == 302
    assert alpha_staff_client.get("/staff/").status_code == 302


def test_password_reset_by_email_on_the_tenants_host(alpha: Any) -> None:
    make_staff(alpha, username="wichai", password="old-password-2569", email="wichai@alpha.example")
    client = client_for(alpha)
    response = client.post("/accounts/password-reset/", {"email": "wichai@alpha.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    new = "new-password-สารบรรณ-2569"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert (
        client.post("/accounts/login/", {"username": "wichai", "password": new}).status_code == 302
    )


def test_password_reset_for_another_tenants_email_sends_nothing(alpha: Any, beta: Any) -> None:
    make_staff(alpha, username="only-alpha", email="only@alpha.example")
    response = client_for(beta).post("/accounts/password-reset/", {"email": "only@alpha.example"})
    assert response.status_code == 302  # same answer, so addresses cannot be probed
    assert mail.outbox == []
