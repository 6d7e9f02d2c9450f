"""Helpers of the API tests: staff with tokens, API clients on a tenant's own host."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.conftest import host_of, make_staff

RECEIVE_FIELDS: dict[str, Any] = {
    "channel": "hand",
    "reference": "ขก 0023.3/ว 1234",
    "letter_date": "2026-11-20",
    "sender": "ที่ทำการปกครองจังหวัดขอนแก่น",
    "recipient": "นายกเทศมนตรีตำบลอัลฟา",
    "subject": "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น",
}


def api_client(tenant: Any, token: str | None = None, **defaults: Any) -> APIClient:
    """An API client on the tenant's host, with ``Authorization: Bearer <token>`` if given."""
    client = APIClient(HTTP_HOST=host_of(tenant), **defaults)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def staff_with_token(tenant: Any, username: str, *roles: str, **extra: Any) -> tuple[Any, str]:
    """A staff member of ``tenant`` with the given roles, and a fresh raw API token of theirs."""
    from registers.api.tokens import api_token_create

    user = make_staff(tenant, username, role_codes=roles, **extra)
    with tenant:
        _token, raw = api_token_create(user=user, name=f"tests {username}")
    return user, raw


def is_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)
