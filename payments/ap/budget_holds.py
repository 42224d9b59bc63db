"""An approval that would overrun its budget line: the ``insufficient_funds`` hold and a treasurer's override.

Approving an invoice spends anew whatever its order did not already encumber or accrue: a price above the order's
on a 3-way line (billed − billed quantity × order price, once a person released the price hold), and on a 2-way
line what is expensed beyond the encumbrance it liquidates. That spending must fit what the line's fiscal year
has left, like an order. When it does not, the approval does not complete: the invoice gets an
``insufficient_funds`` hold saying by how much, and only a treasurer may release it (an override, with a reason,
in the signed audit trail); the approval then goes through for up to the amount overridden. Matching never raises
nor releases this hold (it is not one of ``MATCH_HOLDS``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ulid import ULID

from payments.ap.ap_errors import InsufficientFunds
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_postings import ApprovedLine
from payments.ap.ap_records import HoldRecord
from payments.ap.amounts import format_money
from payments.ap.budget_service import check_funds
from payments.ap.documents import AccountCoding

INSUFFICIENT_FUNDS = "insufficient_funds"


def new_spending(lines: Sequence[ApprovedLine]) -> dict[tuple[int | None, AccountCoding], int]:
    """Per (fiscal year, coding), what approving these lines spends beyond what their order encumbered or accrued."""
    out: dict[tuple[int | None, AccountCoding], int] = {}
    for line in lines:
        extra = line.amount_minor + line.encumbrance_minor if line.two_way else line.amount_minor - line.at_po_price_minor
        key = (line.fiscal_year, line.coding)
        out[key] = out.get(key, 0) + extra
    return out


def shortfall(uow: APUnitOfWork, lines: Sequence[ApprovedLine], currency: str, default_year: int
              ) -> tuple[InsufficientFunds, int] | None:
    """The first budget line the approval would overrun and the spending it needs in all, or None when it fits.
    The caller holds the journal's lock (``uow.ledger.lock_head()``), as an order's approval does."""
    needs = new_spending(lines)
    for (year, coding), need in sorted(needs.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1].fund,
                                                                        kv[0][1].department, kv[0][1].object_code)):
        if need <= 0:
            continue
        try:
            check_funds(uow, {coding: need}, currency, year if year is not None else default_year)
        except InsufficientFunds as exc:
            return exc, sum(n for n in needs.values() if n > 0)
    return None


def overridden(uow: APUnitOfWork, invoice_id: str) -> int:
    """The most a treasurer has allowed this invoice's approval to spend beyond its budget (0: no override)."""
    return max((int(h.finding.get("need_minor", 0)) for h in uow.invoices.holds(invoice_id)
                if h.hold == INSUFFICIENT_FUNDS and h.status == "released" and h.release_kind == "manual"), default=0)


def hold_for_budget(uow: APUnitOfWork, invoice_id: str, why: InsufficientFunds, need_minor: int, *, at: str) -> bool:
    """Open the ``insufficient_funds`` hold (unless one is open); True when it opened one."""
    if any(h.hold == INSUFFICIENT_FUNDS for h in uow.invoices.holds(invoice_id, status="open")):
        return False
    d = why.details
    currency = str(d["currency"])
    explanation = (f"Approving this invoice would spend {format_money(need_minor, currency)} beyond what its order "
                   f"encumbered, but {d['coding']} has {format_money(int(d['available_minor']), currency)} left. "
                   "A treasurer may override with a reason; then it can be approved.")
    finding = {"rule": INSUFFICIENT_FUNDS, "hold": INSUFFICIENT_FUNDS, "subject": str(d["coding"]),
               "need_minor": need_minor, "expected": int(d["available_minor"]), "actual": int(d["needed_minor"]),
               "explanation": explanation}
    uow.invoices.add_hold(HoldRecord(
        f"hold_{ULID()}", invoice_id, INSUFFICIENT_FUNDS, INSUFFICIENT_FUNDS, str(d["coding"]),
        hashlib.sha256(f"{INSUFFICIENT_FUNDS}:{invoice_id}:{need_minor}".encode()).hexdigest(), finding, "open", at,
        f"budget_{invoice_id}"[:40]))
    return True
