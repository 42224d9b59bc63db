"""The date a released run's payments really go out with, decided once, when the run is claimed for submission.

A run is planned (and released) for a settlement date; it is sent later, sometimes much later: a treasurer
releases a same-day run after the same-day cut-off, or an ordinary run the day after it was planned. A file
dated for a settlement the bank can no longer give would claim same-day settlement it is not entitled to (an
ACH entry dated the day it is sent asks for same-day settlement) or carry a stale date. So at claim time every
payment whose date can no longer be had is moved to the earliest ordinary settlement date, and the run says why.

The decision is made in the claim's transaction, before the submission exists: from then on the dates are
stored, and every delivery of that submission (a retry after a timeout, a recovery after a crash, a second
process) builds its file from the stored dates, so the file and its trace numbers never change once written.
Amounts stay as released: discount and interest were priced for the planned date, and re-pricing would change
what the treasurer released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from payments.business_days import BusinessCalendar
from payments.payment_records import PaymentRecord, PaymentRunRecord
from payments.payment_runs import effective_entry_date, same_day_refusal, settlement_date
from payments.rails import RailCapabilities

SAME_DAY_MISSED = "same_day_cutoff_passed"
DATE_PASSED = "effective_date_passed"


@dataclass(frozen=True, slots=True)
class Redating:
    """Payments moved to ``to`` (ordinary settlement), why (a code and a sentence), decided at ``at``."""

    code: str
    reason: str
    to: dt.date
    at: dt.datetime
    # (payment id, its old effective date, whether it asked for same-day settlement)
    moved: tuple[tuple[str, dt.date, bool], ...]

    def as_detail(self) -> dict:
        """What the run shows (and the outbox event carries): plain values only."""
        return {"code": self.code, "reason": self.reason, "to": self.to.isoformat(),
                "at": self.at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
                "payments": [{"payment_id": pid, "from": was.isoformat(), "same_day": same_day}
                             for pid, was, same_day in self.moved]}


def redate_for_submission(run: PaymentRunRecord, payments: Sequence[PaymentRecord], now: dt.datetime,
                          calendar: BusinessCalendar, capabilities: RailCapabilities | None) -> Redating | None:
    """The payments of ``run`` that cannot be sent at ``now`` with the date they carry, or None.

    A same-day payment is kept while its same-day window is open (today, a business day, before the rail's
    same-day cut-off); an ordinary payment while its date is on or after the earliest ordinary settlement date
    of a file sent now. Everything else moves to that earliest date, as an ordinary payment.
    """
    target = settlement_date(effective_entry_date(now.astimezone(calendar.tz).date(), now, calendar), calendar,
                             capabilities)
    moved, missed = [], None
    for p in sorted(payments, key=lambda p: p.id):
        if p.same_day:
            why = same_day_refusal(p.effective_date, now, calendar, capabilities)
            if why is None:
                continue
            missed = missed or why
        elif p.effective_date >= target:
            continue
        moved.append((p.id, p.effective_date, p.same_day))
    if not moved:
        return None
    if missed is not None:
        reason = (f"released for same-day settlement but submitted when {missed}: sent as ordinary ACH settling "
                  f"{target.isoformat()}")
        return Redating(SAME_DAY_MISSED, reason, target, now, tuple(moved))
    first = min(was for _, was, _ in moved)
    reason = (f"dated {first.isoformat()} but submitted {now.astimezone(calendar.tz):%Y-%m-%d %H:%M %Z}: a file sent "
              f"now settles {target.isoformat()} at the earliest")
    return Redating(DATE_PASSED, reason, target, now, tuple(moved))
