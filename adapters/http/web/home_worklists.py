"""The staff home page's two worklists beside the counts: open holds by kind (how many invoices, how old the
oldest is) and the late invoices with the prompt-pay interest they would carry if paid today, priced by the
payment run's own rule (``late_interest.interest_for`` under the run policy), each linking to the filtered list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from adapters.http.web.labels import HOLDS
from adapters.http.web.viewer import Viewer
from payments.ap.worklist import InvoiceFilter, Worklist
from payments.disbursements.late_interest import interest_for
from payments.disbursements.payment_runs import PayableInvoice
from payments.identity import Action

LATE_CAP = 100


@dataclass(frozen=True, slots=True)
class HoldAge:
    hold: str
    label: str | None  # a msgid, or None for a code without words yet
    invoices: int
    oldest_days: int
    href: str


@dataclass(frozen=True, slots=True)
class LateInterest:
    invoices: int
    more: bool
    interest_by_currency: dict[str, int]
    href: str = "/invoices?late=1&sort=due"


def hold_ages(state: Any, viewer: Viewer) -> list[HoldAge]:
    if not (viewer.may(Action.INVOICE_CREATE) or viewer.may(Action.INVOICE_RELEASE_HOLD)):
        return []
    now = state.clock.now()
    out = []
    for h in Worklist(state.uow).hold_summary():
        raised = dt.datetime.fromisoformat(h.oldest_raised_at.replace("Z", "+00:00"))
        if raised.tzinfo is None:
            raised = raised.replace(tzinfo=dt.timezone.utc)
        out.append(HoldAge(h.hold, HOLDS.get(h.hold), h.invoices, max(0, (now - raised).days),
                           f"/invoices?hold={h.hold}"))
    return out


def late_interest(state: Any, viewer: Viewer) -> LateInterest | None:
    if not viewer.may(Action.INVOICE_READ):
        return None
    today = state.clock.now().date()
    rows = Worklist(state.uow).invoices(InvoiceFilter(late_on=today), limit=LATE_CAP + 1)
    policy = state.payments.policy
    totals: dict[str, int] = {}
    for r in rows[:LATE_CAP]:
        if r.due_date is None:
            continue
        payable = PayableInvoice(r.id, r.vendor_id, r.invoice_number, r.currency, r.total_minor, r.due_date,
                                 r.invoice_date, prompt_pay_rule=r.prompt_pay_rule)
        interest, _rule = interest_for(payable, r.total_minor, today, policy)
        totals[r.currency] = totals.get(r.currency, 0) + interest
    return LateInterest(min(len(rows), LATE_CAP), len(rows) > LATE_CAP, totals)
