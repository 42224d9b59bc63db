"""Receipts: goods received (and inspected) against PO lines; a receipt accrues and liquidates, then re-matches.

A return to the vendor is a receipt with negative quantities; an inspection recorded later is a receipt with
nothing received and a quantity accepted. Receipts are never edited: sums are what matching reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from payments.ap.ap_deps import APDeps, client_id, replay, require
from payments.ap.ap_errors import (AcceptanceExceedsReceived, InvalidDocument, PONotOpen, ReturnExceedsReceived,
                                   UnknownPO, UnknownPOLine)
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_postings import ReceiptAccrual, receipt_entry
from payments.ap.ap_records import LineBudget, PORecord, ReceiptRecord, content_digest, new_id
from payments.ap.budget_service import check_funds
from payments.ap.documents import (AccountCoding, InvoiceStatus, MatchLevel, POStatus, Receipt, ReceiptLine,
                                   ReceiptStatus)
from payments.ap.amounts import extend_minor
from payments.identity import Action, Principal, authorize
from payments.ap.matching.match_service import Matcher
from payments.ap.po_lines import check_quantity, rebalance

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class NewReceipt:
    po_id: str
    received_on: dt.date
    lines: tuple[ReceiptLine, ...]
    accepted_on: dt.date | None = None
    number: str | None = None
    note: str = ""


class ReceiptService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    def create(self, principal: Principal, cmd: NewReceipt, *, id: str | None = None) -> tuple[ReceiptRecord, bool]:
        with self._d.uow() as uow:
            record, created = self.create_in(uow, principal, cmd, id=id)
            uow.commit()
        return record, created

    def create_in(self, uow: APUnitOfWork, principal: Principal, cmd: NewReceipt, *,
                  id: str | None = None) -> tuple[ReceiptRecord, bool]:
        authorize(principal, Action.RECEIPT_CREATE)
        receipt_id = client_id("receipt", id)
        digest = content_digest(cmd)
        if receipt_id is not None and (existing := uow.receipts.get(receipt_id)) is not None:
            return replay("receipt", existing, digest), False
        po_record = uow.purchase_orders.get(cmd.po_id, for_update=True)
        if po_record is None:
            raise UnknownPO(f"purchase order {cmd.po_id} does not exist", field="po_id")
        po = po_record.po
        if po.status is not POStatus.APPROVED:
            raise PONotOpen(po.id, po.status.value)
        _check_lines(cmd.lines, po_record, uow.receipts.totals(po.id))
        self._d.policies.dates.check(cmd.received_on, "received_on", self._d.today())
        self._d.policies.dates.check_optional(cmd.accepted_on, "accepted_on", self._d.today())
        if cmd.accepted_on is not None and cmd.accepted_on < cmd.received_on:
            raise InvalidDocument("goods cannot be accepted before they arrive", field="accepted_on")
        accruals: list[ReceiptAccrual] = []
        budgets: dict[int, LineBudget] = {}
        amounts: dict[int, int] = {}
        for line in cmd.lines:
            po_line = require(po.line(line.po_line_no), "purchase order line", f"{po.id} line {line.po_line_no}")
            if po_line.match_level is MatchLevel.TWO_WAY:
                continue  # 2-way lines are expensed when their invoice is approved, not when received
            amount = extend_minor(line.quantity_received, po_line.unit_price_minor)
            budget = budgets.get(line.po_line_no) or po_record.budget.get(line.po_line_no, LineBudget())
            budgets[line.po_line_no], delta = rebalance(po_line, budget, amount)
            amounts[line.po_line_no] = amounts.get(line.po_line_no, 0) + amount
            accruals.append(ReceiptAccrual(po_line.coding, amount, delta))
        # Goods beyond what the order still encumbers (an over-shipment) are spent anew: like an order, they must
        # fit what the year's budget line has left, checked under the journal's lock.
        needs: dict[AccountCoding, int] = {}
        for accrual in accruals:
            needs[accrual.coding] = needs.get(accrual.coding, 0) + accrual.accrued_minor + accrual.encumbrance_minor
        if any(need > 0 for need in needs.values()):
            uow.ledger.lock_head()
            # An order from before fiscal years were kept (0009) is charged to the year it is received in.
            year = (po_record.fiscal_year if po_record.fiscal_year is not None
                    else self._d.policies.fiscal_year_of(cmd.received_on))
            check_funds(uow, needs, po.currency, year)
        receipt = Receipt(receipt_id or new_id("receipt"), po.id, cmd.received_on, cmd.lines, ReceiptStatus.POSTED,
                          cmd.accepted_on)
        kind = "returned to vendor" if receipt.is_return else "received"
        entry = receipt_entry(accruals, currency=po.currency, effective_date=cmd.received_on,
                              memo=f"purchase order {po_record.number}: goods {kind}",
                              references={"receipt": receipt.id, "purchase_order": po.id, "vendor": po.vendor_id},
                              fiscal_year=po_record.fiscal_year)
        ids = self._d.post(uow, [entry])
        record = ReceiptRecord(receipt, cmd.number, cmd.note, self._d.stamp(principal), ids[0] if ids else None,
                               amounts, digest)
        uow.receipts.add(record)
        uow.purchase_orders.set_line_budgets(po.id, budgets)
        self._d.record(uow, principal, "receipt_posted", receipt.id, None,
                       {"po_id": po.id, "lines": len(receipt.lines), "accrued_minor": sum(amounts.values())})
        # A return can undo a clean match; a delivery can only clear holds.
        statuses = [InvoiceStatus.ENTERED, InvoiceStatus.HELD]
        if receipt.is_return:
            statuses.append(InvoiceStatus.MATCHED)
        self._matcher.rematch_in(uow, uow.invoices.ids_to_rematch([po.id], statuses), trigger="receipt",
                                 document=receipt.id)
        return record, True

    def get(self, receipt_id: str) -> ReceiptRecord:
        with self._d.uow(read_only=True) as uow:
            return require(uow.receipts.get(receipt_id), "receipt", receipt_id)

    def list(self, *, after: str | None, limit: int, po_id: str | None = None) -> list[ReceiptRecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.receipts.list(after=after, limit=limit, po_id=po_id)


def _check_lines(lines: Sequence[ReceiptLine], po_record: PORecord,
                 totals: Mapping[int, tuple[Decimal, Decimal]]) -> None:
    if not lines:
        raise InvalidDocument("a receipt needs at least one line", field="lines")
    seen: set[int] = set()
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if po_record.po.line(line.po_line_no) is None:
            raise UnknownPOLine(f"purchase order {po_record.number} has no line {line.po_line_no}",
                                field=f"{where}.po_line_no")
        if line.po_line_no in seen:
            raise InvalidDocument("a PO line appears once per receipt", field=f"{where}.po_line_no")
        seen.add(line.po_line_no)
        received, accepted = line.quantity_received, line.quantity_accepted
        check_quantity(received, f"{where}.quantity_received", positive=False)
        net_received, net_accepted = totals.get(line.po_line_no, (_ZERO, _ZERO))
        if received < 0 and net_received + received < 0:
            raise ReturnExceedsReceived(f"cannot return {-received}: only {net_received} received",
                                        field=f"{where}.quantity_received")
        if accepted is None:
            if received == 0:
                raise InvalidDocument("a line must receive or accept something", field=f"{where}.quantity_received")
            continue
        check_quantity(accepted, f"{where}.quantity_accepted", positive=False)
        if received > 0 and not _ZERO <= accepted <= received:
            raise InvalidDocument("accepted must be between 0 and the quantity received",
                                  field=f"{where}.quantity_accepted")
        if received < 0 and not received <= accepted <= _ZERO:
            raise InvalidDocument("a return may un-accept at most what it returns", field=f"{where}.quantity_accepted")
        if received == 0 and not _ZERO < accepted <= net_received - net_accepted:
            raise AcceptanceExceedsReceived(f"only {net_received - net_accepted} received and not yet accepted",
                                            field=f"{where}.quantity_accepted")
