"""What paying late costs under a rule set: exemptions, disputes and stops first, then the act's arithmetic.

Money is integer minor units; rates are ``Decimal`` and the interest is rounded half-up once, to a whole minor
unit, where it becomes money. The late period is the half-open interval (accrues_after, paid_on]: the day after
``accrues_after`` is the first day of interest, the payment date the last.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from payments.ap.prompt_pay_errors import DisputeNeedsCorrectedInvoice, DisputeNeedsReceiptDate
from payments.ap.prompt_pay_rules.model import Rule, RuleSet, RateRow
from payments.ap.prompt_pay_rules.rates import AppliedRate, rate_for
from payments.business_days import BusinessCalendar

_ONE = Decimal(1)
_THIRTY = Decimal(30)


@dataclass(frozen=True, slots=True)
class DisputeFacts:
    """A dispute the agency noticed to the vendor, and how (if yet) it ended.

    ``resolved_for`` is "vendor" or "agency" (None while open); ``corrected_due_date`` is the due date of the
    corrected invoice a dispute resolved for the agency called for, computed by ``due_date`` on that invoice.
    """

    noticed_on: dt.date
    resolved_on: dt.date | None = None
    resolved_for: str | None = None
    corrected_due_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """Something that may take a payment out of the act or stop its clock, from ``from_day`` through ``to_day``."""

    reason: str
    from_day: dt.date
    to_day: dt.date | None = None


@dataclass(frozen=True, slots=True)
class LateInterest:
    """The interest one payment owes under one rule, and why none when none is owed."""

    rule_set: str
    version: str
    category: str | None
    days_late: int
    days_charged: int
    accrues_after: dt.date | None
    rate: AppliedRate | None
    interest_minor: int
    payable_minor: int
    why_none: str | None = None

    @property
    def rule_label(self) -> str:
        return f"{self.rule_set}@{self.version}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it has no such day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def _months_and_days(start: dt.date, end: dt.date) -> tuple[int, int]:
    months = 0
    while add_months(start, months + 1) <= end:
        months += 1
    return months, (end - add_months(start, months)).days


def notice_deadline(rule: Rule, due: dt.date | None, received_on: dt.date | None) -> dt.date | None:
    """The last day a dispute notice counts under ``rule`` (None: the act sets no deadline, or no dispute terms)."""
    terms = rule.dispute
    if terms is None:
        return None
    days: list[dt.date] = []
    if terms.notice_within_days is not None:
        if received_on is None:
            raise DisputeNeedsReceiptDate("A dispute is judged against the invoice's receipt date, which was not given.")
        days.append(received_on + dt.timedelta(days=terms.notice_within_days))
    if terms.notice_by_due_date and due is not None:
        days.append(due)
    return min(days) if days else None


def _dispute_start(rule: Rule, dispute: DisputeFacts, due: dt.date, received_on: dt.date | None,
                   accrues_after: dt.date) -> dt.date | str:
    """The day interest runs after, as the dispute changes it, or the reason no interest is owed."""
    terms = rule.dispute
    assert terms is not None
    deadline = notice_deadline(rule, due, received_on)
    if deadline is not None and dispute.noticed_on > deadline:
        return accrues_after  # noticed too late: the act's clock runs as if there were no dispute
    if dispute.resolved_for is None:
        return "dispute_open"
    effect = terms.if_resolved_for_agency if dispute.resolved_for == "agency" else terms.if_resolved_for_vendor
    if effect == "no_interest":
        return "dispute_noticed_in_time"
    if effect == "restart_on_corrected_invoice":
        if dispute.corrected_due_date is None:
            raise DisputeNeedsCorrectedInvoice("A dispute resolved for the agency restarts the clock on the corrected invoice; "
                                               "its due date was not given.")
        return dispute.corrected_due_date + dt.timedelta(days=rule.accrual.grace_days)
    if effect == "accrue_after_decision":
        assert dispute.resolved_on is not None
        return dispute.resolved_on + dt.timedelta(days=terms.accrue_days_after_decision)
    return accrues_after


def _paused_days(stops: Iterable[Stop], rule: Rule, after: dt.date, paid_on: dt.date) -> int:
    days: set[dt.date] = set()
    for s in stops:
        if rule.stops.get(s.reason) != "pause":
            continue
        first, last = max(s.from_day, after + dt.timedelta(days=1)), min(s.to_day or paid_on, paid_on)
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return len(days)


def _factor(rule: Rule, rate: AppliedRate, after: dt.date, days: int) -> tuple[Decimal, int]:
    """(interest per unit of principal, months begun) for ``days`` days of interest after ``after``."""
    a, r = rule.accrual, rate.fraction()
    basis = Decimal(a.day_basis)
    if a.method == "simple_daily":
        return r * days / basis, 0
    if a.method == "daily_compound":
        return (_ONE + r / basis) ** days - _ONE, 0
    if a.method == "federal_periods":
        periods, extra = divmod(days, a.period_days)
        return (_ONE + r * a.period_days / basis) ** periods * (_ONE + r / basis * extra) - _ONE, 0
    months, rest = _months_and_days(after, after + dt.timedelta(days=days))
    begun = months + (1 if rest else 0)
    if a.part_month == "whole":
        months, part = begun, Decimal(0)
    else:
        part = rest / _THIRTY
    if a.compound:
        return (_ONE + r) ** months * (_ONE + r * part) - _ONE, begun
    return r * (months + part), begun


def late_interest(
    rule_set: RuleSet,
    principal_minor: int,
    *,
    due_date: dt.date,
    paid_on: dt.date,
    calendar: BusinessCalendar | None = None,
    category: str | None = None,
    received_on: dt.date | None = None,
    payee_kind: str | None = None,
    dispute: DisputeFacts | None = None,
    stops: Sequence[Stop] = (),
    agency_rows: Iterable[RateRow] = (),
) -> LateInterest:
    """The interest owed for paying ``principal_minor`` on ``paid_on`` when it was due on ``due_date``."""
    rule = rule_set.rule_for(category)
    cat = category if category in rule_set.categories else None
    days_late = max((paid_on - due_date).days, 0)

    def none(why: str, after: dt.date | None = None) -> LateInterest:
        return LateInterest(rule_set.name, rule_set.version, cat, days_late, 0, after, None, 0, 0, why)

    if rule.exempts_payee(payee_kind):
        return none(f"exempt_payee:{payee_kind}")
    for s in stops:
        if rule.stops.get(s.reason) == "exempt":
            return none(f"exempt:{s.reason}")
    grace_end = calendar.next_business_day_on_or_after(due_date) if (calendar and rule.weekend_grace) else due_date
    if paid_on <= grace_end:
        return none("on_time")
    after = due_date + dt.timedelta(days=rule.accrual.grace_days)
    if dispute is not None and rule.dispute is not None:
        changed = _dispute_start(rule, dispute, due_date, received_on, after)
        if isinstance(changed, str):
            return none(changed)
        after = changed
    if paid_on <= after:
        return none("not_yet_accruing", after)
    days = (paid_on - after).days - _paused_days(stops, rule, after, paid_on)
    if rule.accrual.max_days is not None:
        days = min(days, rule.accrual.max_days)
    rate = rate_for(rule, first_day_late=after + dt.timedelta(days=1), paid_on=paid_on, agency_rows=agency_rows)
    with localcontext() as ctx:
        ctx.prec = 40
        factor, months_begun = _factor(rule, rate, after, days)
        interest = int((Decimal(principal_minor) * factor).quantize(_ONE, rounding=ROUND_HALF_UP))
    interest = max(interest, rule.floor_per_month_minor * months_begun)
    payable = interest if interest >= rule.pay_threshold_minor else 0
    return LateInterest(rule_set.name, rule_set.version, cat, days_late, days, after, rate, interest, payable,
                        None if payable else "below_minimum")
