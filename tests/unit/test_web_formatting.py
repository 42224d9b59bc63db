"""How the pages write money and time: Babel by currency and language, never rounding a minor unit away, never
taking a float; instants in the agency's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.http.web.formatting import date_filter, datetime_filter, money_text


def test_money_is_written_by_currency_and_language_from_integer_minor_units():
    assert money_text(123456, "USD", "en_US") == "$1,234.56"
    assert money_text(123456, "USD", "es_US") == "$1,234.56"
    assert money_text(-5, "USD", "en_US") == "-$0.05"
    assert money_text(1000, "JPY", "en_US") == "¥1,000"  # no minor unit
    assert money_text(1234567, "BHD", "en_US") == "BHD1,234.567"  # three decimals, none dropped
    assert money_text(123456, "EUR", "es_US") == "EUR1,234.56"


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        money_text(12.34, "USD", "en_US")  # type: ignore[arg-type]


class _Ctx(dict):
    pass


def test_instants_show_in_the_agencys_zone_and_dates_stay_the_date_they_are():
    ctx = _Ctx(locale="en_US", timezone="America/New_York")
    evening_utc = dt.datetime(2026, 11, 3, 2, 30, tzinfo=dt.timezone.utc)  # 9:30 PM the 2nd in New York
    assert datetime_filter(ctx, evening_utc) == "Nov 2, 2026, 9:30:00\u202fPM"
    assert date_filter(ctx, evening_utc) == "Nov 2, 2026"
    assert date_filter(ctx, dt.date(2026, 11, 3)) == "Nov 3, 2026"
    assert date_filter(_Ctx(locale="es_US", timezone="America/New_York"), "2026-11-03") == "3 nov 2026"
    assert datetime_filter(ctx, "2026-11-03T02:30:00Z") == "Nov 2, 2026, 9:30:00\u202fPM"
