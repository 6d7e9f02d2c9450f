"""The audit trail: every register action, hash-chained, append-only, verifiable."""

from __future__ import annotations

import itertools
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction

from registers.models import AuditEntry
from registers.services import letters as svc
from registers.services.audit import audit_verify
from tests.registers.conftest import letter_input

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def test_register_actions_are_chained(clerk: Any) -> None:
    letter = svc.intake_create(data=letter_input(), actor=clerk)
    entry = svc.letter_register_incoming(letter=letter, actor=clerk)
    svc.entry_cancel(entry=entry, actor=clerk, reason="ผิดพลาด")
    actions = list(AuditEntry.objects.filter(letter=letter).values_list("action", flat=True))
    assert actions == ["intake.create", "register.receive", "register.cancel"]
    links = list(AuditEntry.objects.order_by("seq"))
    for before, after in itertools.pairwise(links):
        assert after.prev_hash == before.hash
    assert audit_verify().ok


def test_database_refuses_to_change_or_delete_a_link(clerk: Any) -> None:
    svc.intake_create(data=letter_input(), actor=clerk)
    link = AuditEntry.objects.order_by("-seq").first()
    assert link is not None
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=link.pk).update(action="tampered")
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=link.pk).delete()


def test_verify_command_names_the_first_broken_link(clerk: Any, in_alpha: Any) -> None:
    for i in range(3):
        svc.intake_create(data=letter_input(subject=f"เรื่องที่ {i}"), actor=clerk)
    middle = AuditEntry.objects.order_by("-seq")[1]
    # Someone with database rights bypasses the trigger and edits a link.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser skips triggers
        cursor.execute(
            'UPDATE registers_auditentry SET data = \'{"channel": "forged"}\' WHERE id = %s',
            [middle.pk],
        )
        cursor.execute("SET session_replication_role = origin")
    report = audit_verify()
    assert report.first_broken_seq == middle.seq
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", schema=in_alpha.schema_name, stdout=out, stderr=out)
    assert f"#{middle.seq}" in out.getvalue()
