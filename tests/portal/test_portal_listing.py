"""The apex's site listing: who is listed, search tolerant of spelling and spacing, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.selectors import FAILING_LISTED_DAYS, ListingFilters, listing_page
from tests.portal.helpers_portal import listed_municipality, record_check

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


def _names(filters: ListingFilters) -> list[str]:
    _page, entries = listing_page(filters)
    return [e.name_th for e in entries]


def test_only_verified_live_addresses_are_listed(public_client: Client) -> None:
    _m, verified = listed_municipality("เทศบาลตำบลศิลา", "Sila Subdistrict Municipality")
    record_check(verified, ok=True)
    _m, _pending = listed_municipality("เทศบาลตำบลบ้านทุ่ม")  # never checked
    _m, never_ok = listed_municipality("เทศบาลตำบลท่าพระ")
    record_check(never_ok, ok=False)  # checked, never passed: still pending
    _suspended, dom = listed_municipality("เทศบาลตำบลพระลับ", state="suspended")
    record_check(dom, ok=True)
    _archived, dom = listed_municipality("เทศบาลตำบลโคกสี", state="archived")
    record_check(dom, ok=True)

    body = public_client.get("/", {"province": "ขอนแก่น"}).content.decode()
    assert "เทศบาลตำบลศิลา" in body
    assert f"saraban@{verified.name}" in body
    assert "043 000 000" in body
    for hidden in ("บ้านทุ่ม", "ท่าพระ", "พระลับ", "โคกสี"):
        assert hidden not in body


def test_an_address_that_stops_verifying_is_flagged_then_hidden(public_client: Client) -> None:
    now = timezone.now()
    _m, domain = listed_municipality("เทศบาลตำบลเมืองเก่า", "Mueang Kao")
    record_check(domain, ok=True, at=now - timedelta(days=3))
    record_check(domain, ok=False, at=now - timedelta(days=2))

    _page, entries = listing_page(ListingFilters(q="เมืองเก่า"))
    assert [e.name_th for e in entries] == ["เทศบาลตำบลเมืองเก่า"]
    assert not entries[0].verified
    assert entries[0].failing_since == now - timedelta(days=2)
    body = public_client.get("/", {"q": "เมืองเก่า"}).content.decode()
    assert "ไม่ผ่านการตรวจสอบ DNS ตั้งแต่" in body

    # Days later than FAILING_LISTED_DAYS after its last good check, it drops out.
    later = now + timedelta(days=FAILING_LISTED_DAYS)
    from portal.selectors import listing_queryset

    assert not listing_queryset(ListingFilters(q="เมืองเก่า"), now=later).exists()
    # And comes back as soon as it verifies again.
    record_check(domain, ok=True)
    assert _names(ListingFilters(q="เมืองเก่า")) == ["เทศบาลตำบลเมืองเก่า"]


@pytest.mark.parametrize(
    "query",
    [
        "ศิลา",  # part of the name
        "เทศบาลตำบล ศิลา",  # with a space
        "ทต.ศิลา",  # the abbreviation
        "ศีลา",  # wrong vowel
        "ศิล่า",  # a tone mark too many
        "sila",  # English, lower case
        "SILA Municipality",
        "Silla",  # a letter too many
    ],
)
def test_search_tolerates_spelling_and_spacing(query: str) -> None:
    _m, domain = listed_municipality("เทศบาลตำบลศิลา", "Sila Subdistrict Municipality")
    record_check(domain, ok=True)
    _m, other = listed_municipality("เทศบาลตำบลบ้านค้อ", "Ban Kho Subdistrict Municipality")
    record_check(other, ok=True)
    names = _names(ListingFilters(q=query))
    assert names and names[0] == "เทศบาลตำบลศิลา"
    assert "เทศบาลตำบลบ้านค้อ" not in names


def test_a_misspelt_consonant_in_a_longer_name_still_finds_it() -> None:
    _m, domain = listed_municipality("เทศบาลตำบลโนนสะอาด", "Non Sa-at")
    record_check(domain, ok=True)
    _m, other = listed_municipality("เทศบาลตำบลหนองเรือ", "Nong Ruea")
    record_check(other, ok=True)
    assert _names(ListingFilters(q="โนนสอาด"))[:1] == ["เทศบาลตำบลโนนสะอาด"]
    assert _names(ListingFilters(q="Non Saat"))[:1] == ["เทศบาลตำบลโนนสะอาด"]


def test_filters_by_province_and_type() -> None:
    for name, province, kind in (
        ("เทศบาลตำบลก", "ขอนแก่น", "subdistrict_municipality"),
        ("องค์การบริหารส่วนตำบลข", "ขอนแก่น", "sao"),
        ("เทศบาลตำบลค", "ตราด", "subdistrict_municipality"),
    ):
        _m, domain = listed_municipality(name, province=province, organisation_type=kind)
        record_check(domain, ok=True)
    in_kk = _names(ListingFilters(province="ขอนแก่น"))
    assert "เทศบาลตำบลก" in in_kk and "องค์การบริหารส่วนตำบลข" in in_kk
    assert "เทศบาลตำบลค" not in in_kk
    assert _names(ListingFilters(province="ขอนแก่น", organisation_type="sao")) == [
        "องค์การบริหารส่วนตำบลข"
    ]
    # Unknown values are ignored, never an error.
    assert ListingFilters.from_query({"province": "Atlantis", "type": "x"}) == ListingFilters()


def test_listing_page_costs_the_same_queries_for_3_or_30_rows(public_client: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert public_client.get("/", {"province": "ชัยภูมิ"}).status_code == 200
        return len(captured)

    for n in range(3):
        _m, domain = listed_municipality(f"เทศบาลตำบลทดสอบ{n}", province="ชัยภูมิ")
        record_check(domain, ok=True)
    few = queries()
    for n in range(3, 30):
        _m, domain = listed_municipality(f"เทศบาลตำบลทดสอบ{n}", province="ชัยภูมิ")
        record_check(domain, ok=True)
    assert queries() == few


def test_paginated_and_bilingual(public_client: Client) -> None:
    for n in range(30):
        _m, domain = listed_municipality(f"เทศบาลตำบลหน้า{n:02d}", province="น่าน")
        record_check(domain, ok=True)
    first = public_client.get("/", {"province": "น่าน"}).content.decode()
    assert "หน้า 1 จาก 2" in first
    second = public_client.get("/", {"province": "น่าน", "page": "2"}).content.decode()
    assert "หน้า 2 จาก 2" in second and "เทศบาลตำบลหน้า29" in second
    public_client.cookies["django_language"] = "en"
    english = public_client.get("/", {"province": "น่าน"}).content.decode()
    assert '<html lang="en">' in english


def test_the_search_key_works_with_an_empty_search_path() -> None:
    """pg_restore rebuilds the trigram index with search_path = '': the functions must find
    each other by their schema, or a whole-database restore stops at that index."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = ''")
        cursor.execute("SELECT public.portal_listing_key(%s, %s)", ["เทศบาลตำบลสาธิต", "Sathit"])
        (key,) = cursor.fetchone()
    assert key.startswith("สาธต") and key.endswith("sathit")
