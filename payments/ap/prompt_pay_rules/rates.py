"""Which interest rate a late payment earns under a rule: a fixed rate, a published table, or prime plus a margin.

The rule's ``fixing`` picks the day that chooses the row: the first day of lateness (5 CFR 1315; Texas, whose
table holds one rate per fiscal year, so "the rate in effect on September 1 of the fiscal year in which the
payment becomes overdue" is the row in force on that first day) or the payment date (New York). No act we ship
splits one late period between two rates: the chosen rate applies to every day of it.

An agency adds rows a publisher announced after the rule set shipped (Treasury's next six-month rate, the
comptroller's next fiscal-year rate) in its policy; they join the shipped table, the agency's row winning on
the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from payments.ap.prompt_pay import NoRateInEffect
from payments.ap.prompt_pay_rules.model import Rate, RateRow, Rule


@dataclass(frozen=True, slots=True)
class AppliedRate:
    """The rate one late payment earns, as a percentage per ``per`` ("year" or "month")."""

    pct: Decimal
    per: str
    fixed_on: dt.date
    row_from: dt.date | None
    base_pct: Decimal | None = None  # the prime rate, for prime-plus rates

    def fraction(self) -> Decimal:
        return self.pct / 100

    def describe(self) -> str:
        text = f"{self.pct.normalize():f}% a {self.per}"
        if self.base_pct is not None:
            text += f" (prime {self.base_pct.normalize():f}% plus {(self.pct - self.base_pct).normalize():f}%)"
        return text


def with_agency_rows(table: Iterable[RateRow], extra: Iterable[RateRow]) -> tuple[RateRow, ...]:
    """The shipped table with the agency's rows added; on the same day the agency's row wins."""
    by_day = {r.effective_from: r for r in table}
    by_day.update({r.effective_from: r for r in extra})
    return tuple(sorted(by_day.values(), key=lambda r: r.effective_from))


def _row_on(table: tuple[RateRow, ...], day: dt.date) -> RateRow:
    chosen = None
    for row in table:
        if row.effective_from > day:
            break
        chosen = row
    if chosen is None or (chosen.until is not None and day > chosen.until):
        raise NoRateInEffect(day)
    return chosen


def rate_for(rule: Rule, *, first_day_late: dt.date, paid_on: dt.date,
             agency_rows: Iterable[RateRow] = ()) -> AppliedRate:
    """The rate ``rule`` applies to a payment late from ``first_day_late`` and paid on ``paid_on``."""
    rate: Rate = rule.rate
    day = paid_on if rate.fixing == "payment_date" else first_day_late
    if rate.source == "fixed":
        if rate.monthly_pct is not None:
            return AppliedRate(rate.monthly_pct, "month", day, None)
        assert rate.annual_pct is not None
        return AppliedRate(rate.annual_pct, "year", day, None)
    row = _row_on(with_agency_rows(rate.table, agency_rows), day)
    if rate.source == "prime_plus":
        return AppliedRate(row.pct + rate.margin_pct, "year", day, row.effective_from, base_pct=row.pct)
    return AppliedRate(row.pct, "year", day, row.effective_from)
