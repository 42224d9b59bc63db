"""Federal Reserve business days, checked against the Reserve Banks' published holiday schedules."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from payments.business_days import BusinessCalendar, FedHoliday, fed_holidays_observed
from payments.errors import InvalidInput

ET = ZoneInfo("America/New_York")
FED = BusinessCalendar()


def test_2026_fed_holidays_match_the_published_schedule():
    # Published: Jan 1, Jan 19, Feb 16, May 25, Jun 19, Jul 4 (Saturday: Banks open Friday Jul 3),
    # Sep 7, Oct 12, Nov 11, Nov 26, Dec 25.
    assert sorted(fed_holidays_observed(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]
    assert FED.is_business_day(date(2026, 7, 3))  # the Friday before Saturday 4 July stays open


def test_2027_fed_holidays_match_the_published_schedule():
    # Published: Jan 1, Jan 18, Feb 15, May 31, Jun 19 (Saturday), Jul 4 (Sunday: closed Monday Jul 5),
    # Sep 6, Oct 11, Nov 11, Nov 25, Dec 25 (Saturday).
    observed = fed_holidays_observed(2027)
    assert sorted(observed) == [
        date(2027, 1, 1),
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 5, 31),
        date(2027, 7, 5),
        date(2027, 9, 6),
        date(2027, 10, 11),
        date(2027, 11, 11),
        date(2027, 11, 25),
    ]
    assert observed[date(2027, 7, 5)] is FedHoliday.INDEPENDENCE_DAY
    assert FED.is_business_day(date(2027, 6, 18))
    assert FED.is_business_day(date(2027, 12, 24))
    # 1 Jan 2028 is a Saturday: the Fed does not close on Friday 31 Dec 2027.
    assert FED.is_business_day(date(2027, 12, 31))


def test_juneteenth_starts_in_2022_and_its_first_observance_was_monday_20_june():
    assert date(2021, 6, 18) not in fed_holidays_observed(2021)
    assert fed_holidays_observed(2022)[date(2022, 6, 20)] is FedHoliday.JUNETEENTH


def test_thanksgiving_is_the_fourth_thursday_even_when_the_month_starts_on_friday():
    assert date(2024, 11, 28) in fed_holidays_observed(2024)  # Nov 2024 starts on a Friday
    assert date(2023, 11, 23) in fed_holidays_observed(2023)


def test_next_business_day_skips_a_weekend_and_a_monday_holiday():
    # Saturday 16 Jan 2027 -> Sunday -> MLK Monday 18 Jan -> Tuesday 19 Jan
    assert FED.next_business_day_on_or_after(date(2027, 1, 16)) == date(2027, 1, 19)
    assert FED.next_business_day_on_or_after(date(2027, 1, 19)) == date(2027, 1, 19)


def test_add_business_days_counts_only_open_days_both_ways():
    # Wednesday 24 Nov 2027 + 2: Thanksgiving Thursday closed -> Friday 26, Monday 29
    assert FED.add_business_days(date(2027, 11, 24), 2) == date(2027, 11, 29)
    assert FED.add_business_days(date(2027, 11, 29), -2) == date(2027, 11, 24)
    assert FED.add_business_days(date(2027, 11, 27), 0) == date(2027, 11, 29)
    assert FED.business_days_between(date(2027, 11, 24), date(2027, 11, 29)) == 2


def test_extra_closures_from_config_are_not_business_days():
    mourning = date(2025, 1, 9)  # the national day of mourning for President Carter
    calendar = BusinessCalendar.with_closures([mourning])
    assert not calendar.is_business_day(mourning)
    assert FED.is_business_day(mourning)
    assert calendar.add_business_days(date(2025, 1, 8), 1) == date(2025, 1, 10)


def test_a_request_after_cutoff_rolls_to_the_next_business_day():
    calendar = BusinessCalendar(cutoff=time(14, 0))
    friday = date(2026, 11, 27)
    assert calendar.effective_business_date(datetime(2026, 11, 27, 13, 59, tzinfo=ET)) == friday
    assert calendar.effective_business_date(datetime(2026, 11, 27, 14, 0, tzinfo=ET)) == date(2026, 11, 30)
    # 18:30 UTC on a winter Friday is 13:30 in New York: still before the cut-off.
    assert calendar.effective_business_date(datetime(2026, 11, 27, 18, 30, tzinfo=timezone.utc)) == friday
    # A request on Thanksgiving itself counts for Friday.
    assert calendar.effective_business_date(datetime(2026, 11, 26, 9, 0, tzinfo=ET)) == friday


def test_a_naive_request_time_is_refused():
    with pytest.raises(InvalidInput) as err:
        FED.effective_business_date(datetime(2026, 1, 5, 9, 0))
    assert err.value.code == "naive_datetime"
