"""The OCDS read port in SQL: approved purchase orders, their versions and the payments against them, streamed.

Three statements, each ordered by PO id and each limited to the same approved orders, read side by side with
``stream_results``; every PO id of the second and third is one of the first's, so each PO's versions and
payments are the rows that come next in their streams (a merge by equality, never by comparing ids in Python,
whose order may differ from the database's collation). A payment is counted against the PO of each invoice's first
line, as the checkbook codes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import invoice_lines, purchase_order_versions, purchase_orders, vendors
from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.reporting.checkbook_queries import LEFT_THE_AGENCY
from payments.reporting.ocds import ContractFacts, ContractPayment, ContractVersion

_WINDOW_ROWS = 2000


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class _Peek:
    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = next(rows, None)

    def take(self, po_id: str) -> Iterator[Any]:
        while self._next is not None and self._next.po_id == po_id:
            yield self._next
            self._next = next(self._rows, None)


class SqlContractSource:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def contracts(self) -> Iterator[ContractFacts]:
        po, v = purchase_orders, purchase_order_versions
        approved = po.c.approved_at.is_not(None)
        orders = (select(po.c.id.label("po_id"), po.c.number, po.c.description, po.c.currency, po.c.approved_at,
                         po.c.vendor_id, vendors.c.legal_name, vendors.c.is_individual)
                  .select_from(po.join(vendors, vendors.c.id == po.c.vendor_id))
                  .where(approved).order_by(po.c.id))
        versions = (select(v.c.po_id, v.c.version, v.c.reason, v.c.total_minor, v.c.changed_at)
                    .select_from(v.join(po, po.c.id == v.c.po_id)).where(approved)
                    .order_by(v.c.po_id, v.c.version))
        first = (select(invoice_lines.c.invoice_id, func.min(invoice_lines.c.line_no).label("line_no"))
                 .group_by(invoice_lines.c.invoice_id).subquery("first_line"))
        line = invoice_lines.alias("line")
        p, i = payments, payment_items
        paid = (select(line.c.po_id, p.c.id, p.c.effective_date, p.c.status, p.c.updated_at,
                       func.sum(i.c.amount_minor - i.c.discount_minor + i.c.interest_minor).label("amount_minor"),
                       func.min(i.c.due_date).label("due_date"))
                .select_from(p.join(i, i.c.payment_id == p.c.id)
                             .join(first, first.c.invoice_id == i.c.invoice_id)
                             .join(line, and_(line.c.invoice_id == first.c.invoice_id,
                                              line.c.line_no == first.c.line_no))
                             .join(po, po.c.id == line.c.po_id))
                .where(approved, p.c.kind == "live", p.c.status.in_(LEFT_THE_AGENCY))
                .group_by(line.c.po_id, p.c.id, p.c.effective_date, p.c.status, p.c.updated_at)
                .order_by(line.c.po_id, p.c.effective_date, p.c.id))
        options = {"disburse_read_only": True, "stream_results": True, "yield_per": _WINDOW_ROWS}
        with self._engine.connect().execution_options(**options) as conn:
            version_rows = _Peek(iter(conn.execute(versions)))
            payment_rows = _Peek(iter(conn.execute(paid)))
            for o in conn.execute(orders):
                yield ContractFacts(
                    po_id=o.po_id, po_number=o.number, description=o.description or "", vendor_id=o.vendor_id,
                    vendor_name=o.legal_name, vendor_is_individual=bool(o.is_individual), currency=o.currency,
                    approved_at=_rfc3339(o.approved_at),
                    versions=tuple(ContractVersion(r.version, r.reason or "", r.total_minor, _rfc3339(r.changed_at or o.approved_at))
                                   for r in version_rows.take(o.po_id)),
                    payments=tuple(ContractPayment(r.id, _date(r.effective_date), int(r.amount_minor),
                                                   _date(r.updated_at) if r.status == "returned" else None,
                                                   _date(r.due_date) if r.due_date else None)
                                   for r in payment_rows.take(o.po_id)))


def _rfc3339(stamp: object) -> str:
    """Stored stamps are ISO 8601 text in UTC; OCDS wants date-time with a zone."""
    text = str(stamp)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
