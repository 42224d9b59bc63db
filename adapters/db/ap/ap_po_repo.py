"""Purchase orders (with their versions and lines' budgetary state) and receipts, in SQL."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_repo import as_date, guarded, page_after, stamp_of, stamp_values
from adapters.db.ap.ap_unique import unique_or
from adapters.db.ap.ap_tables import (credit_memo_lines, credit_memos, invoice_lines, invoices, po_lines,
                                   purchase_order_versions, purchase_orders, receipt_lines, receipts)
from payments.ap.ap_errors import CreatedConcurrently, DuplicateNumber
from payments.ap.ap_records import LineBudget, PORecord, POVersion, ReceiptRecord, Stamp
from payments.ap.documents import (AccountCoding, CreditMemoStatus, InvoiceStatus, LineKind, MatchLevel, POLine,
                                POStatus, PurchaseOrder, Receipt, ReceiptLine, ReceiptStatus)

_ZERO = Decimal(0)
_NOT_BILLED = (InvoiceStatus.RETURNED.value, InvoiceStatus.CANCELLED.value)


def po_line_from_row(r: Any) -> POLine:
    return POLine(r.line_no, r.item, r.quantity, r.unit_of_measure, Decimal(r.unit_price_minor),
                  AccountCoding(r.fund, r.department, r.object_code), LineKind(r.kind), MatchLevel(r.match_level),
                  r.category)


def _line_values(po_id: str, line: POLine, budget: LineBudget) -> dict[str, Any]:
    c = line.coding
    return {"po_id": po_id, "line_no": line.line_no, "item": line.item, "quantity": line.quantity,
            "unit_of_measure": line.unit_of_measure, "unit_price_minor": format(line.unit_price_minor, "f"),
            "amount_minor": line.amount_minor, "fund": c.fund, "department": c.department,
            "object_code": c.object_code, "kind": line.kind.value, "match_level": int(line.match_level),
            "category": line.category, "encumbered_minor": budget.encumbered_minor,
            "accrued_minor": budget.accrued_minor}


class SqlPurchaseOrderRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: PORecord, version: POVersion) -> None:
        po = record.po
        with unique_or(self._conn, {"number": lambda: DuplicateNumber("purchase order", record.number),
                                    "id": lambda: CreatedConcurrently("purchase order", po.id)}):
            self._conn.execute(insert(purchase_orders).values(
                id=po.id, number=record.number, vendor_id=po.vendor_id, currency=po.currency, status=po.status.value,
                version=po.version, max_total_minor=po.max_total_minor, total_minor=po.total_minor,
                description=record.description, create_digest=record.create_digest, fiscal_year=record.fiscal_year,
                **stamp_values("created", record.created), **stamp_values("updated", record.updated)))
        self._conn.execute(insert(po_lines), [_line_values(po.id, line, record.budget.get(line.line_no, LineBudget()))
                                              for line in po.lines])
        self._add_version(version)

    def _add_version(self, v: POVersion) -> None:
        self._conn.execute(insert(purchase_order_versions).values(
            po_id=v.po_id, version=v.version, reason=v.reason, total_minor=v.total_minor,
            max_total_minor=v.max_total_minor, lines_json=json.dumps([dict(line) for line in v.lines]),
            entry_id=v.entry_id, **stamp_values("changed", v.changed)))

    def get(self, po_id: str, *, for_update: bool = False) -> PORecord | None:
        stmt = select(purchase_orders).where(purchase_orders.c.id == po_id)
        if for_update and self._conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()  # SQLite's BEGIN IMMEDIATE already serializes writers
        row = self._conn.execute(stmt).first()
        return None if row is None else self._hydrate([row])[0]

    def get_by_number(self, number: str) -> PORecord | None:
        row = self._conn.execute(select(purchase_orders).where(purchase_orders.c.number == number)).first()
        return None if row is None else self._hydrate([row])[0]

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None,
             status: str | None = None) -> builtins.list[PORecord]:
        stmt = select(purchase_orders)
        if vendor_id:
            stmt = stmt.where(purchase_orders.c.vendor_id == vendor_id)
        if status:
            stmt = stmt.where(purchase_orders.c.status == status)
        return self._hydrate(self._conn.execute(page_after(stmt, purchase_orders.c.id, after, limit)).all())

    def _hydrate(self, rows: Sequence[Any]) -> builtins.list[PORecord]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        lines: dict[str, list[Any]] = {}
        for r in self._conn.execute(select(po_lines).where(po_lines.c.po_id.in_(ids))
                                    .order_by(po_lines.c.po_id, po_lines.c.line_no)):
            lines.setdefault(r.po_id, []).append(r)
        out = []
        for r in rows:
            mine = lines.get(r.id, [])
            po = PurchaseOrder(r.id, r.vendor_id, r.currency, tuple(po_line_from_row(x) for x in mine),
                               POStatus(r.status), r.version, r.max_total_minor)
            out.append(PORecord(po, r.number, r.description, stamp_of(r, "created"), stamp_of(r, "updated"),
                                stamp_of(r, "approved"), stamp_of(r, "closed"), r.close_reason,
                                {x.line_no: LineBudget(x.encumbered_minor, x.accrued_minor) for x in mine},
                                r.create_digest, r.fiscal_year))
        return out

    def set_status(self, po_id: str, expected: POStatus, new: POStatus, *, approved: Stamp | None = None,
                   closed: Stamp | None = None, close_reason: str | None = None,
                   fiscal_year: int | None = None) -> None:
        values: dict[str, Any] = {"status": new.value, **stamp_values("approved", approved),
                                  **stamp_values("closed", closed)}
        if close_reason is not None:
            values["close_reason"] = close_reason
        if fiscal_year is not None:
            values["fiscal_year"] = fiscal_year
        guarded(self._conn, update(purchase_orders).where(purchase_orders.c.id == po_id,
                                                          purchase_orders.c.status == expected.value).values(**values),
                "purchase order", po_id, expected.value)

    def set_fiscal_year(self, po_id: str, fiscal_year: int) -> None:
        self._conn.execute(update(purchase_orders).where(purchase_orders.c.id == po_id)
                           .values(fiscal_year=fiscal_year))

    def set_line_budgets(self, po_id: str, budgets: Mapping[int, LineBudget]) -> None:
        if not budgets:
            return
        stmt = (update(po_lines).where(po_lines.c.po_id == bindparam("p"), po_lines.c.line_no == bindparam("n"))
                .values(encumbered_minor=bindparam("e"), accrued_minor=bindparam("a")))
        self._conn.execute(stmt, [{"p": po_id, "n": n, "e": b.encumbered_minor, "a": b.accrued_minor}
                                  for n, b in budgets.items()])

    def replace(self, po: PurchaseOrder, *, expected_version: int, budgets: Mapping[int, LineBudget],
                version: POVersion, updated: Stamp) -> None:
        guarded(self._conn, update(purchase_orders).where(purchase_orders.c.id == po.id,
                                                          purchase_orders.c.version == expected_version)
                .values(version=po.version, total_minor=po.total_minor, max_total_minor=po.max_total_minor,
                        **stamp_values("updated", updated)), "purchase order", po.id, f"version {expected_version}")
        self._conn.execute(delete(po_lines).where(po_lines.c.po_id == po.id))
        self._conn.execute(insert(po_lines), [_line_values(po.id, line, budgets.get(line.line_no, LineBudget()))
                                              for line in po.lines])
        self._add_version(version)

    def versions(self, po_id: str) -> builtins.list[POVersion]:
        v = purchase_order_versions
        return [POVersion(r.po_id, r.version, r.reason, r.total_minor, r.max_total_minor,
                          tuple(json.loads(r.lines_json)), stamp_of(r, "changed"), r.entry_id)
                for r in self._conn.execute(select(v).where(v.c.po_id == po_id).order_by(v.c.version))]

    def activity(self, po_id: str) -> dict[int, tuple[Decimal, Decimal]]:
        received = dict(self._conn.execute(
            select(receipt_lines.c.po_line_no, func.sum(receipt_lines.c.quantity_received))
            .select_from(receipt_lines.join(receipts, receipts.c.id == receipt_lines.c.receipt_id))
            .where(receipt_lines.c.po_id == po_id, receipts.c.status == ReceiptStatus.POSTED.value)
            .group_by(receipt_lines.c.po_line_no)).tuples().all())
        billed = dict(self._conn.execute(
            select(invoice_lines.c.po_line_no, func.sum(invoice_lines.c.quantity))
            .select_from(invoice_lines.join(invoices, invoices.c.id == invoice_lines.c.invoice_id))
            .where(invoice_lines.c.po_id == po_id, invoices.c.status.not_in(_NOT_BILLED))
            .group_by(invoice_lines.c.po_line_no)).tuples().all())
        credited = dict(self._conn.execute(
            select(credit_memo_lines.c.po_line_no, func.sum(credit_memo_lines.c.quantity))
            .select_from(credit_memo_lines.join(credit_memos, and_(
                credit_memos.c.id == credit_memo_lines.c.credit_memo_id,
                credit_memos.c.status == CreditMemoStatus.APPLIED.value)))
            .where(credit_memo_lines.c.po_id == po_id).group_by(credit_memo_lines.c.po_line_no)).tuples().all())
        lines = set(received) | set(billed)
        return {n: (Decimal(received.get(n) or 0), Decimal(billed.get(n) or 0) - Decimal(credited.get(n) or 0))
                for n in lines if n is not None}


class SqlReceiptRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: ReceiptRecord) -> None:
        r = record.receipt
        with unique_or(self._conn, {"id": lambda: CreatedConcurrently("receipt", r.id)}):
            self._conn.execute(insert(receipts).values(
                id=r.id, po_id=r.po_id, number=record.number, received_on=r.received_on, accepted_on=r.accepted_on,
                status=r.status.value, note=record.note, entry_id=record.entry_id, create_digest=record.create_digest,
                **stamp_values("created", record.created)))
        self._conn.execute(insert(receipt_lines), [
            {"receipt_id": r.id, "po_line_no": line.po_line_no, "po_id": r.po_id,
             "quantity_received": line.quantity_received, "quantity_accepted": line.quantity_accepted,
             "amount_minor": record.amounts_minor.get(line.po_line_no, 0)} for line in r.lines])

    def get(self, receipt_id: str) -> ReceiptRecord | None:
        rows = self._hydrate(self._conn.execute(select(receipts).where(receipts.c.id == receipt_id)).all())
        return rows[0] if rows else None

    def list(self, *, after: str | None, limit: int, po_id: str | None = None) -> builtins.list[ReceiptRecord]:
        stmt = select(receipts)
        if po_id:
            stmt = stmt.where(receipts.c.po_id == po_id)
        return self._hydrate(self._conn.execute(page_after(stmt, receipts.c.id, after, limit)).all())

    def _hydrate(self, rows: Sequence[Any]) -> builtins.list[ReceiptRecord]:
        if not rows:
            return []
        lines: dict[str, list[Any]] = {}
        for x in self._conn.execute(select(receipt_lines).where(receipt_lines.c.receipt_id.in_([r.id for r in rows]))
                                    .order_by(receipt_lines.c.receipt_id, receipt_lines.c.po_line_no)):
            lines.setdefault(x.receipt_id, []).append(x)
        out = []
        for r in rows:
            mine = lines.get(r.id, [])
            receipt = Receipt(r.id, r.po_id, as_date(r.received_on),
                              tuple(ReceiptLine(x.po_line_no, x.quantity_received, x.quantity_accepted) for x in mine),
                              ReceiptStatus(r.status), as_date(r.accepted_on))
            out.append(ReceiptRecord(receipt, r.number, r.note, stamp_of(r, "created"), r.entry_id,
                                     {x.po_line_no: x.amount_minor for x in mine}, r.create_digest))
        return out

    def find_number(self, po_id: str, number: str) -> builtins.list[str]:
        """Receipts of this PO with this packing-slip or dock number."""
        return list(self._conn.execute(select(receipts.c.id).where(receipts.c.po_id == po_id,
                                                                   receipts.c.number == number)).scalars())

    def totals(self, po_id: str) -> dict[int, tuple[Decimal, Decimal]]:
        rl = receipt_lines.c
        rows = self._conn.execute(
            select(rl.po_line_no, func.sum(rl.quantity_received), func.sum(func.coalesce(rl.quantity_accepted, 0)))
            .select_from(receipt_lines.join(receipts, receipts.c.id == rl.receipt_id))
            .where(rl.po_id == po_id, receipts.c.status == ReceiptStatus.POSTED.value).group_by(rl.po_line_no))
        return {n: (Decimal(a or 0), Decimal(b or 0)) for n, a, b in rows}
