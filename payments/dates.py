"""The one date policy: which business dates Disburse accepts, so an absurd date is a clear refusal, never a crash
and never an entry in the signed journal.

A business date (an invoice's, a receipt's, a payment run's, a statement line's booking date, a journal entry's
effective date) must fall in a window around today: by default from 7 years before (records retention) to 1 year
after. Older history comes in only through an explicit import option, and only as far back as the policy's
``history_from``. Other rules narrow the window for their own purpose (the payment-run horizon): they call
``narrowed`` and get the same checks and the same error.

The policy file's ``[dates]`` table sets it::

    [dates]
    years_before = 7
    years_after = 1
    history_from = "2012-07-01"   # optional: the oldest date an explicit history import may carry
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from payments.errors import InvalidInput


class DateOutOfRange(InvalidInput):
    """A date outside the window the date policy allows for it."""

    code = "date_out_of_range"

    def __init__(self, field: str, value: dt.date, earliest: dt.date, latest: dt.date, why: str = "") -> None:
        super().__init__(f"{field} {value.isoformat()} is outside the dates accepted here, {earliest.isoformat()} "
                         f"to {latest.isoformat()}{': ' + why if why else ''}", field=field, value=value.isoformat(),
                         earliest=earliest.isoformat(), latest=latest.isoformat())


def _years_from(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years, 29 February landing on the 28th; clamped to the calendar's ends."""
    year = min(max(day.year + years, dt.MINYEAR), dt.MAXYEAR)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


@dataclass(frozen=True)
class DatePolicy:
    """Business dates from ``years_before`` years before today to ``years_after`` years after; a narrowed policy
    (``narrowed``) also keeps within ``days_before``/``days_after`` of today."""

    years_before: int = 7
    years_after: int = 1
    history_from: dt.date | None = None
    days_before: int | None = None
    days_after: int | None = None
    purpose: str = ""

    def __post_init__(self) -> None:
        limits = {"years_before": 200, "years_after": 200, "days_before": 200 * 366, "days_after": 200 * 366}
        for name, most in limits.items():
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most):
                raise ValueError(f"dates.{name} must be a whole number from 0 to {most}, not {value!r}")

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> DatePolicy:
        """From the policy document's ``[dates]`` table (absent: the defaults)."""
        table = policy.get("dates", {}) or {}
        history = table.get("history_from")
        return cls(int(table.get("years_before", 7)), int(table.get("years_after", 1)),
                   history_from=dt.date.fromisoformat(str(history)) if history else None)

    def window(self, today: dt.date, *, history: bool = False) -> tuple[dt.date, dt.date]:
        """The first and last date accepted on ``today``; ``history`` opens it back to ``history_from``."""
        earliest, latest = _years_from(today, -self.years_before), _years_from(today, self.years_after)
        if self.days_before is not None:
            earliest = max(earliest, dt.date.fromordinal(max(1, today.toordinal() - self.days_before)))
        if self.days_after is not None:
            latest = min(latest, dt.date.fromordinal(min(dt.date.max.toordinal(), today.toordinal() + self.days_after)))
        if history and self.history_from is not None:
            earliest = min(earliest, self.history_from)
        return earliest, latest

    def journal_window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """What may ever reach the signed journal: the business window, opened back to ``history_from`` if set."""
        return self.window(today, history=True)

    def check(self, value: dt.date, field: str, today: dt.date, *, history: bool = False) -> dt.date:
        """``value`` if it is in the window, else ``DateOutOfRange`` naming ``field``."""
        earliest, latest = self.window(today, history=history)
        if not earliest <= value <= latest:
            raise DateOutOfRange(field, value, earliest, latest, self.purpose)
        return value

    def check_optional(self, value: dt.date | None, field: str, today: dt.date, *, history: bool = False
                       ) -> dt.date | None:
        return None if value is None else self.check(value, field, today, history=history)

    def narrowed(self, *, days_before: int | None = None, days_after: int | None = None, purpose: str) -> DatePolicy:
        """A narrower window for one rule (the payment-run horizon): never wider than this one, same error."""
        def tighter(mine: int | None, theirs: int | None) -> int | None:
            return theirs if mine is None else mine if theirs is None else min(mine, theirs)

        return replace(self, days_before=tighter(self.days_before, days_before),
                       days_after=tighter(self.days_after, days_after), history_from=None, purpose=purpose)


def check_entry_dates(drafts: Any, dates: DatePolicy, today: dt.date) -> None:
    """Refuse a batch of journal drafts if any effective date is outside what may reach the journal."""
    earliest, latest = dates.journal_window(today)
    for draft in drafts:
        if not earliest <= draft.effective_date <= latest:
            raise DateOutOfRange(f"entry {draft.id} effective_date", draft.effective_date, earliest, latest,
                                 "nothing outside the date policy is posted to the journal")
