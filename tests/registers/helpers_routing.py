"""Shared set-up of the routing, retention and reminder tests: staff in units, letters in states."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from tests.conftest import make_staff
from tests.registers.conftest import letter_input, pdf_bytes

_counter = iter(range(1, 10_000))


def staff(
    tenant: Any,
    username: str,
    *,
    unit: str | None = None,
    roles: tuple[str, ...] = ("officer",),
    **extra: Any,
) -> Any:
    return make_staff(tenant, username, role_codes=roles, org_unit_code=unit, **extra)


def unit_id(code: str) -> int:
    from accounts.models import OrgUnit

    return int(OrgUnit.objects.get(code=code).pk)


def registered_letter(clerk: Any, *, with_file: bool = False, **overrides: Any) -> Any:
    """An incoming letter, received and numbered (each with its own subject: no duplicates)."""
    from registers.inputs import FileInput
    from registers.services import letters as svc

    overrides.setdefault("subject", f"เรื่องทดสอบการส่งต่อ {next(_counter)}")
    files = [FileInput("หนังสือ.pdf", pdf_bytes())] if with_file else []
    letter = svc.intake_create(data=letter_input(**overrides), files=files, actor=clerk)
    svc.letter_register_incoming(letter=letter, actor=clerk)
    letter.refresh_from_db()
    return letter


def done_letter(clerk: Any, **overrides: Any) -> Any:
    from registers.services.routing import letter_close

    return letter_close(letter=registered_letter(clerk, **overrides), actor=clerk)


def stored_letter(clerk: Any, *, finished_on: date, **overrides: Any) -> Any:
    from registers.services.retention import letter_store

    letter = done_letter(clerk, **overrides)
    letter_store(letter=letter, actor=clerk, finished_on=finished_on, file_code="2.1")
    letter.refresh_from_db()
    return letter


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make django.utils.timezone.now() return ``moment`` (every caller reads it from there)."""
    from django.utils import timezone

    original = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = original
