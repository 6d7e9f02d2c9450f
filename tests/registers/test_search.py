"""Thai search: words inside longer words, Thai and Arabic digits, attachments, filters, secrecy."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import OrgUnit, Role
from registers.choices import RegisterKind, Secrecy, Urgency
from registers.models import Attachment, Letter
from registers.search import query as search_query
from registers.search.indexing import letter_reindex
from registers.search.query import letters_search, matches, visible_letters
from registers.search.terms import (
    ALPHABET,
    GramStats,
    build_tsquery,
    document_lexemes,
    normalize,
    query_word,
    query_words,
)
from registers.selectors.letters import letters_visible_to
from registers.services import letters as svc
from tests.conftest import make_staff
from tests.registers.conftest import letter_input

pytestmark = [pytest.mark.registers]


def _ids(user: Any, query: str = "", **filters: Any) -> list[int]:
    return list(letters_search(user=user, query=query, **filters).values_list("pk", flat=True))


def _intake(clerk: Any, **overrides: Any) -> Letter:
    overrides.setdefault("reference", "")
    return svc.intake_create(data=letter_input(**overrides), actor=clerk)


# --- what goes in and what is asked ---------------------------------------------------------


def test_normalize_makes_digits_arabic_and_fixes_sara_am() -> None:
    assert normalize("ที่ ขก ๐๐๒๓.๓/ว ๑๒๓๔") == "ที่ ขก 0023.3/ว 1234"
    assert normalize("น\u0e4d\u0e49\u0e32") == "น้ำ"  # นํ้า as some PDFs give it
    assert normalize("ABC\u200bdef") == "abcdef"


def test_document_holds_words_and_every_trigram() -> None:
    lexemes = document_lexemes("การประชุมสภา ๑๒๓")
    assert {"การประชุม", "สภา"} <= lexemes  # newmm's words
    assert {"ประ", "ระช", "ะชุ", "ชุม", "123", "23", "3"} <= lexemes


def test_query_words_are_thai_words_and_digits() -> None:
    assert query_words("ขอเชิญประชุม ๒๕๖๙") == ["ขอ", "เชิญ", "ประชุม", "2569"]
    assert build_tsquery("") is None
    assert build_tsquery("  / ") is None
    assert build_tsquery("ขอ") == "'ขอ':*"
    assert build_tsquery("ประชุม") == "'ประ' & 'ระช' & 'ะชุ' & 'ชุม'"
    # A one-letter word narrows nothing: dropped unless it is the whole query.
    assert build_tsquery("ว 1234") == "'123' & '234'"
    assert build_tsquery("ว") == "'ว':*"


def test_only_the_rarest_grams_of_a_word_are_asked_for() -> None:
    stats = GramStats({"ประ": 0.6, "ชุม": 0.3, "ระช": 0.01}, floor=0.001)
    word = query_word("ประชุม", stats)
    assert word.grams == ("ระช", "ะชุ", "ชุม")  # the three rarest, in reading order
    assert word.frequency == 0.001  # "ะชุ" is rarer than anything listed
    assert query_word("ประชุม").grams == ("ประ", "ระช", "ะชุ", "ชุม")  # no statistics: all


def test_a_common_two_letter_word_is_spelled_out_for_gin() -> None:
    common = query_word("ขก", GramStats({"ขก": 0.2, "ขกร": 0.01}, floor=0.001))
    assert common.frequency == pytest.approx(0.21)
    assert common.tsquery == "'ขก':*"
    assert common.gin_tsquery.startswith("('ขก' | 'ขกก' | 'ขกข'")
    assert common.gin_tsquery.count(" | ") == len(ALPHABET)
    rare = query_word("ดุ", GramStats({"ดุล": 0.02}, floor=0.001))
    assert rare.gin_tsquery == rare.tsquery == "'ดุ':*"


@pytest.mark.django_db
def test_spelled_out_and_prefix_find_the_same_letters(clerk: Any) -> None:
    # "ขก" at the end of a chunk, before Thai, ASCII and an en dash (outside the alphabet).
    wanted = [
        _intake(clerk, subject=subject) for subject in ("ที่ ขก 0023", "คำว่าขกร", "ขก/123", "ขก–ร่าง")
    ]
    _intake(clerk, subject="ขอนแก่น กข")
    word = query_word("ขก")  # no statistics in the test database: spelled out
    assert "|" in word.gin_tsquery
    expected = {letter.pk for letter in wanted}
    for tsquery in (word.tsquery, word.gin_tsquery):
        assert set(Letter.objects.filter(matches(tsquery)).values_list("pk", flat=True)) == expected


@pytest.mark.django_db
def test_quotes_and_backslashes_are_quoted(clerk: Any) -> None:
    letter = _intake(clerk, subject="เรื่อง it's a back\\slash")
    for word in ("it's", "k\\sl"):
        found = Letter.objects.filter(matches(query_word(word).tsquery)).values_list(
            "pk", flat=True
        )
        assert list(found) == [letter.pk], word
    # Nothing but punctuation: no words, so no text condition (as an empty query).
    assert _ids(clerk, "':* | !") == _ids(clerk, "")


# --- finding letters ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_word_in_the_middle_of_a_subject(clerk: Any) -> None:
    wanted = _intake(clerk, subject="ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น ประจำปี 2569")
    _intake(clerk, subject="ขอส่งรายงานการเงินประจำเดือน")
    assert _ids(clerk, "คณะกรรมการ") == [wanted.pk]
    assert _ids(clerk, "พัฒนาท้องถิ่น") == [wanted.pk]
    assert _ids(clerk, "ท้องถิ่น") == [wanted.pk]
    assert _ids(clerk, "งบประมาณ") == []


@pytest.mark.django_db
def test_part_of_a_dictionary_compound(clerk: Any) -> None:
    # newmm reads "การประชุม|สภา" and "เทศบาลตำบล" as words; their parts must still be found.
    wanted = _intake(clerk, subject="การประชุมสภาเทศบาลตำบลอัลฟา", sender="เทศบาลตำบลอัลฟา")
    _intake(clerk, subject="ขอความอนุเคราะห์รถบรรทุกน้ำ", recipient="ปลัดเทศบาล")
    for word in ("ประชุม", "สภา", "ตำบล", "อัลฟา", "ประชุมสภา"):
        assert _ids(clerk, word) == [wanted.pk], word


@pytest.mark.django_db
def test_all_words_are_required(clerk: Any) -> None:
    both = _intake(clerk, subject="ขอเชิญประชุมสภาเทศบาล")
    meeting = _intake(clerk, subject="ขอเชิญประชุมคณะผู้บริหาร")
    assert _ids(clerk, "ประชุม สภา") == [both.pk]
    # Thai typed without spaces is broken into words; each is required.
    assert _ids(clerk, "ขอเชิญสภา") == [both.pk]
    assert _ids(clerk, "ประชุม") == [meeting.pk, both.pk]  # newest first


@pytest.mark.django_db
def test_reference_in_thai_or_arabic_digits(clerk: Any) -> None:
    thai = _intake(clerk, reference="ขก ๐๐๒๓.๓/ว ๑๒๓๔", subject="หนังสือเลขไทย")
    arabic = _intake(clerk, reference="ขก 0023.5/ว 5678", subject="หนังสือเลขอารบิก")
    assert _ids(clerk, "1234") == [thai.pk]
    assert _ids(clerk, "๑๒๓๔") == [thai.pk]
    assert _ids(clerk, "0023.3") == [thai.pk]
    assert _ids(clerk, "๕๖๗๘") == [arabic.pk]
    assert _ids(clerk, "ว 5678") == [arabic.pk]
    assert _ids(clerk, "0023") == [arabic.pk, thai.pk]


@pytest.mark.django_db
def test_words_of_references_and_enclosures(clerk: Any) -> None:
    from registers.inputs import ReferenceInput

    letter = _intake(
        clerk,
        subject="ขอส่งเอกสาร",
        references=(ReferenceInput(reference="มท 0810.4/ว 777", subject="แนวทางการจัดซื้อ"),),
        enclosures=("บัญชีรายชื่อผู้สูงอายุ",),
    )
    assert _ids(clerk, "0810.4") == [letter.pk]
    assert _ids(clerk, "จัดซื้อ") == [letter.pk]
    assert _ids(clerk, "ผู้สูงอายุ") == [letter.pk]


@pytest.mark.django_db
def test_a_word_in_an_attached_pdf(clerk: Any) -> None:
    letter = _intake(clerk, subject="ขอส่งสำเนาคำสั่ง")
    Attachment.objects.create(
        letter=letter,
        role="main",
        file="tenants/alpha/letters/test.pdf",
        original_name="คำสั่ง.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        text="ให้ขุดลอกคลองส่งน้ำ หมู่ที่ ๗ ตำบลน้ำใส",
    )
    assert _ids(clerk, "ขุดลอกคลอง") == []  # not in the document until it is rebuilt
    letter_reindex(letter)
    assert _ids(clerk, "ขุดลอกคลอง") == [letter.pk]
    assert _ids(clerk, "คลองส่งน้ำ น้ำใส") == [letter.pk]


@pytest.mark.django_db
def test_register_numbers_after_reindex(clerk: Any) -> None:
    letter = _intake(clerk, subject="ลงรับแล้วค้นด้วยเลขรับ")
    at = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    entry = svc.letter_register_incoming(letter=letter, actor=clerk, at=at)
    letter_reindex(letter)
    assert _ids(clerk, f"{entry.number}/{entry.period}") == [letter.pk]


# --- filters --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters(clerk: Any) -> None:
    finance = OrgUnit.objects.exclude(pk=clerk.org_unit_id).order_by("pk").first()
    assert finance is not None
    at_2569 = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    at_2570 = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
    received = _intake(clerk, subject="ประชุมรับ", urgency=Urgency.URGENT)
    svc.letter_register_incoming(letter=received, actor=clerk, at=at_2569)
    late = _intake(clerk, subject="ประชุมรับปีหน้า", owner_unit_id=finance.pk)
    svc.letter_register_incoming(letter=late, actor=clerk, at=at_2570)
    draft = svc.letter_create_outgoing(
        data=letter_input(channel="email", reference="", subject="ประชุมส่ง"), actor=clerk
    )
    sent = svc.letter_register_outgoing(
        letter=draft, register=RegisterKind.SEND, actor=clerk, at=at_2569
    )
    waiting = _intake(clerk, subject="ประชุมรอลงรับ")
    Letter.objects.filter(pk__in=[received.pk, late.pk, draft.pk]).update(created_at=at_2569)
    Letter.objects.filter(pk=waiting.pk).update(created_at=datetime(2027, 2, 1, 3, tzinfo=UTC))

    assert set(_ids(clerk, "ประชุม")) == {received.pk, late.pk, draft.pk, waiting.pk}
    assert set(_ids(clerk, "ประชุม", register="receive")) == {received.pk, late.pk}
    assert _ids(clerk, "ประชุม", register="send") == [sent.letter_id]
    assert set(_ids(clerk, "ประชุม", year=2569)) == {received.pk, draft.pk}
    # A letter without an entry counts in the year it was created (Bangkok time).
    assert set(_ids(clerk, "ประชุม", year=2570)) == {late.pk, waiting.pk}
    assert _ids(clerk, "ประชุม", register="receive", year=2570) == [late.pk]
    assert _ids(clerk, "ประชุม", urgency=Urgency.URGENT) == [received.pk]
    assert _ids(clerk, "ประชุม", unit_id=finance.pk) == [late.pk]
    assert _ids(clerk, "ประชุม", status="intake") == [waiting.pk]
    # Filters alone (no words) list every visible letter that matches them.
    assert _ids(clerk, register="send") == [draft.pk]


@pytest.mark.django_db
def test_newest_first_and_without_the_search_vector(clerk: Any) -> None:
    first = _intake(clerk, subject="ประชุมหนึ่ง")
    second = _intake(clerk, subject="ประชุมสอง")
    results = list(letters_search(user=clerk, query="ประชุม"))
    assert [letter.pk for letter in results] == [second.pk, first.pk]
    assert "search_document" in results[0].get_deferred_fields()


@pytest.mark.django_db
def test_common_matches_walk_the_primary_key_on_a_page(
    clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    letters = [_intake(clerk, subject=f"ขอเชิญประชุม ครั้งที่ {i}") for i in range(12)]
    _intake(clerk, subject="เรื่องอื่น")
    monkeypatch.setattr(search_query, "SMALL_TABLE", 0)
    monkeypatch.setattr(search_query, "FEW_MATCHES", 0)
    monkeypatch.setattr(search_query, "PROBE_ROWS", 10)
    monkeypatch.setattr(search_query, "PAGE", 1)  # so that 10 hits in 10 letters decide it
    results = letters_search(user=clerk, query="ประชุม")
    page = results[:5]
    assert "ts_match_vq" in str(page.query)  # tested letter by letter, newest first
    assert '."id" DESC' in str(page.query)
    assert [letter.pk for letter in page] == [letter.pk for letter in letters[::-1][:5]]
    assert "ts_match_vq" not in str(results.query)  # unsliced (and counting): GIN
    assert results.count() == 12
    # Rare matches: a page from GIN, sorted by an id PostgreSQL cannot walk.
    monkeypatch.setattr(search_query, "PAGE", 50)
    monkeypatch.setattr(search_query, "PROBE_ROWS", 1000)
    rare = letters_search(user=clerk, query="ครั้งที่ 11")[:5]
    assert "ts_match_vq" not in str(rare.query) and '"id" + 0' in str(rare.query)
    assert [letter.pk for letter in rare] == [letters[11].pk]


# --- secrecy --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confidential_letter_only_for_the_people_named_on_it(clerk: Any, in_alpha: Any) -> None:
    officer = make_staff(in_alpha, "officer1", role_codes=("officer",))
    executive = make_staff(in_alpha, "exec1", role_codes=("executive",))
    secret = _intake(clerk, subject="เรื่องลับการสอบสวนวินัย", secrecy=Secrecy.CONFIDENTIAL)
    public = _intake(clerk, subject="เรื่องทั่วไปการสอบสวน")
    assert _ids(clerk, "สอบสวน") == [public.pk, secret.pk]  # the clerk registered it
    assert _ids(officer, "สอบสวน") == [public.pk]
    assert _ids(officer, "วินัย") == []
    assert _ids(officer, "") == [public.pk]
    svc.letter_grant_access(letter=secret, actor=clerk, user_ids=[officer.pk])
    assert _ids(officer, "วินัย") == [secret.pk]
    assert _ids(executive, "วินัย") == []
    role = Role.objects.get(code="executive")
    svc.letter_grant_access(letter=secret, actor=clerk, role_ids=[role.pk])
    assert _ids(executive, "วินัย") == [secret.pk]


@pytest.mark.django_db
def test_visibility_agrees_with_the_selector(clerk: Any, in_alpha: Any) -> None:
    officer = make_staff(in_alpha, "officer2", role_codes=("officer",))
    executive = make_staff(in_alpha, "exec2", role_codes=("executive",))
    letters = [
        _intake(clerk, subject=f"เรื่อง {i}", secrecy=secrecy)
        for i, secrecy in enumerate([Secrecy.NORMAL, Secrecy.CONFIDENTIAL, Secrecy.SECRET] * 2)
    ]
    svc.letter_grant_access(letter=letters[1], actor=clerk, user_ids=[officer.pk])
    svc.letter_grant_access(
        letter=letters[2], actor=clerk, role_ids=[Role.objects.get(code="executive").pk]
    )
    svc.letter_grant_access(letter=letters[4], actor=clerk, user_ids=[officer.pk, executive.pk])
    for user in (clerk, officer, executive):
        expected = set(letters_visible_to(user).values_list("pk", flat=True))
        assert set(visible_letters(user).values_list("pk", flat=True)) == expected
        # No duplicates although a letter may name a person twice (in person and by role).
        assert len(_ids(user)) == len(expected)


# --- rebuilding -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reindex_command_rebuilds_every_document(clerk: Any, in_alpha: Any) -> None:
    letters = [_intake(clerk, subject=f"ขออนุมัติโครงการที่ {i}") for i in range(7)]
    Letter.objects.update(search_document=None)
    assert _ids(clerk, "อนุมัติ") == []
    out = StringIO()
    call_command("reindex_letters", schema=in_alpha.schema_name, batch_size=3, stdout=out)
    assert set(_ids(clerk, "อนุมัติ")) == {letter.pk for letter in letters}
    assert "7/7" in out.getvalue() and "reindexed" in out.getvalue()


@pytest.mark.django_db
def test_reindex_with_worker_processes(clerk: Any) -> None:
    from registers.search.indexing import letters_reindex

    letters = [_intake(clerk, subject=f"ขอรับการสนับสนุนงบประมาณ {i}") for i in range(5)]
    Letter.objects.update(search_document=None)
    seen: list[tuple[int, int]] = []
    done = letters_reindex(batch_size=2, workers=2, progress=lambda d, t: seen.append((d, t)))
    assert done == seen[-1][0] == seen[-1][1] == Letter.objects.count()
    assert set(_ids(clerk, "สนับสนุน")) == {letter.pk for letter in letters}
