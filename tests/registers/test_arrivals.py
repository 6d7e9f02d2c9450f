"""Letters that arrive in a batch (the mail ingest's group commit): numbered in order in one
transaction, audited, owed their notices, and made findable by the task after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from registers.choices import Channel, LetterStatus
from registers.errors import InvalidLetter
from registers.inputs import FileInput
from registers.models import Attachment, Letter
from registers.search.query import letters_search
from registers.services.arrivals import Arrival, letters_arrive
from registers.services.audit import audit_verify
from registers.tasks.indexing import index_missing_letters
from tests.registers.conftest import letter_input
from tests.registers.helpers_pdf import thai_pdf

pytestmark = [pytest.mark.registers]


def _arrival(n: int, *, register: bool, pdf: bytes) -> Arrival:
    data = letter_input(
        channel=Channel.EMAIL,
        subject=f"ขอเชิญประชุมคณะกรรมการ ครั้งที่ {n}",
        sender_email=f"saraban@amphoe{n}.go.th",
        message_id=f"<batch-{n}@amphoe.go.th>",
    )
    return Arrival(
        data=data,
        files=[(FileInput(name=f"หนังสือ {n}.pdf", content=pdf), "application/pdf")],
        register=register,
    )


def test_a_batch_is_numbered_in_order_audited_and_indexed_after_commit(
    in_alpha: Any, clerk: Any
) -> None:
    pdf = thai_pdf(body="งบประมาณเทศบัญญัติฝายน้ำล้น")
    with transaction.atomic():
        arrived = letters_arrive(
            [_arrival(1, register=True, pdf=pdf), _arrival(2, register=False, pdf=pdf),
             _arrival(3, register=True, pdf=pdf)],
            actor=clerk,
        )  # fmt: skip
    assert [a.letter.status for a in arrived] == [
        LetterStatus.REGISTERED, LetterStatus.INTAKE, LetterStatus.REGISTERED,
    ]  # fmt: skip
    first, second = arrived[0].entry, arrived[2].entry
    assert first is not None and second is not None and arrived[1].entry is None
    assert second.number == first.number + 1
    assert audit_verify().ok
    # The PDF's text, the search document and the stamp wait for the task (the sweep here).
    unindexed = Letter.objects.filter(search_document__isnull=True)
    assert unindexed.count() == 3
    assert not Attachment.objects.exclude(text="").exists()
    assert index_missing_letters() == 3
    assert not unindexed.exists()
    found = letters_search(user=clerk, query="ฝายน้ำล้น")
    assert {letter.pk for letter in found} == {a.letter.pk for a in arrived}
    stamped = Attachment.objects.filter(role="stamped")
    assert {a.letter_id for a in stamped} == {arrived[0].letter.pk, arrived[2].letter.pk}
    assert index_missing_letters() == 0


def test_a_bad_letter_rolls_the_whole_batch_back(in_alpha: Any, clerk: Any) -> None:
    from registers.choices import Secrecy

    pdf = thai_pdf()
    top_secret = Arrival(
        data=letter_input(channel=Channel.EMAIL, secrecy=Secrecy.TOP_SECRET),
        files=[(FileInput(name="x.pdf", content=pdf), "application/pdf")],
    )
    before = Letter.objects.count()
    with pytest.raises(InvalidLetter), transaction.atomic():
        letters_arrive([_arrival(4, register=True, pdf=pdf), top_secret], actor=clerk)
    assert Letter.objects.count() == before
