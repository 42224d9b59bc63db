"""Invoices (with approvals, holds and match results) and credit memos, in SQL."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_repo import as_date, guarded, one_of, page_after, stamp_of, stamp_values
from adapters.db.ap.ap_unique import unique_or
from adapters.db.ap.ap_tables import (credit_memo_lines, credit_memos, invoice_approvals, invoice_holds, invoice_lines,
                                   invoices, match_results)
from payments.ap.ap_errors import CreatedConcurrently, DuplicateNumber
from payments.controls import SameApproverTwice
from payments.ap.ap_records import (CreditMemoRecord, HoldRecord, InvoiceRecord, MatchRecord, PromptPayDates, Stamp)
from payments.ap.documents import CreditMemo, CreditMemoLine, CreditMemoStatus, Invoice, InvoiceLine, InvoiceStatus
from payments.ap.matching.duplicates import normalize_invoice_number
from payments.ap.split_purchases import SplitCandidate


_PRICES: dict[str, Decimal] = {}


def price(text: str) -> Decimal:
    """A stored unit price (exact decimal text) as a Decimal, memoized: prices repeat across lines."""
    found = _PRICES.get(text)
    if found is None:
        found = Decimal(text)
        if len(_PRICES) < 65_536:
            _PRICES[text] = found
    return found


def invoice_values(record: InvoiceRecord) -> dict[str, Any]:
    inv = record.invoice
    return {
        "vendor_id": inv.vendor_id, "invoice_number": inv.invoice_number,
        "number_normalized": normalize_invoice_number(inv.invoice_number), "invoice_date": inv.invoice_date,
        "received_on": inv.received_on, "currency": inv.currency, "terms": inv.terms,
        "stated_total_minor": inv.stated_total_minor, "total_minor": inv.total_minor, "remit_to": inv.remit_to,
        "defect_contact": inv.defect_contact, "file_digest": inv.file_digest, "status": inv.status.value,
        "version": record.version, **stamp_values("last_changed", record.last_changed),
    }


def invoice_line_rows(inv: Invoice) -> list[dict[str, Any]]:
    return [{"invoice_id": inv.id, "line_no": line.line_no, "po_id": line.po_id, "po_line_no": line.po_line_no,
             "quantity": line.quantity, "unit_price_minor": format(line.unit_price_minor, "f"),
             "amount_minor": line.amount_minor, "description": line.description,
             "unit_of_measure": line.unit_of_measure} for line in inv.lines]


def invoice_from_rows(r: Any, lines: Sequence[Any]) -> InvoiceRecord:
    inv = Invoice(
        id=r.id, vendor_id=r.vendor_id, invoice_number=r.invoice_number, invoice_date=as_date(r.invoice_date),
        currency=r.currency,
        lines=tuple(InvoiceLine(x.line_no, x.po_id, x.po_line_no, x.quantity, price(x.unit_price_minor),
                                x.description, x.unit_of_measure) for x in lines),
        received_on=as_date(r.received_on), terms=r.terms, stated_total_minor=r.stated_total_minor,
        remit_to=r.remit_to, defect_contact=r.defect_contact, file_digest=r.file_digest,
        status=InvoiceStatus(r.status))
    return InvoiceRecord(
        inv, r.version, stamp_of(r, "entered"), stamp_of(r, "last_changed"), r.match_result_id, r.match_digest,
        r.policy_version,
        PromptPayDates(as_date(r.pp_acceptance_date), as_date(r.pp_receipt_date), as_date(r.pp_due_date),
                       r.pp_policy_version, r.pp_rule),
        tuple(json.loads(r.defects_json)) if r.defects_json else None, as_date(r.return_by),
        stamp_of(r, "returned"), r.approval_entry_id, r.approved_at, r.create_digest)


def hold_from_row(r: Any) -> HoldRecord:
    return HoldRecord(r.id, r.invoice_id, r.hold, r.rule, r.subject, r.fingerprint, json.loads(r.finding_json),
                      r.status, r.raised_at, r.match_result_id, r.released_at, r.released_by, r.release_kind, r.reason)


class SqlInvoiceRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: InvoiceRecord) -> None:
        with unique_or(self._conn, {"id": lambda: CreatedConcurrently("invoice", record.invoice.id)}):
            self._conn.execute(insert(invoices).values(id=record.invoice.id, create_digest=record.create_digest,
                                                       **invoice_values(record),
                                                       **stamp_values("entered", record.entered)))
        if record.invoice.lines:
            self._conn.execute(insert(invoice_lines), invoice_line_rows(record.invoice))

    def get(self, invoice_id: str) -> InvoiceRecord | None:
        found = self.get_many([invoice_id])
        return found[0] if found else None

    def get_many(self, invoice_ids: Sequence[str]) -> list[InvoiceRecord]:
        if not invoice_ids:
            return []
        out = self._hydrate(self._conn.execute(select(invoices).where(
            one_of(self._conn, invoices.c.id, invoice_ids))).all())
        order = {i: n for n, i in enumerate(invoice_ids)}
        return sorted(out, key=lambda rec: order[rec.invoice.id])

    def _hydrate(self, rows: Sequence[Any]) -> list[InvoiceRecord]:
        if not rows:
            return []
        lines: dict[str, list[Any]] = {}
        il = invoice_lines.c
        for x in self._conn.execute(select(il.invoice_id, il.line_no, il.po_id, il.po_line_no, il.quantity,
                                           il.unit_price_minor, il.description, il.unit_of_measure)
                                    .where(one_of(self._conn, il.invoice_id, [r.id for r in rows]))
                                    .order_by(il.invoice_id, il.line_no)):
            lines.setdefault(x.invoice_id, []).append(x)
        return [invoice_from_rows(r, lines.get(r.id, ())) for r in rows]

    def list(self, *, after: str | None, limit: int, status: str | None = None, vendor_id: str | None = None,
             po_id: str | None = None) -> builtins.list[InvoiceRecord]:
        stmt = select(invoices)
        if status:
            stmt = stmt.where(invoices.c.status == status)
        if vendor_id:
            stmt = stmt.where(invoices.c.vendor_id == vendor_id)
        if po_id:
            stmt = stmt.where(invoices.c.id.in_(select(invoice_lines.c.invoice_id)
                                                .where(invoice_lines.c.po_id == po_id)))
        return self._hydrate(self._conn.execute(page_after(stmt, invoices.c.id, after, limit)).all())

    def replace(self, record: InvoiceRecord, *, expected_version: int, expected_status: InvoiceStatus) -> None:
        inv = record.invoice
        guarded(self._conn, update(invoices).where(invoices.c.id == inv.id, invoices.c.version == expected_version,
                                                   invoices.c.status == expected_status.value)
                .values(**invoice_values(record)), "invoice", inv.id, f"{expected_status.value} v{expected_version}")
        self._conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_id == inv.id))
        if inv.lines:
            self._conn.execute(insert(invoice_lines), invoice_line_rows(inv))

    def set_status(self, invoice_id: str, expected: InvoiceStatus, new: InvoiceStatus, *,
                   approval_entry_id: str | None = None, approved_at: str | None = None,
                   returned: Stamp | None = None) -> None:
        values: dict[str, Any] = {"status": new.value, **stamp_values("returned", returned)}
        if approval_entry_id is not None:
            values.update(approval_entry_id=approval_entry_id, approved_at=approved_at)
        guarded(self._conn, update(invoices).where(invoices.c.id == invoice_id, invoices.c.status == expected.value)
                .values(**values), "invoice", invoice_id, expected.value)

    def find_number(self, vendor_id: str, invoice_number: str) -> builtins.list[str]:
        """Live invoices (not returned or cancelled) of this vendor with exactly this number."""
        i = invoices.c
        return list(self._conn.execute(select(i.id).where(
            i.vendor_id == vendor_id, i.number_normalized == normalize_invoice_number(invoice_number),
            i.invoice_number == invoice_number,
            i.status.not_in([InvoiceStatus.RETURNED.value, InvoiceStatus.CANCELLED.value]))).scalars())

    def ids_to_rematch(self, po_ids: Iterable[str], statuses: Iterable[InvoiceStatus]) -> builtins.list[str]:
        po_ids, wanted = sorted(set(po_ids)), [s.value for s in statuses]
        if not po_ids:
            return []
        return sorted(self._conn.execute(
            select(invoices.c.id).where(invoices.c.status.in_(wanted), invoices.c.id.in_(
                select(invoice_lines.c.invoice_id).where(one_of(self._conn, invoice_lines.c.po_id, po_ids))))).scalars())

    def ids_in_status(self, status: InvoiceStatus, *, limit: int) -> builtins.list[str]:
        order = func.coalesce(invoices.c.received_on, invoices.c.invoice_date)
        return list(self._conn.execute(select(invoices.c.id).where(invoices.c.status == status.value)
                                       .order_by(order, invoices.c.id).limit(limit)).scalars())

    def approvals(self, invoice_id: str, version: int) -> builtins.list[tuple[str, dt.datetime]]:
        a = invoice_approvals.c
        rows = self._conn.execute(select(a.approver_id, a.approved_at).where(
            a.invoice_id == invoice_id, a.invoice_version == version).order_by(a.approved_at))
        return [(who, dt.datetime.fromisoformat(at.replace("Z", "+00:00"))) for who, at in rows]

    def add_approval(self, invoice_id: str, version: int, approver_id: str, at: str) -> None:
        with unique_or(self._conn, {"approver": lambda: SameApproverTwice(approver_id, f"invoice {invoice_id}")}):
            self._conn.execute(insert(invoice_approvals).values(invoice_id=invoice_id, invoice_version=version,
                                                                approver_id=approver_id, approved_at=at))

    def holds(self, invoice_id: str, *, status: str | None = None) -> builtins.list[HoldRecord]:
        stmt = select(invoice_holds).where(invoice_holds.c.invoice_id == invoice_id)
        if status:
            stmt = stmt.where(invoice_holds.c.status == status)
        return [hold_from_row(r) for r in self._conn.execute(stmt.order_by(invoice_holds.c.id))]

    def release_hold(self, hold_id: str, *, released_by: str, at: str, reason: str, kind: str) -> None:
        guarded(self._conn, update(invoice_holds).where(invoice_holds.c.id == hold_id,
                                                        invoice_holds.c.status == "open")
                .values(status="released", released_by=released_by, released_at=at, reason=reason,
                        release_kind=kind), "hold", hold_id, "open")

    def add_hold(self, hold: HoldRecord) -> None:
        self._conn.execute(insert(invoice_holds).values(
            id=hold.id, invoice_id=hold.invoice_id, hold=hold.hold, rule=hold.rule, subject=hold.subject[:160],
            fingerprint=hold.fingerprint, finding_json=json.dumps(dict(hold.finding), sort_keys=True),
            status=hold.status, raised_at=hold.raised_at, match_result_id=hold.match_result_id))

    def split_candidates(self, vendor_id: str, currency: str, since: dt.date, until: dt.date,
                         max_amount_minor: int) -> builtins.list[SplitCandidate]:
        i = invoices
        stmt = (select(i.c.id, i.c.invoice_date, i.c.total_minor)
                .where(i.c.vendor_id == vendor_id, i.c.currency == currency, i.c.invoice_date >= since,
                       i.c.invoice_date <= until, i.c.total_minor <= max_amount_minor,
                       i.c.status.notin_((InvoiceStatus.CANCELLED.value, InvoiceStatus.RETURNED.value)))
                .order_by(i.c.invoice_date, i.c.id))
        return [SplitCandidate(r.id, vendor_id, currency, as_date(r.invoice_date), int(r.total_minor))
                for r in self._conn.execute(stmt)]

    def match_result(self, match_id: str) -> MatchRecord | None:
        r = self._conn.execute(select(match_results).where(match_results.c.id == match_id)).first()
        if r is None:
            return None
        return MatchRecord(r.id, r.invoice_id, r.invoice_version, r.matched_at, r.trigger, r.policy_version,
                           r.digest, tuple(json.loads(r.findings_json)), r.status_after)


class SqlCreditMemoRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: CreditMemoRecord) -> None:
        m = record.memo
        with unique_or(self._conn, {"number": lambda: DuplicateNumber("credit memo", m.memo_number),
                                    "id": lambda: CreatedConcurrently("credit memo", m.id)}):
            self._conn.execute(insert(credit_memos).values(
                id=m.id, vendor_id=m.vendor_id, memo_number=m.memo_number, memo_date=m.memo_date, currency=m.currency,
                status=m.status.value, invoice_id=m.invoice_id, total_minor=m.total_minor, reason=record.reason,
                entry_id=record.entry_id, create_digest=record.create_digest,
                **stamp_values("created", record.created)))
        self._conn.execute(insert(credit_memo_lines), [
            {"credit_memo_id": m.id, "line_no": n, "po_id": line.po_id, "po_line_no": line.po_line_no,
             "quantity": line.quantity, "amount_minor": line.amount_minor} for n, line in enumerate(m.lines, 1)])

    def get(self, memo_id: str) -> CreditMemoRecord | None:
        found = self._hydrate(self._conn.execute(select(credit_memos).where(credit_memos.c.id == memo_id)).all())
        return found[0] if found else None

    def get_by_number(self, vendor_id: str, memo_number: str) -> CreditMemoRecord | None:
        found = self._hydrate(self._conn.execute(select(credit_memos).where(
            credit_memos.c.vendor_id == vendor_id, credit_memos.c.memo_number == memo_number)).all())
        return found[0] if found else None

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None) -> builtins.list[CreditMemoRecord]:
        stmt = select(credit_memos)
        if vendor_id:
            stmt = stmt.where(credit_memos.c.vendor_id == vendor_id)
        return self._hydrate(self._conn.execute(page_after(stmt, credit_memos.c.id, after, limit)).all())

    def _hydrate(self, rows: Sequence[Any]) -> builtins.list[CreditMemoRecord]:
        if not rows:
            return []
        lines: dict[str, list[Any]] = {}
        for x in self._conn.execute(select(credit_memo_lines).where(
                credit_memo_lines.c.credit_memo_id.in_([r.id for r in rows]))
                .order_by(credit_memo_lines.c.credit_memo_id, credit_memo_lines.c.line_no)):
            lines.setdefault(x.credit_memo_id, []).append(x)
        return [CreditMemoRecord(
            CreditMemo(r.id, r.vendor_id, r.memo_number, as_date(r.memo_date), r.currency,
                       tuple(CreditMemoLine(x.po_id, x.po_line_no, x.quantity, x.amount_minor)
                             for x in lines.get(r.id, ())), CreditMemoStatus(r.status), r.invoice_id),
            r.reason, stamp_of(r, "created"), r.entry_id, r.create_digest) for r in rows]
