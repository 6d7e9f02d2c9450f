"""Helpers of the staff-page tests: logged-in browsers on a tenant's host, letters made fast."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.conftest import client_for, make_staff
from tests.registers.conftest import letter_input

HTMX = {"HTTP_HX_REQUEST": "true"}


def staff_client(tenant: Any, username: str, *roles: str, **extra: Any) -> tuple[Client, Any]:
    """A browser on ``tenant``'s host, logged in as a new staff member with ``roles``."""
    user = make_staff(tenant, username, role_codes=roles, **extra)
    client = client_for(tenant)
    with tenant:
        client.force_login(user)
    return client, user


def intake_letter(tenant: Any, actor: Any, files: tuple[Any, ...] = (), **overrides: Any) -> Any:
    from registers.services.letters import intake_create

    with tenant:
        return intake_create(data=letter_input(**overrides), files=files, actor=actor)


def registered_letter(tenant: Any, actor: Any, **overrides: Any) -> Any:
    from registers.services.letters import letter_register_incoming

    letter = intake_letter(tenant, actor, **overrides)
    with tenant:
        letter_register_incoming(letter=letter, actor=actor)
        letter.refresh_from_db()
    return letter


def text_of(response: Any) -> str:
    """The page's visible text, tags stripped and spaces collapsed (for phrase checks)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def manual_form(**overrides: Any) -> dict[str, Any]:
    """The intake form as a clerk fills it in (BE date as typed), with an empty ref formset."""
    data: dict[str, Any] = {
        "reference": "ขก 0023.3/ว 5555",
        "letter_date": "20/11/2569",
        "sender": "ที่ทำการปกครองจังหวัดขอนแก่น",
        "recipient": "นายกเทศมนตรีตำบลอัลฟา",
        "subject": "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น",
        "kind": "external",
        "sub_kind": "",
        "urgency": "normal",
        "secrecy": "normal",
        "channel": "hand",
        "ref-TOTAL_FORMS": "1",
        "ref-INITIAL_FORMS": "0",
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "10",
        "ref-0-reference": "",
        "ref-0-letter_date": "",
        "ref-0-subject": "",
    }
    data.update(overrides)
    return data
