"""Numbers per register and BE year in Bangkok time: never skipped, never reused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, connections, transaction

from registers.choices import EntryStatus, NumberingReset, RegisterKind
from registers.errors import InvalidState
from registers.models import RegisterEntry, RegistrySettings
from registers.services import letters as svc
from registers.services.numbering import format_number, period_for
from tests.registers.conftest import letter_input

pytestmark = [pytest.mark.registers]


def test_period_follows_bangkok_time_across_new_year() -> None:
    # 17:29 UTC on 31 Dec 2026 is 00:29 on 1 Jan 2027 in Bangkok: BE 2570.
    assert period_for(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2569
    assert period_for(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2570
    assert period_for(datetime(2026, 12, 31, 17, 29, tzinfo=UTC)) == 2570


def test_fiscal_period_starts_on_first_of_october_bangkok() -> None:
    fiscal = NumberingReset.FISCAL
    assert period_for(datetime(2026, 9, 30, 16, 59, tzinfo=UTC), fiscal) == 2569
    assert period_for(datetime(2026, 9, 30, 17, 0, tzinfo=UTC), fiscal) == 2570


def test_reference_formats() -> None:
    assert format_number(RegisterKind.SEND, 123, 2569, "ตร 52301") == "ตร 52301/123"
    assert format_number(RegisterKind.CIRCULAR, 45, 2569, "ตร 52301") == "ตร 52301/ว 45"
    assert format_number(RegisterKind.ORDER, 45, 2569, "ตร 52301") == "45/2569"
    assert format_number(RegisterKind.RECEIVE, 7, 2569, "ตร 52301") == "7"


def _receive(clerk: Any, at: datetime, **kw: Any) -> Any:
    letter = svc.intake_create(data=letter_input(**kw), actor=clerk)
    return svc.letter_register_incoming(letter=letter, actor=clerk, at=at)


@pytest.mark.django_db
def test_receive_numbers_restart_at_midnight_of_31_december_bangkok(clerk: Any) -> None:
    before = datetime(2026, 12, 31, 16, 58, tzinfo=UTC)  # 23:58 Bangkok, 31 Dec 2569
    after = datetime(2026, 12, 31, 17, 1, tzinfo=UTC)  # 00:01 Bangkok, 1 Jan 2570
    first = _receive(clerk, before, subject="ก่อนเที่ยงคืน 1")
    second = _receive(clerk, before, subject="ก่อนเที่ยงคืน 2")
    new_year = _receive(clerk, after, subject="หลังเที่ยงคืน")
    assert (first.period, first.number) == (2569, 1)
    assert (second.period, second.number) == (2569, 2)
    assert (new_year.period, new_year.number) == (2570, 1)


@pytest.mark.django_db
def test_fiscal_reset_is_a_tenant_option(clerk: Any) -> None:
    RegistrySettings.objects.update_or_create(
        pk=1, defaults={"numbering_reset": NumberingReset.FISCAL}
    )
    entry = _receive(clerk, datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    assert entry.period == 2570


@pytest.mark.django_db
def test_outgoing_reference_uses_the_tenant_prefix(clerk: Any) -> None:
    draft = svc.letter_create_outgoing(
        data=letter_input(channel="email", reference=""), actor=clerk
    )
    entry = svc.letter_register_outgoing(letter=draft, register=RegisterKind.SEND, actor=clerk)
    draft.refresh_from_db()
    assert draft.reference == f"ขก 72101/{entry.number}" == entry.reference
    circular = svc.letter_create_outgoing(data=letter_input(channel="email"), actor=clerk)
    c_entry = svc.letter_register_outgoing(
        letter=circular, register=RegisterKind.CIRCULAR, actor=clerk
    )
    assert c_entry.reference == f"ขก 72101/ว {c_entry.number}"
    order = svc.letter_create_outgoing(
        data=letter_input(channel="hand", kind="directive", sub_kind="order"), actor=clerk
    )
    o_entry = svc.letter_register_outgoing(letter=order, register=RegisterKind.ORDER, actor=clerk)
    assert o_entry.reference == f"{o_entry.number}/{o_entry.period}"
    with pytest.raises(InvalidState):
        svc.letter_register_outgoing(letter=draft, register=RegisterKind.SEND, actor=clerk)


@pytest.mark.django_db
def test_cancelled_entry_keeps_its_number_and_the_next_one_follows(clerk: Any) -> None:
    at = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    entry = _receive(clerk, at, subject="จะยกเลิก")
    cancelled = svc.entry_cancel(entry=entry, actor=clerk, reason="ลงรับซ้ำ")
    assert cancelled.status == EntryStatus.CANCELLED
    assert cancelled.cancelled_by == clerk and cancelled.cancel_reason == "ลงรับซ้ำ"
    following = _receive(clerk, at, subject="ฉบับถัดไป")
    assert following.number == entry.number + 1
    # The cancelled letter may be registered again, under a new number.
    again = svc.letter_register_incoming(letter=entry.letter, actor=clerk, at=at)
    assert again.number == following.number + 1


@pytest.mark.django_db
def test_reservation_blocks_numbers_and_a_letter_takes_one(clerk: Any) -> None:
    at = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    reservation = svc.numbers_reserve(
        register=RegisterKind.SEND, count=3, purpose="ประชุมสภาสมัยสามัญ", actor=clerk, at=at
    )
    entries = list(reservation.entries.order_by("number"))
    assert [e.status for e in entries] == [EntryStatus.RESERVED] * 3
    assert [e.number for e in entries] == list(
        range(reservation.first_number, reservation.last_number + 1)
    )
    draft = svc.letter_create_outgoing(data=letter_input(channel="email"), actor=clerk)
    used = svc.letter_register_outgoing(
        letter=draft, register=RegisterKind.SEND, actor=clerk, reserved_entry=entries[1]
    )
    assert used.pk == entries[1].pk and used.status == EntryStatus.ACTIVE
    fresh = svc.letter_create_outgoing(data=letter_input(channel="email"), actor=clerk)
    next_entry = svc.letter_register_outgoing(letter=fresh, register=RegisterKind.SEND, actor=clerk)
    assert next_entry.number == reservation.last_number + 1


@pytest.mark.django_db
def test_a_failed_registration_leaves_no_gap(clerk: Any) -> None:
    at = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    first = _receive(clerk, at, subject="หนึ่ง")
    letter = svc.intake_create(data=letter_input(subject="สอง"), actor=clerk)
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.letter_register_incoming(letter=letter, actor=clerk, at=at)
        raise RuntimeError("crash after numbering")
    retried = svc.letter_register_incoming(letter=letter, actor=clerk, at=at)
    assert retried.number == first.number + 1


def test_concurrent_registration_gives_every_number_once(committed_tenant: Any) -> None:
    """Eight threads, each with its own connection, register 15 letters each (committed)."""
    from tests.conftest import make_staff

    alpha = committed_tenant
    user = make_staff(alpha, "concurrent", role_codes=("central_clerk",))
    with alpha:
        letters = [
            svc.intake_create(data=letter_input(subject=f"พร้อมกัน {i}"), actor=user).pk
            for i in range(120)
        ]
    errors: list[BaseException] = []

    def work(chunk: list[int]) -> None:
        try:
            with alpha:
                from registers.models import Letter

                for pk in chunk:
                    svc.letter_register_incoming(letter=Letter.objects.get(pk=pk), actor=user)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(letters[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with alpha:
        numbers = sorted(
            RegisterEntry.objects.filter(
                register=RegisterKind.RECEIVE, letter_id__in=letters
            ).values_list("number", flat=True)
        )
        assert numbers == list(range(numbers[0], numbers[0] + 120))
    connection.set_schema_to_public()
