"""Credit memos: matched back to PO lines, checked never to credit more than was billed, applied at once.

Applying posts ``credit_memo_applied``, the reverse of what approving the credited part of an invoice posted
(``ap_postings.credit_memo_entry``: Dr Vouchers payable; Cr Goods received not invoiced at PO price and the price
difference to Expenditures, or for a 2-way line Cr Expenditures and re-encumber), and re-matches the invoices
held on those purchase orders: a credit restores billable quantity, so it may clear their holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from payments.ap.ap_deps import APDeps, client_id, document_vendor, replay, require
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_errors import DuplicateNumber, InvalidDocument
from payments.ap.ap_postings import CreditedLine, credit_memo_entry
from payments.ap.ap_records import CreditMemoRecord, LineBudget, content_digest, new_id
from payments.ap.documents import (ENCUMBERING_PO_STATUSES, CreditMemo, CreditMemoLine, CreditMemoStatus,
                                   InvoiceStatus, MatchLevel, transition)
from payments.ap.amounts import extend_minor
from payments.identity import Action, Principal, authorize
from payments.ap.matching.match_credits import CreditMemoFinding, check_credit_memo
from payments.ap.matching.match_service import Matcher
from payments.ap.po_lines import check_quantity, rebalance
from payments.ap.vendor_credits import VendorCredit, split_credit


@dataclass(frozen=True, slots=True)
class NewCreditMemoLine:
    po_id: str
    po_line_no: int
    quantity: Decimal
    amount_minor: int


@dataclass(frozen=True, slots=True)
class NewCreditMemo:
    vendor_id: str
    memo_number: str
    memo_date: dt.date
    currency: str
    lines: tuple[NewCreditMemoLine, ...]
    invoice_id: str | None = None
    reason: str = ""


class CreditMemoRefused(InvalidDocument):
    """Every problem ``match_credits.check_credit_memo`` found, the first named in the message."""

    code = "credit_memo_refused"

    def __init__(self, problems: tuple[CreditMemoFinding, ...]) -> None:
        first = problems[0]
        super().__init__("; ".join(p.explanation for p in problems), field="lines", code=first.problem.value)
        self.details["problems"] = [p.problem.value for p in problems]


def credited_lines(uow: APUnitOfWork, items: Iterable[tuple[str | None, int | None, Decimal, int]]
                   ) -> tuple[list[CreditedLine], dict[tuple[str, int], LineBudget]]:
    """How each (PO id, PO line, quantity, amount) credited posts, and the new budgetary state of the 2-way PO
    lines it credits (a credit memo's lines; a cancelled invoice's lines).

    A 2-way line was expensed, and its encumbrance liquidated, when its invoice was approved; crediting it
    takes that much back off what the line has accrued, so the line re-encumbers it while the PO is open (the
    vendor may bill it again). A 3- or 4-way line accrued at receipt, which a credit does not undo (a return
    to the vendor is a negative receipt and re-encumbers there).
    """
    items = list(items)
    pos = {po_id: uow.purchase_orders.get(po_id, for_update=True) for po_id in sorted({x[0] or "" for x in items})}
    lines: list[CreditedLine] = []
    budgets: dict[tuple[str, int], LineBudget] = {}
    for po_id, po_line_no, quantity, amount_minor in items:
        po = require(pos[po_id or ""], "purchase order", str(po_id))
        po_line = require(po.po.line(po_line_no) if po_line_no is not None else None, "purchase order line",
                          f"{po_id} line {po_line_no}")
        at_po_price = extend_minor(quantity, po_line.unit_price_minor)
        two_way = po_line.match_level is MatchLevel.TWO_WAY
        delta = 0
        if two_way:
            key = (po.po.id, po_line.line_no)
            budget = budgets.get(key) or po.budget.get(po_line.line_no, LineBudget())
            budgets[key], delta = rebalance(po_line, budget, -at_po_price,
                                            open_=po.po.status in ENCUMBERING_PO_STATUSES)
        lines.append(CreditedLine(po_line.coding, amount_minor, at_po_price, two_way, delta, po.fiscal_year))
    return lines, budgets


def vendor_credits_of(uow: APUnitOfWork, memo: CreditMemo, credited: Iterable[CreditedLine]) -> list[VendorCredit]:
    """The memo's credit per fund, each split between what the vendor is owed in that fund (Vouchers payable) and
    the excess (Vendor credits receivable): Vouchers payable for a vendor never goes below zero."""
    by_fund: dict[str, int] = {}
    for line in credited:
        by_fund[line.coding.fund] = by_fund.get(line.coding.fund, 0) + line.amount_minor
    out = []
    for fund, amount in sorted(by_fund.items()):
        _, receivable = split_credit(amount, uow.vendor_credits.payable_minor(memo.vendor_id, memo.currency, fund))
        out.append(VendorCredit(memo.id, fund, memo.vendor_id, memo.currency, memo.memo_number, memo.memo_date,
                                amount, receivable))
    return out


class CreditMemoService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    def create(self, principal: Principal, cmd: NewCreditMemo, *, id: str | None = None) -> tuple[CreditMemoRecord, bool]:
        with self._d.uow() as uow:
            record, created = self.create_in(uow, principal, cmd, id=id)
            uow.commit()
        return record, created

    def create_in(self, uow: APUnitOfWork, principal: Principal, cmd: NewCreditMemo, *,
                  id: str | None = None) -> tuple[CreditMemoRecord, bool]:
        authorize(principal, Action.CREDIT_MEMO_CREATE)
        memo_id = client_id("credit_memo", id)
        digest = content_digest(cmd)
        if memo_id is not None and (existing := uow.credit_memos.get(memo_id)) is not None:
            return replay("credit memo", existing, digest), False
        document_vendor(uow, cmd.vendor_id, cmd.currency)
        if not cmd.memo_number.strip():
            raise InvalidDocument("memo_number may not be blank", field="memo_number")
        self._d.policies.dates.check(cmd.memo_date, "memo_date", self._d.today())
        if not cmd.lines:
            raise InvalidDocument("a credit memo needs at least one line", field="lines")
        for i, line in enumerate(cmd.lines):
            check_quantity(line.quantity, f"lines[{i}].quantity", allow_zero=True)
            if line.amount_minor <= 0:
                raise InvalidDocument("a credit line's amount must be more than zero", field=f"lines[{i}].amount")
        if cmd.invoice_id is not None:
            invoice = uow.invoices.get(cmd.invoice_id)
            if invoice is None or invoice.invoice.vendor_id != cmd.vendor_id:
                raise InvalidDocument(f"invoice {cmd.invoice_id} is not one of this vendor's", field="invoice_id")
        if uow.credit_memos.get_by_number(cmd.vendor_id, cmd.memo_number.strip()) is not None:
            raise DuplicateNumber("credit memo", cmd.memo_number.strip())
        memo = CreditMemo(memo_id or new_id("credit_memo"), cmd.vendor_id, cmd.memo_number.strip(), cmd.memo_date,
                          cmd.currency, tuple(CreditMemoLine(x.po_id, x.po_line_no, x.quantity, x.amount_minor)
                                              for x in cmd.lines), CreditMemoStatus.ENTERED, cmd.invoice_id)
        po_ids = sorted({line.po_id for line in memo.lines})
        context = uow.match_queries.context_for_pos(po_ids)
        problems = check_credit_memo(memo, context)
        if problems:
            raise CreditMemoRefused(problems)
        memo = CreditMemo(memo.id, memo.vendor_id, memo.memo_number, memo.memo_date, memo.currency, memo.lines,
                          transition(memo.status, CreditMemoStatus.APPLIED), memo.invoice_id)
        credited, budgets = credited_lines(
            uow, ((x.po_id, x.po_line_no, x.quantity, x.amount_minor) for x in memo.lines))
        credits = vendor_credits_of(uow, memo, credited)
        entry = credit_memo_entry(credited, currency=memo.currency, effective_date=memo.memo_date,
                                  memo=f"credit memo {memo.memo_number} applied",
                                  references={"credit_memo": memo.id, "vendor": memo.vendor_id},
                                  receivable_by_fund={c.fund: c.receivable_minor for c in credits
                                                      if c.receivable_minor})
        for (po_id, line_no), budget in budgets.items():
            uow.purchase_orders.set_line_budgets(po_id, {line_no: budget})
        ids = self._d.post(uow, [entry])
        record = CreditMemoRecord(memo, cmd.reason, self._d.stamp(principal), ids[0] if ids else None, digest)
        uow.credit_memos.add(record)
        uow.vendor_credits.add(credits)
        self._d.record(uow, principal, "credit_memo_applied", memo.id, None,
                       {"vendor_id": memo.vendor_id, "total_minor": memo.total_minor,
                        "receivable_minor": sum(c.receivable_minor for c in credits)})
        held = uow.invoices.ids_to_rematch(po_ids, [InvoiceStatus.ENTERED, InvoiceStatus.HELD])
        self._matcher.rematch_in(uow, held, trigger="credit_memo", document=memo.id)
        return record, True

    def get(self, memo_id: str) -> CreditMemoRecord:
        with self._d.uow(read_only=True) as uow:
            return require(uow.credit_memos.get(memo_id), "credit memo", memo_id)

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None) -> list[CreditMemoRecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.credit_memos.list(after=after, limit=limit, vendor_id=vendor_id)
