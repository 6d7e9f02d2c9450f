"""Register numbers: per register and Buddhist-Era year in Asia/Bangkok, never skipped or reused.

A number is taken with one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on the counter row.
The row stays locked until the caller's transaction ends, and the entry that uses the number is
written in that same transaction: if it rolls back, so does the counter, so no gap can appear.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from registers.choices import NumberingReset, RegisterKind
from thaiformat.dates import BANGKOK

FISCAL_YEAR_FIRST_MONTH = 10  # the Thai fiscal year starts on 1 October


def period_for(moment: datetime, reset: str = NumberingReset.CALENDAR) -> int:
    """The BE year a number given at ``moment`` belongs to, in Bangkok time."""
    local = moment.astimezone(BANGKOK)
    year = local.year + 543
    if reset == NumberingReset.FISCAL and local.month >= FISCAL_YEAR_FIRST_MONTH:
        year += 1
    return year


def numbers_take(sequence: str, period: int, count: int = 1) -> range:
    """Take the next ``count`` numbers of a sequence. Must run inside the caller's transaction."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO registers_numbercounter (sequence, period, last_number)
            VALUES (%s, %s, %s)
            ON CONFLICT (sequence, period)
            DO UPDATE SET last_number = registers_numbercounter.last_number + EXCLUDED.last_number
            RETURNING last_number
            """,
            [sequence, period, count],
        )
        row = cursor.fetchone()
    assert row is not None
    last = int(row[0])
    return range(last - count + 1, last + 1)


def sequence_for(register: str, *, circular_own_sequence: bool = True) -> str:
    """Circulars usually have their own sequence; a tenant may share the send sequence."""
    if register == RegisterKind.CIRCULAR and not circular_own_sequence:
        return RegisterKind.SEND
    return register


def format_number(register: str, number: int, period: int, prefix: str) -> str:
    """ที่ as written on the letter: ``ตร 52301/123``, ``ตร 52301/ว 45`` or ``45/2569``."""
    if register == RegisterKind.SEND:
        return f"{prefix}/{number}"
    if register == RegisterKind.CIRCULAR:
        return f"{prefix}/ว {number}"
    if register in (RegisterKind.ORDER, RegisterKind.ANNOUNCEMENT):
        return f"{number}/{period}"
    return str(number)
