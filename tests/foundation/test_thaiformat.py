from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from thaiformat import dates

pytestmark = pytest.mark.foundation
UTC = dt.UTC


def test_full_thai_date_in_buddhist_era() -> None:
    assert dates.format_thai_date(dt.date(2021, 5, 25)) == "25 พฤษภาคม 2564"
    assert dates.format_thai_date(dt.date(2021, 5, 25), digits="thai") == "๒๕ พฤษภาคม ๒๕๖๔"
    assert dates.format_thai_date(dt.date(2026, 11, 21), short=True) == "21 พ.ย. 2569"


def test_datetime_uses_the_bangkok_calendar_day() -> None:
    # 17:30 UTC on 31 December is 00:30 on 1 January in Bangkok: the new year.
    moment = dt.datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert dates.be_year(moment) == 2569
    assert dates.format_thai_datetime(moment) == "1 มกราคม 2569 เวลา 00:30 น."
    assert dates.be_year(dt.datetime(2025, 12, 31, 16, 59, tzinfo=UTC)) == 2568


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        dates.be_year(dt.datetime(2025, 1, 1))


def test_digits_round_trip() -> None:
    assert dates.arabic_digits(dates.thai_digits("ตร 52301/123")) == "ตร 52301/123"
    assert dates.thai_digits(45) == "๔๕"


def test_bangkok_zone() -> None:
    assert ZoneInfo("Asia/Bangkok") == dates.BANGKOK
