"""Cancelling (voiding) an invoice: withdrawn by the vendor, entered in error, or paid some other way.

An invoice that was never approved posted nothing, so cancelling it posts nothing: it stops counting as billed
and its open holds are closed. An approved invoice posted ``invoice_approved``; cancelling it posts
``invoice_cancelled``, which undoes that approval line by line (``ap_postings.credit_memo_entry``) and names
the entry it undoes. A paid invoice is not cancelled (its payment is voided or returned first), nor one that a
live payment carries. Undoing a posted approval takes approval authority; every cancellation needs a reason.

A cancelled invoice that counted as billed frees what it billed, so the invoices held on its purchase orders
are re-matched (their holds may clear).

A credit memo applied while the invoice was approved came off Vouchers payable on the strength of it. Once the
invoice is cancelled, the vendor may be owed less than the open part of its credits: that much moves, in the same
``invoice_cancelled`` entry, from Vouchers payable to Vendor credits receivable (Dr ``<fund>-1310``, Cr
``<fund>-2010``), so Vouchers payable for the vendor never goes below zero and the credit clears like any other
receivable (offset, refund or write-off).
"""

from __future__ import annotations

from typing import Any

from payments.ap.ap_deps import APDeps, require
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_errors import InvalidDocument, InvoiceInPayment, StaleState
from payments.ap.ap_postings import CreditedLine, credit_memo_entry
from payments.ap.ap_records import InvoiceRecord
from payments.ap.credit_memo_service import credited_lines
from payments.ap.vendor_credits import to_receivable
from payments.ap.documents import InvoiceStatus, counts_as_billed, transition
from payments.identity import Action, Principal, authorize
from payments.ap.matching.match_service import Matcher


class InvoiceCancelService:
    def __init__(self, deps: APDeps, matcher: Matcher) -> None:
        self._d = deps
        self._matcher = matcher

    def cancel(self, principal: Principal, invoice_id: str, reason: str) -> InvoiceRecord:
        with self._d.uow() as uow:
            record = self.cancel_in(uow, principal, invoice_id, reason)
            uow.commit()
        return record

    def cancel_in(self, uow: APUnitOfWork, principal: Principal, invoice_id: str, reason: str) -> InvoiceRecord:
        authorize(principal, Action.INVOICE_CREATE)
        why = (reason or "").strip()
        if not why:
            raise InvalidDocument("cancelling an invoice needs a reason", field="reason")
        rec = require(uow.invoices.get(invoice_id), "invoice", invoice_id)
        inv = rec.invoice
        transition(inv.status, InvoiceStatus.CANCELLED)  # paid, returned or already cancelled: refused
        entry_id = None
        if inv.status is InvoiceStatus.APPROVED:
            authorize(principal, Action.INVOICE_APPROVE)
            payments = getattr(uow, "payments", None)
            if payments is not None and payments.live_invoice_ids([invoice_id]):
                raise InvoiceInPayment(invoice_id)
            entry_id = self._undo_approval(uow, rec, why)
        at = self._d.now_text()
        uow.invoices.set_status(invoice_id, inv.status, InvoiceStatus.CANCELLED)
        for hold in uow.invoices.holds(invoice_id, status="open"):
            uow.invoices.release_hold(hold.id, released_by=principal.user_id, at=at,
                                      reason=f"invoice cancelled: {why}", kind="cancel")
        self._d.record(uow, principal, "invoice_cancelled", invoice_id, {"status": inv.status.value},
                       {"status": "cancelled"}, detail={"reason": why, "entry_id": entry_id,
                                                        "total_minor": inv.total_minor})
        if counts_as_billed(inv.status):
            held = uow.invoices.ids_to_rematch(inv.po_ids, [InvoiceStatus.ENTERED, InvoiceStatus.HELD])
            self._matcher.rematch_in(uow, held, trigger="cancelled", document=invoice_id)
        return require(uow.invoices.get(invoice_id), "invoice", invoice_id)

    def _undo_approval(self, uow: APUnitOfWork, rec: InvoiceRecord, why: str) -> str | None:
        inv = rec.invoice
        lines, budgets = credited_lines(uow, ((line.po_id, line.po_line_no, line.quantity, line.amount_minor)
                                              for line in inv.lines))
        moved = self._credits_to_receivable(uow, rec, lines)
        entry = credit_memo_entry(
            lines, currency=inv.currency, effective_date=self._d.today(), code="invoice_cancelled",
            memo=f"invoice {inv.invoice_number} cancelled: {why}",
            references={"invoice": inv.id, "vendor": inv.vendor_id, "undoes": rec.approval_entry_id or ""},
            data={"invoice_version": rec.version, "total_minor": inv.total_minor},
            receivable_by_fund=moved)
        for (po_id, line_no), budget in budgets.items():
            uow.purchase_orders.set_line_budgets(po_id, {line_no: budget})
        ids = self._d.post(uow, [entry])
        return ids[0] if ids else None

    @staticmethod
    def _credits_to_receivable(uow: APUnitOfWork, rec: InvoiceRecord, lines: list[CreditedLine]) -> dict[str, int]:
        """What of the vendor's open credits the cancelled invoice was carrying, per fund: it moves to Vendor
        credits receivable. The invoice counts in its first line's fund, as the payment run charges it."""
        inv = rec.invoice
        if not lines:
            return {}
        fund = lines[min(range(len(inv.lines)), key=lambda i: inv.lines[i].line_no)].coding.fund
        left = uow.vendor_credits.payable_minor(inv.vendor_id, inv.currency, fund) - inv.total_minor
        if left >= 0:
            return {}
        credits = uow.vendor_credits.for_vendors([inv.vendor_id], inv.currency)
        moves = to_receivable(credits, fund, -left)
        for credit, amount in moves:
            if not uow.vendor_credits.move_to_receivable(credit.credit_memo_id, fund, amount):
                raise StaleState("vendor credit", credit.credit_memo_id, "as read")
        return {fund: sum(amount for _, amount in moves)} if moves else {}
