"""When the payment runs will pay an invoice: its due date, its discount date, and the run that pays it.

Computed with the run's own pricing (``plan_item``), so what staff are told is what a run will do: the first run
date whose run pays the invoice (its due date, or its discount date when the discount is worth taking, less the
policy's lead days; never before today), the date that run's payment settles, and the discount and interest it
would carry. Holds are left out of the question here (they are shown beside the plan): the plan says when the
invoice is paid once nothing stands in the way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from payments.disbursements.ach_dates import effective_entry_date, settlement_date
from payments.disbursements.payment_runs import PayableInvoice, PlannedItem, RunPolicy, Skipped, plan_item
from payments.disbursements.rails import RailCapabilities


@dataclass(frozen=True, slots=True)
class PayPlan:
    """``pay_from``: the first run date whose run pays the invoice; ``expected_pay_date``: when that payment
    settles. ``discount_minor`` and ``interest_minor`` are what that payment would carry for it."""

    due_date: dt.date
    discount_date: dt.date | None
    pay_from: dt.date
    expected_pay_date: dt.date
    discount_minor: int
    interest_minor: int
    not_yet_due: bool

    def to_dict(self) -> dict[str, object]:
        return {"due_date": self.due_date.isoformat(),
                "discount_date": self.discount_date.isoformat() if self.discount_date else None,
                "discount_taken": self.discount_minor > 0, "discount_minor": self.discount_minor,
                "interest_minor": self.interest_minor, "pay_from": self.pay_from.isoformat(),
                "expected_pay_date": self.expected_pay_date.isoformat(), "not_yet_due": self.not_yet_due}


def pay_plan(invoice: PayableInvoice, *, now: dt.datetime, policy: RunPolicy,
             capabilities: RailCapabilities | None = None) -> PayPlan | None:
    """The plan for ``invoice`` as of ``now``; None when no run would pay it (another currency than the runs')."""
    calendar = policy.calendar
    unheld = replace(invoice, holds=())
    today = calendar.effective_business_date(now)

    def priced(run_date: dt.date) -> tuple[PlannedItem | Skipped, dt.date]:
        # A later day's run is created in the morning, before the cut-off: processed that day.
        at = now if run_date == today else dt.datetime.combine(run_date, dt.time(7), tzinfo=calendar.tz)
        effective = settlement_date(effective_entry_date(run_date, at, calendar), calendar, capabilities)
        return plan_item(unheld, run_date=run_date, effective_date=effective, policy=policy), effective

    item, effective = priced(today)
    pay_from, not_yet_due = today, False
    # A later run may price it differently (the discount gone by its settlement date moves the pay date to the due
    # date's): follow the pay date until a run pays it.
    for _ in range(3):
        if not (isinstance(item, Skipped) and item.reason.value == "not_yet_due"):
            break
        pay_from, not_yet_due = calendar.next_business_day_on_or_after(dt.date.fromisoformat(item.detail)), True
        item, effective = priced(pay_from)
    if not isinstance(item, PlannedItem):
        return None
    return PayPlan(invoice.due_date, invoice.discount_date, pay_from, effective, item.discount_minor,
                   item.interest_minor, not_yet_due)
