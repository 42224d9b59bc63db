"""Recount each fiscal year's budget line (what its orders encumbered and expended) from the journal.

The sums on a budget line are kept with every AP posting (``APDeps.post``); this gives them back from the
journal alone, for a database upgraded from before they were kept (migration 0013) or to check them. Entries
that carry their year split (``data["budget_years"]``) count as they say. Entries posted before the split
existed are charged to the fiscal year of the order they belong to, and an order approved then is first dated
with the agency's own fiscal-year start month (the migration could only assume July).

Idempotent: the same journal and documents give the same sums, in one transaction, under the journal's head
lock so that nothing posts while they are counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from ledger.accounts import Direction
from ledger.entries import EntryDraft
from payments.ap.ap_deps import APDeps
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_postings import BudgetEffect, BudgetKey, budget_effects
from payments.ap.ap_records import PORecord
from payments.identity import Action, Principal, authorize

# The entries AP documents post on coded budget accounts (a discount taken on payment is no order's spending).
AP_CODES = frozenset({"po_encumbered", "po_changed", "po_closed", "po_reopened", "receipt_accrued",
                      "invoice_approved", "credit_memo_applied", "invoice_cancelled"})
_COUNTED = frozenset({"8030", "5000"})  # encumbrances, expenditures


@dataclass(frozen=True, slots=True)
class Recount:
    lines: int  # budget lines with encumbered or expended amounts
    orders_dated: int  # orders approved before fiscal years were kept whose year was set or corrected
    entries_without_split: int  # entries charged by their order's year
    # Entries without a split touching one account for orders of different years: charged to the earliest.
    ambiguous_entries: tuple[str, ...]


class BudgetTotals:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    def rebuild(self, principal: Principal) -> Recount:
        authorize(principal, Action.BUDGET_MANAGE)
        with self._d.uow() as uow:
            result = self.rebuild_in(uow)
            self._d.record(uow, principal, "budget_totals_rebuilt", "budgets", None,
                           {"lines": result.lines, "orders_dated": result.orders_dated},
                           detail={"entries_without_split": result.entries_without_split,
                                   "ambiguous_entries": list(result.ambiguous_entries)})
            uow.commit()
        return result

    def rebuild_in(self, uow: APUnitOfWork) -> Recount:
        uow.ledger.lock_head()
        sums: dict[BudgetKey, list[int]] = {}
        unsplit: list[EntryDraft] = []
        for entry in uow.ledger.iter_entries():
            draft = entry.draft
            if draft.code not in AP_CODES:
                continue
            if draft.data.get("budget_years"):
                for key, effect in budget_effects([draft]).items():
                    _add(sums, key, effect.encumbered_minor, effect.expended_minor)
            elif any(_base(p.account) for p in draft.postings):
                unsplit.append(draft)

        orders: dict[str, PORecord | None] = {}

        def order(po_id: str) -> PORecord | None:
            if po_id not in orders:
                orders[po_id] = uow.purchase_orders.get(po_id)
            return orders[po_id]

        # An order whose approval posted no split was approved before fiscal years were kept: its year is the
        # one its approval date falls in, by this agency's policy.
        dated = 0
        for draft in unsplit:
            po_id = draft.references.get("purchase_order")
            record = order(po_id) if draft.code == "po_encumbered" and po_id else None
            if po_id is None or record is None or not record.approved.at:
                continue
            year = self._d.policies.fiscal_year_of(dt.date.fromisoformat(record.approved.at[:10]))
            if record.fiscal_year != year:
                uow.purchase_orders.set_fiscal_year(po_id, year)
                orders[po_id] = replace(record, fiscal_year=year)
                dated += 1

        ambiguous: list[str] = []
        for draft in unsplit:
            records = [r for r in (order(i) for i in self._order_ids(uow, draft)) if r is not None]
            currency = draft.postings[0].currency
            for posting in draft.postings:
                base = _base(posting.account)
                if base is None:
                    continue
                fund, _, department, object_code = posting.account.split("-")
                years = {r.fiscal_year for r in records if r.fiscal_year is not None and any(
                    (line.coding.fund, line.coding.department, line.coding.object_code) == (fund, department,
                                                                                           object_code)
                    for line in r.po.lines)}
                if not years:
                    ambiguous.append(draft.id)
                    continue
                if len(years) > 1:
                    ambiguous.append(draft.id)
                signed = posting.amount_minor if posting.direction is Direction.DEBIT else -posting.amount_minor
                key = (min(years), fund, department, object_code, currency)
                _add(sums, key, signed if base == "8030" else 0, signed if base == "5000" else 0)

        uow.budgets.reset_totals()
        effects = {key: BudgetEffect(0, enc, exp) for key, (enc, exp) in sums.items() if enc or exp}
        if effects:
            uow.budgets.add_effects(effects)
        return Recount(len(effects), dated, len(unsplit), tuple(dict.fromkeys(ambiguous)))

    @staticmethod
    def _order_ids(uow: APUnitOfWork, draft: EntryDraft) -> list[str]:
        """The purchase orders an entry without a split belongs to, from the document it names."""
        refs = draft.references
        if refs.get("purchase_order"):
            return [refs["purchase_order"]]
        if refs.get("invoice"):
            record = uow.invoices.get(refs["invoice"])
            return list(record.invoice.po_ids) if record else []
        if refs.get("credit_memo"):
            memo = uow.credit_memos.get(refs["credit_memo"])
            return sorted({line.po_id for line in memo.memo.lines}) if memo else []
        return []


def _base(account: str) -> str | None:
    parts = account.split("-")
    return parts[1] if len(parts) == 4 and parts[1] in _COUNTED else None


def _add(sums: dict[BudgetKey, list[int]], key: BudgetKey, encumbered: int, expended: int) -> None:
    line = sums.setdefault(key, [0, 0])
    line[0] += encumbered
    line[1] += expended

