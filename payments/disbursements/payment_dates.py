"""The date a released run's payments really go out with, decided once, when the run is claimed for submission.

A run is planned (and released) for a settlement date; it is sent later, sometimes much later: a treasurer
releases a same-day run after the same-day cut-off, or an ordinary run the day after it was planned. A file
dated for a settlement the bank can no longer give would claim same-day settlement it is not entitled to (an
ACH entry dated the day it is sent asks for same-day settlement) or carry a stale date. So at claim time every
payment whose date can no longer be had is moved to the earliest ordinary settlement date, and the run says why.

The decision is made in the claim's transaction, before the submission exists: from then on the dates are
stored, and every delivery of that submission (a retry after a timeout, a recovery after a crash, a second
process) builds its file from the stored dates, so the file and its trace numbers never change once written.
Amounts are never changed here: they are what the treasurer released. A payment whose invoices would be priced
differently on the new date (its discount period has ended: taking it would short-pay the vendor; or it is now
late, or later: prompt-pay interest is owed or grows) is withdrawn instead (``repricing``), its invoices freed
for the next run to price afresh; a payment whose pricing is the same on the new date goes out re-dated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ledger.money import format_minor
from payments.disbursements.ach_dates import effective_entry_date, same_day_refusal, settlement_date
from payments.business_days import BusinessCalendar
from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_runs import PayableInvoice, PlannedItem, RunPolicy, plan_item
from payments.disbursements.rails import RailCapabilities

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
    # (payment id, why) for each payment withdrawn rather than moved: the new date would change its pricing.
    withdrawn: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_detail(self) -> dict[str, Any]:
        """What the run shows (and the outbox event carries): plain values only."""
        return {"code": self.code, "reason": self.reason, "to": self.to.isoformat(),
                "at": self.at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
                "payments": [{"payment_id": pid, "from": was.isoformat(), "same_day": same_day}
                             for pid, was, same_day in self.moved],
                "withdrawn": [{"payment_id": pid, "reasons": list(why)} for pid, why in self.withdrawn]}

    def withdrawing(self, withdrawn: Mapping[str, tuple[str, ...]]) -> Redating:
        """This re-dating with ``withdrawn`` taken out of the moved payments and named, with why, in the reason."""
        if not withdrawn:
            return self
        n = len(withdrawn)
        reason = (f"{self.reason}; {n} payment{'s' if n > 1 else ''} withdrawn instead, because "
                  f"{'their' if n > 1 else 'its'} discount or interest would differ on {self.to.isoformat()}: the "
                  "next run prices the invoices afresh")
        return replace(self, reason=reason, moved=tuple(m for m in self.moved if m[0] not in withdrawn),
                       withdrawn=tuple(sorted(withdrawn.items())))


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


def _money(currency: str, minor: int) -> str:
    return format_minor(minor, currency)


def repricing(payment: PaymentRecord, invoices: Mapping[str, PayableInvoice], *, to: dt.date, run_date: dt.date,
              policy: RunPolicy) -> tuple[str, ...]:
    """Why ``payment`` may not go out settling on ``to`` for the amount it was released with (empty: it may).

    Each invoice is priced again exactly as a run would price it for ``to`` (``plan_item``: the discount only
    up to its discount date, prompt-pay interest after the due date, a weekend or holiday due date paid the next
    business day being on time). ``invoices`` holds the invoices whose pricing a later date can change (due, or
    with a discount date, on or before ``to``): an invoice not among them keeps its discount and owes no interest.
    """
    out = []
    for item in payment.items:
        invoice = invoices.get(item.invoice_id)
        if invoice is None:
            continue
        priced = plan_item(invoice, run_date=run_date, effective_date=to, policy=policy)
        if not isinstance(priced, PlannedItem):
            # Without the discount its pay date is still ahead (or it is held): a later run pays it in full.
            out.append(f"{item.invoice_id}: settling {to.isoformat()} it would not be paid now ({priced.reason.value}"
                       f"{': ' + priced.detail if priced.detail else ''})")
            continue
        was, now = payment.effective_date.isoformat(), to.isoformat()
        # A discount cut because the vendor's credit settles that part (credit_offsets) is not a price the date
        # changed: only a discount the new date takes away (less than the one released) is.
        cut_for_credit = bool(payment.credits) and priced.discount_minor > item.discount_minor
        if priced.discount_minor != item.discount_minor and not cut_for_credit:
            until = f" (its discount date is {invoice.discount_date.isoformat()})" if invoice.discount_date else ""
            out.append(f"{item.invoice_id}: discount {_money(payment.currency, item.discount_minor)} priced for "
                       f"{was}, {_money(payment.currency, priced.discount_minor)} settling {now}{until}")
        if priced.interest_minor != item.interest_minor:
            out.append(f"{item.invoice_id}: prompt-pay interest {_money(payment.currency, item.interest_minor)} "
                       f"priced for {was}, {_money(payment.currency, priced.interest_minor)} settling {now} "
                       f"(due {invoice.due_date.isoformat()})")
    return tuple(out)
