"""The cash forecast: what will leave the bank in the next N business days, by bank account and fund, against cash.

Two kinds of outflow are forecast, each on the day the money leaves (the payment's effective date):

* **scheduled**: payments already in a run that has not been sent (``scheduled`` or ``submitted``), at their own
  effective date and amount (discount taken and interest added as the run priced them);
* **planned**: approved, unheld invoices no live payment holds, priced exactly as a payment run would price them
  (``payment_runs.plan_item``: the discount when policy takes it, prompt-pay interest when late), on the first
  business day from today whose run would pay them, settling on the rail's settlement date. Overdue invoices go in
  today's run.

Held invoices are not forecast (a hold stops the payment until someone releases it): their count and amount are
given apart, as are invoices planned beyond the horizon. Vendor credits are not netted (a credit memo is only
taken off at run time; the forecast is therefore on the cautious side). Each bank account is the one the rail
debits (``[[treasury.bank_accounts]]``); the cash beside it is the ledger balance of that account's Cash in each
fund today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from payments.disbursements.ach_dates import settlement_date
from payments.disbursements.payment_runs import PayableInvoice, PlannedItem, RunPolicy, plan_item


@dataclass(frozen=True, slots=True)
class ScheduledOutflow:
    """One invoice of a payment in a run not yet sent, as the run priced it."""

    payment_id: str
    rail: str
    effective_date: dt.date
    fund: str
    amount_minor: int  # what leaves for this invoice: amount - discount + interest
    currency: str


class CashForecastSource(Protocol):
    def live_invoice_ids(self) -> set[str]:
        """Invoices a live payment (scheduled, submitted, sent or settled) already carries."""
        ...

    def scheduled_outflows(self) -> Iterable[ScheduledOutflow]:
        """Every invoice of every live payment in a run that has not been sent."""
        ...

    def cash_balances(self, as_of: dt.date) -> Mapping[tuple[str, str], int]:
        """Ledger balance (minor units) per (Cash chart account code ``<fund>-<cash>``'s cash part, fund)."""
        ...


def horizon(today: dt.date, business_days: int, policy: RunPolicy) -> list[dt.date]:
    """The next ``business_days`` business days, today first when today is one."""
    first = policy.calendar.next_business_day_on_or_after(today)
    return [policy.calendar.add_business_days(first, n) if n else first for n in range(business_days)]


def planned_outflow(invoice: PayableInvoice, days: list[dt.date], policy: RunPolicy) -> tuple[dt.date, PlannedItem] | None:
    """The first run among ``days`` that would pay this invoice, and how it would price it (None: not in the horizon)."""
    for run_date in days:
        effective = settlement_date(run_date, policy.calendar)
        priced = plan_item(invoice, run_date=run_date, effective_date=effective, policy=policy)
        if isinstance(priced, PlannedItem):
            return effective, priced
    return None


def cash_forecast(invoices: Iterable[PayableInvoice], source: CashForecastSource, policy: RunPolicy, *, rail: str,
                  today: dt.date, business_days: int) -> dict[str, Any]:
    days = horizon(today, business_days, policy)
    last = days[-1]
    live = source.live_invoice_ids()
    lines: dict[tuple[str, str, str], dict[str, Any]] = {}  # (bank account, fund, currency)
    held = {"invoices": 0, "amount_minor": 0}
    beyond = {"invoices": 0, "amount_minor": 0}
    rows: list[dict[str, Any]] = []

    def add(bank: str, fund: str, currency: str, day: dt.date, kind: str, amount: int, discount: int = 0,
            interest: int = 0, ref: str = "") -> None:
        line = lines.setdefault((bank, fund, currency), {"scheduled_minor": 0, "planned_minor": 0,
                                                         "by_day": defaultdict(int)})
        line[f"{kind}_minor"] += amount
        line["by_day"][day.isoformat()] += amount
        rows.append({"date": day.isoformat(), "bank_account": bank, "fund": fund, "currency": currency,
                     "source": kind, "reference": ref, "amount_minor": amount, "discount_minor": discount,
                     "interest_minor": interest})

    for out in source.scheduled_outflows():
        if out.effective_date <= last:  # already dated before today (not yet sent): it leaves when sent, count it
            add(policy.treasury.for_rail(out.rail).name, out.fund, out.currency, max(out.effective_date, days[0]),
                "scheduled", out.amount_minor, ref=out.payment_id)
    for inv in sorted(invoices, key=lambda i: (i.due_date, i.invoice_id)):
        if inv.invoice_id in live or inv.currency != policy.currency:
            continue
        if inv.holds:
            held["invoices"] += 1
            held["amount_minor"] += inv.amount_minor
            continue
        planned = planned_outflow(inv, days, policy)
        if planned is None or planned[0] > last:
            beyond["invoices"] += 1
            beyond["amount_minor"] += inv.amount_minor
            continue
        day, item = planned
        add(policy.treasury.for_rail(rail).name, inv.fund, inv.currency, day, "planned",
            item.amount_minor - item.discount_minor + item.interest_minor, item.discount_minor, item.interest_minor,
            inv.invoice_id)
    cash = source.cash_balances(today)
    cash_code = {a.name: a.cash for a in policy.treasury.accounts}
    by_account = []
    for (bank, fund, currency), line in sorted(lines.items()):
        total = line["scheduled_minor"] + line["planned_minor"]
        balance = cash.get((cash_code.get(bank, ""), fund), 0)
        by_account.append({"bank_account": bank, "cash_account": f"{fund}-{cash_code.get(bank, '')}", "fund": fund,
                           "currency": currency, "cash_minor": balance, "scheduled_minor": line["scheduled_minor"],
                           "planned_minor": line["planned_minor"], "outflow_minor": total,
                           "cash_after_minor": balance - total, "short": balance - total < 0,
                           "by_day": [{"date": d.isoformat(), "outflow_minor": line["by_day"].get(d.isoformat(), 0)}
                                      for d in days]})
    rows.sort(key=lambda r: (r["date"], r["bank_account"], r["fund"], r["source"], r["reference"]))
    return {"as_of": today.isoformat(), "business_days": business_days, "days": [d.isoformat() for d in days],
            "rail": rail, "by_bank_account": by_account,
            "outflow_minor": sum(a["outflow_minor"] for a in by_account),
            "discounts_minor": sum(r["discount_minor"] for r in rows),
            "interest_minor": sum(r["interest_minor"] for r in rows),
            "held": held, "beyond_horizon": beyond, "rows": rows}


class PayableInvoiceFinder(Protocol):
    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        """Approved invoices (the payment runs' port, ``payments.disbursements.payment_ports.PayableInvoices``)."""
        ...


class CashForecaster:
    """The forecast over the payment runs' own invoice source and policy, on the default rail."""

    def __init__(self, invoices: PayableInvoiceFinder, source: CashForecastSource, policy: RunPolicy, *,
                 rail: str) -> None:
        self._invoices, self._source, self._policy, self._rail = invoices, source, policy, rail

    def forecast(self, today: dt.date, business_days: int) -> dict[str, Any]:
        invoices = self._invoices.find(through=dt.date.max, currency=self._policy.currency)
        return cash_forecast(invoices, self._source, self._policy, rail=self._rail, today=today,
                             business_days=business_days)
