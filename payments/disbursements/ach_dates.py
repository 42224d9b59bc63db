"""When an ACH run goes out and when it settles: business days, cut-offs and same-day service. Pure.

A run is *sent* on its processing date (the next business day whose cut-off has not passed) and asks the
bank for an effective (settlement) date: the next business day for ordinary ACH, the processing date itself
for same-day ACH, which the rail must offer and whose cut-off must not have passed.
"""

from __future__ import annotations

import datetime as dt

from payments.business_days import BusinessCalendar
from payments.errors import Conflict
from payments.disbursements.rails import RailCapabilities


class SameDayUnavailable(Conflict):
    """Same-day settlement was asked for and cannot be had (the rail has none, or today's cut-off has passed)."""

    code = "same_day_unavailable"

    def __init__(self, why: str) -> None:
        super().__init__(f"same-day ACH is not available: {why}; plan an ordinary run instead", reason=why)


def effective_entry_date(requested: dt.date, now: dt.datetime, calendar: BusinessCalendar) -> dt.date:
    """The next business day on or after ``requested``, and never a day whose cut-off has passed at ``now``.

    This is the day the run's batch is sent (its processing date); what the batch asks for as its settlement
    date is ``settlement_date``.
    """
    earliest = calendar.effective_business_date(now)
    return calendar.next_business_day_on_or_after(max(requested, earliest))


def settlement_date(processing: dt.date, calendar: BusinessCalendar,
                    capabilities: RailCapabilities | None = None) -> dt.date:
    """The effective entry date of an ordinary (not same-day) payment sent on ``processing``.

    Next-day ACH: the next business day (an ACH entry dated the day it is sent would ask for same-day
    settlement, with its fee and its limit). A rail that executes on the day (lag 0) keeps ``processing``.
    """
    lag = capabilities.settlement_lag_business_days if capabilities is not None else 1
    return calendar.add_business_days(processing, lag) if lag else calendar.next_business_day_on_or_after(processing)


def same_day_refusal(processing: dt.date, now: dt.datetime, calendar: BusinessCalendar,
                     capabilities: RailCapabilities | None) -> str | None:
    """Why a batch sent on ``processing`` cannot settle that same day, or None when it can.

    Same-day means: the rail offers it, the batch is sent today (a business day), and before the rail's
    same-day cut-off (the cut-off instant itself is already closed, as with the daily cut-off).
    """
    if capabilities is None or not capabilities.same_day or capabilities.same_day_cutoff is None:
        return "the rail offers no same-day service"
    local = now.astimezone(calendar.tz)
    if processing != local.date():
        return f"a run for {processing.isoformat()} cannot settle on the day it is planned ({local.date().isoformat()})"
    if not calendar.is_business_day(local.date()):
        return f"{local.date().isoformat()} is not a business day"
    if local.time() >= capabilities.same_day_cutoff:
        return f"it is {local:%H:%M}, past the {capabilities.same_day_cutoff:%H:%M} same-day cut-off"
    return None
