"""Business days on the US Federal Reserve calendar.

Payments settle through the Federal Reserve, so a "business day" is a weekday on which the Reserve Banks are
open. Holidays are computed by rule for any year, so the calendar never runs out; agencies add their own
closures (a presidential day of mourning, a local closure) as extra dates from configuration.

The Fed's observed rule differs from the federal-employee rule (5 U.S.C. 6103): a holiday on a Sunday is
observed the following Monday, but a holiday on a Saturday is NOT moved to Friday; the Reserve Banks are open
that Friday (stated on every Reserve Bank's published holiday schedule).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo
from payments.errors import NaiveDatetime


# Juneteenth became a federal holiday on 17 June 2021; the Reserve Banks first closed for it in 2022.
_JUNETEENTH_FIRST_YEAR = 2022


class FedHoliday(enum.Enum):
    """A Federal Reserve System holiday."""

    NEW_YEARS_DAY = "new_years_day"
    """1 January."""
    MLK_DAY = "mlk_day"
    """Birthday of Martin Luther King, Jr.: third Monday of January."""
    WASHINGTONS_BIRTHDAY = "washingtons_birthday"
    """Washington's Birthday (Presidents Day): third Monday of February."""
    MEMORIAL_DAY = "memorial_day"
    """Last Monday of May."""
    JUNETEENTH = "juneteenth"
    """Juneteenth National Independence Day: 19 June, from 2022."""
    INDEPENDENCE_DAY = "independence_day"
    """4 July."""
    LABOR_DAY = "labor_day"
    """First Monday of September."""
    COLUMBUS_DAY = "columbus_day"
    """Second Monday of October."""
    VETERANS_DAY = "veterans_day"
    """11 November."""
    THANKSGIVING_DAY = "thanksgiving_day"
    """Fourth Thursday of November."""
    CHRISTMAS_DAY = "christmas_day"
    """25 December."""


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


_MON, _THU = 0, 3


def fed_holidays_nominal(year: int) -> dict[FedHoliday, date]:
    """Each holiday's own date in ``year``, before the Sunday-to-Monday observance rule."""
    days = {
        FedHoliday.NEW_YEARS_DAY: date(year, 1, 1),
        FedHoliday.MLK_DAY: _nth_weekday(year, 1, _MON, 3),
        FedHoliday.WASHINGTONS_BIRTHDAY: _nth_weekday(year, 2, _MON, 3),
        FedHoliday.MEMORIAL_DAY: _last_weekday(year, 5, _MON),
        FedHoliday.INDEPENDENCE_DAY: date(year, 7, 4),
        FedHoliday.LABOR_DAY: _nth_weekday(year, 9, _MON, 1),
        FedHoliday.COLUMBUS_DAY: _nth_weekday(year, 10, _MON, 2),
        FedHoliday.VETERANS_DAY: date(year, 11, 11),
        FedHoliday.THANKSGIVING_DAY: _nth_weekday(year, 11, _THU, 4),
        FedHoliday.CHRISTMAS_DAY: date(year, 12, 25),
    }
    if year >= _JUNETEENTH_FIRST_YEAR:
        days[FedHoliday.JUNETEENTH] = date(year, 6, 19)
    return dict(sorted(days.items(), key=lambda kv: kv[1]))


@lru_cache(maxsize=256)
def fed_holidays_observed(year: int) -> dict[date, FedHoliday]:
    """The days in ``year`` on which the Reserve Banks are closed for a holiday (weekdays only).

    Sunday holidays move to Monday; Saturday holidays are dropped (the Banks stay open that Friday).
    """
    observed: dict[date, FedHoliday] = {}
    for holiday, day in fed_holidays_nominal(year).items():
        if day.weekday() == 6:
            observed[day + timedelta(days=1)] = holiday
        elif day.weekday() < 5:
            observed[day] = holiday
    return observed


@dataclass(frozen=True)
class BusinessCalendar:
    """The Fed calendar plus extra closures from configuration, with a daily cut-off time.

    ``cutoff`` is a wall-clock time in ``tz``; a request at or after it belongs to the next business day
    (the cut-off instant itself is already closed, the way a bank's "by 2:00 p.m." window is read).
    """

    extra_closures: frozenset[date] = field(default_factory=frozenset)
    cutoff: time = time(14, 0)
    # Resolved when a calendar is built, not at import, so importing the domain never needs tzdata.
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/New_York"))

    @classmethod
    def with_closures(cls, closures: Iterable[date], **kwargs: Any) -> BusinessCalendar:
        return cls(extra_closures=frozenset(closures), **kwargs)

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in fed_holidays_observed(day.year)
            and day not in self.extra_closures
        )

    def next_business_day_on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """Move ``n`` business days from ``day`` (negative goes back); ``n == 0`` rolls forward to one."""
        if n == 0:
            return self.next_business_day_on_or_after(day)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in the half-open interval (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def effective_business_date(self, at: datetime) -> date:
        """The business day a request made at instant ``at`` counts for.

        Before the cut-off on a business day: that day. At or after the cut-off, or on a weekend or
        holiday: the next business day. ``at`` must be timezone-aware; it is read in the calendar's zone.
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveDatetime(
                                "The request time must carry a timezone to be compared with the cut-off.",
                                at=at.isoformat(),
                                )
        local = at.astimezone(self.tz)
        day = local.date()
        if self.is_business_day(day) and local.time() < self.cutoff:
            return day
        return self.next_business_day_on_or_after(day + timedelta(days=1))
