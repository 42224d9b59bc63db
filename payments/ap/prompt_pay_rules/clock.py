"""When an invoice is due under a rule set: the later of the rule's starting events, plus its term.

The events are the dates Disburse records: the day the proper invoice reached the agency (its invoice date
when nobody annotated one), the day goods or services were received, the day they were accepted (under the
federal rule, deemed accepted ``acceptance_deemed_days`` after delivery unless accepted earlier), and — for a
purchase the act lets wait for grant or federal money (``clock.funds_wait`` and a purchase order flagged as
federally funded) — the day that money arrived.

``improper_return_by`` is the other date a rule set fixes from receipt: the day by which an improper invoice must
go back to the vendor with its defects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from payments.ap.prompt_pay import ClockNotStarted, acceptance_date
from payments.ap.prompt_pay_rules.model import Rule, RuleSet
from payments.business_days import BusinessCalendar


@dataclass(frozen=True, slots=True)
class ClockEvents:
    invoice_date: dt.date
    invoice_received_on: dt.date | None = None
    goods_received_on: dt.date | None = None
    accepted_on: dt.date | None = None
    funds_received_on: dt.date | None = None
    # The purchase order is paid with federal or grant money (its ``funds_received_on`` is when it arrived).
    federally_funded: bool = False


@dataclass(frozen=True, slots=True)
class DueDate:
    """The clock of one invoice: which rule, from which day, for how long, and the last day to pay."""

    rule_set: str
    version: str
    category: str | None
    start_date: dt.date
    started_by: str
    term_days: int
    counting: str
    due_date: dt.date
    last_timely_date: dt.date
    acceptance_on: dt.date | None = None
    acceptance_deemed: bool = False


def _count(start: dt.date, days: int, counting: str, calendar: BusinessCalendar) -> dt.date:
    if counting == "business":
        return calendar.add_business_days(start, days) if days else start
    if counting == "calendar_excluding_holidays":
        day, remaining = start, days
        while remaining:
            day += dt.timedelta(days=1)
            weekend = day.weekday() >= 5
            remaining -= weekend or calendar.is_business_day(day)
        return day
    return start + dt.timedelta(days=days)


def _events(rule: Rule, ev: ClockEvents) -> tuple[dict[str, dt.date], dt.date | None, bool]:
    dates: dict[str, dt.date] = {}
    accepted: dt.date | None = None
    deemed = False
    start = rule.start
    if ev.federally_funded and rule.funds_wait and "funds_received" not in start:
        start = (*start, "funds_received")
    for name in start:
        if name == "invoice_received":
            dates[name] = ev.invoice_received_on or ev.invoice_date
        elif name == "acceptance":
            accepted, deemed = acceptance_date(ev.goods_received_on, ev.accepted_on, rule.acceptance_deemed_days)
            dates[name] = accepted
        elif name == "goods_received":
            got = ev.goods_received_on or ev.accepted_on
            if got is None:
                raise ClockNotStarted("Nothing has been received yet; the prompt-pay clock has not started.")
            dates[name] = got
        else:
            if ev.funds_received_on is None:
                raise ClockNotStarted("The grant or federal money this purchase waits for has not been received; "
                                      "the prompt-pay clock has not started.")
            dates[name] = ev.funds_received_on
    return dates, accepted, deemed


def due_date(rule_set: RuleSet, events: ClockEvents, *, calendar: BusinessCalendar, category: str | None = None,
             contract_due_days: int | None = None, late_notice_days: int = 0) -> DueDate:
    """The due date of a proper invoice under ``rule_set`` (for ``category``, when the act treats it apart).

    ``contract_due_days``: a contract's own payment period — it replaces the act's where the rule lets a
    contract extend it (``term.contract_may_extend``), and otherwise only shortens it. ``late_notice_days``:
    days an improper-invoice notice went out late, which come off the period (5 CFR 1315.9).
    """
    rule = rule_set.rule_for(category)
    dates, accepted, deemed = _events(rule, events)
    order = (*rule.start, "funds_received")
    started_by = max(dates, key=lambda k: (dates[k], -order.index(k)))
    start = dates[started_by]
    days = rule.term_days
    if contract_due_days is not None:
        days = contract_due_days if rule.contract_may_extend else min(days, contract_due_days)
    days = max(days - late_notice_days, 0)
    due = _count(start, days, rule.counting, calendar)
    last = calendar.next_business_day_on_or_after(due) if rule.weekend_grace else due
    return DueDate(rule_set.name, rule_set.version, category if category in rule_set.categories else None,
                   start, started_by, days, rule.counting, due, last, accepted, deemed)



def due_from(rule_set: RuleSet, start: dt.date, *, calendar: BusinessCalendar, category: str | None = None) -> dt.date:
    """The due date of a clock that starts on ``start`` (a corrected invoice's receipt, say) under the act."""
    rule = rule_set.rule_for(category)
    return _count(start, rule.term_days, rule.counting, calendar)


def improper_return_by(rule_set: RuleSet, received_on: dt.date, *, calendar: BusinessCalendar,
                       category: str | None = None) -> dt.date | None:
    """The last day to return an improper invoice received on ``received_on``, with its defects, under the act
    (``improper_notice_days`` counted in ``improper_notice_counting`` days); None when the act sets no period."""
    rule = rule_set.rule_for(category)
    if rule.improper_notice_days is None:
        return None
    return _count(received_on, rule.improper_notice_days, rule.improper_notice_counting, calendar)
