"""Vendor credits in SQL (``payments.ap.vendor_credits.VendorCreditStore``) and the guarded counters payments take
them through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_tables import invoice_lines, invoices, po_lines
from adapters.db.ap.vendor_credit_tables import vendor_credits
from adapters.db.disbursements.payment_credit_tables import payment_credits
from adapters.db.disbursements.payment_tables import payment_items
from payments.ap.vendor_credits import VendorCredit, WriteOffStatus


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _credit(r: Any) -> VendorCredit:
    return VendorCredit(
        r.credit_memo_id, r.fund, r.vendor_id, r.currency, r.memo_number, r.memo_date, r.amount_minor,
        r.receivable_minor, r.applied_minor, r.offset_receivable_minor, r.cleared_minor,
        WriteOffStatus(r.write_off_status) if r.write_off_status else None, r.write_off_requested_by,
        r.write_off_reason)


class SqlVendorCreditStore:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def payable_minor(self, vendor_id: str, currency: str, fund: str) -> int:
        # An approved invoice's fund is its first line's PO fund, as the payment run charges it. An invoice a live
        # payment carries is left out: that payment will take it off Vouchers payable whole, less only the credits
        # it took when it was planned (issue 11: a credit posted while a released run carried the invoice).
        first = (select(invoice_lines.c.invoice_id, func.min(invoice_lines.c.line_no).label("line_no"))
                 .group_by(invoice_lines.c.invoice_id).subquery())
        in_payment = select(payment_items.c.live_invoice_id).where(payment_items.c.live_invoice_id.is_not(None))
        coded = (select(invoices.c.id, invoices.c.total_minor, po_lines.c.fund)
                 .select_from(invoices.join(first, first.c.invoice_id == invoices.c.id)
                              .join(invoice_lines, and_(invoice_lines.c.invoice_id == first.c.invoice_id,
                                                        invoice_lines.c.line_no == first.c.line_no))
                              .join(po_lines, and_(po_lines.c.po_id == invoice_lines.c.po_id,
                                                   po_lines.c.line_no == invoice_lines.c.po_line_no)))
                 .where(invoices.c.vendor_id == vendor_id, invoices.c.currency == currency,
                        invoices.c.status == "approved", invoices.c.id.not_in(in_payment)))
        approved = sum(r.total_minor for r in self._c.execute(coded) if r.fund == fund)
        vc = vendor_credits
        open_payable = self._c.execute(
            select(func.coalesce(func.sum(vc.c.amount_minor - vc.c.receivable_minor - vc.c.applied_minor), 0))
            .where(vc.c.vendor_id == vendor_id, vc.c.currency == currency, vc.c.fund == fund)).scalar_one()
        return int(approved) - int(open_payable)

    def move_to_receivable(self, credit_memo_id: str, fund: str, amount_minor: int) -> bool:
        vc = vendor_credits
        return self._c.execute(update(vc).where(
            vc.c.credit_memo_id == credit_memo_id, vc.c.fund == fund,
            vc.c.amount_minor - vc.c.receivable_minor - vc.c.applied_minor >= amount_minor)
            .values(receivable_minor=vc.c.receivable_minor + amount_minor)).rowcount == 1

    def clear_by_refund(self, credit_memo_id: str, fund: str, amount_minor: int) -> bool:
        vc = vendor_credits
        open_part = vc.c.receivable_minor - vc.c.offset_receivable_minor - vc.c.cleared_minor
        return self._c.execute(update(vc).where(vc.c.credit_memo_id == credit_memo_id, vc.c.fund == fund,
                                                open_part >= amount_minor)
                               .values(cleared_minor=vc.c.cleared_minor + amount_minor)).rowcount == 1

    def add(self, credits: Sequence[VendorCredit]) -> None:
        if credits:
            self._c.execute(insert(vendor_credits), [
                {"credit_memo_id": c.credit_memo_id, "fund": c.fund, "vendor_id": c.vendor_id, "currency": c.currency,
                 "memo_number": c.memo_number, "memo_date": c.memo_date, "amount_minor": c.amount_minor,
                 "receivable_minor": c.receivable_minor, "applied_minor": 0, "offset_receivable_minor": 0,
                 "cleared_minor": 0} for c in credits])

    def for_vendors(self, vendor_ids: Iterable[str], currency: str | None = None, *,
                    open_only: bool = True) -> list[VendorCredit]:
        ids = sorted(set(vendor_ids))
        if not ids:
            return []
        vc = vendor_credits
        query = select(vc).where(vc.c.vendor_id.in_(ids)).order_by(vc.c.memo_date, vc.c.credit_memo_id, vc.c.fund)
        if currency:
            query = query.where(vc.c.currency == currency)
        found = [_credit(r) for r in self._c.execute(query)]
        return [c for c in found if c.open_minor > 0] if open_only else found

    def get(self, credit_memo_id: str, fund: str, *, for_update: bool = False) -> VendorCredit | None:
        query = select(vendor_credits).where(vendor_credits.c.credit_memo_id == credit_memo_id,
                                             vendor_credits.c.fund == fund)
        if for_update and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return _credit(row) if row else None

    def request_write_off(self, credit_memo_id: str, fund: str, *, by: str, reason: str, at: dt.datetime) -> bool:
        vc = vendor_credits
        return self._c.execute(update(vc).where(
            vc.c.credit_memo_id == credit_memo_id, vc.c.fund == fund, vc.c.write_off_status.is_(None))
            .values(write_off_status=WriteOffStatus.REQUESTED.value, write_off_requested_by=by,
                    write_off_requested_at=_ts(at), write_off_reason=reason[:500])).rowcount == 1

    def approve_write_off(self, credit_memo_id: str, fund: str, *, by: str, amount_minor: int, entry_id: str | None,
                          at: dt.datetime) -> bool:
        vc = vendor_credits
        open_part = vc.c.receivable_minor - vc.c.offset_receivable_minor - vc.c.cleared_minor
        return self._c.execute(update(vc).where(
            vc.c.credit_memo_id == credit_memo_id, vc.c.fund == fund,
            vc.c.write_off_status == WriteOffStatus.REQUESTED.value, open_part >= amount_minor)
            .values(write_off_status=WriteOffStatus.APPROVED.value, write_off_approved_by=by,
                    write_off_approved_at=_ts(at), write_off_entry_id=entry_id,
                    cleared_minor=vc.c.cleared_minor + amount_minor)).rowcount == 1


def take_credit(conn: Connection, credit_memo_id: str, fund: str, payable_minor: int, receivable_minor: int) -> bool:
    """A payment takes this much of the credit, guarded so that two runs never take the same credit twice."""
    vc = vendor_credits
    return conn.execute(update(vc).where(
        vc.c.credit_memo_id == credit_memo_id, vc.c.fund == fund,
        vc.c.amount_minor - vc.c.receivable_minor - vc.c.applied_minor >= payable_minor,
        vc.c.receivable_minor - vc.c.offset_receivable_minor - vc.c.cleared_minor >= receivable_minor)
        .values(applied_minor=vc.c.applied_minor + payable_minor,
                offset_receivable_minor=vc.c.offset_receivable_minor + receivable_minor)).rowcount == 1


def give_back(conn: Connection, payment_ids: Sequence[str]) -> None:
    """Payments that left the live set (cancelled, failed, returned) give back exactly what they took."""
    if not payment_ids:
        return
    pc, vc = payment_credits, vendor_credits
    for r in conn.execute(select(pc).where(pc.c.payment_id.in_(list(payment_ids)))):
        conn.execute(update(vc).where(vc.c.credit_memo_id == r.credit_memo_id, vc.c.fund == r.fund)
                     .values(applied_minor=vc.c.applied_minor - (r.amount_minor - r.receivable_minor),
                             offset_receivable_minor=vc.c.offset_receivable_minor - r.receivable_minor))
