"""The open checkbook's read port in SQL: every invoice of every payment that left, streamed.

One statement, ordered by payment date, payment id and invoice id, read with ``stream_results`` and
``yield_per`` (a server-side cursor on PostgreSQL, SQLite's stepping cursor), so a year of a million payments
passes through a fixed window of rows. The coding, PO number and description come from the invoice's first line
(the line the payment charged: payment_sources picks the same one). No bank account, TIN or address column is
selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import invoice_lines, invoices, po_lines, purchase_orders, vendors
from adapters.db.disbursements.payment_tables import payment_items, payment_runs, payments
from payments.reporting.checkbook import PaidItem

LEFT_THE_AGENCY = ("sent", "settled", "returned")
_WINDOW_ROWS = 2000


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class SqlCheckbookSource:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def paid_items(self) -> Iterator[PaidItem]:
        return self._stream()

    def paid_items_between(self, since: dt.date, until: dt.date, *, fund: str | None = None,
                           department: str | None = None, object_code: str | None = None) -> Iterator[PaidItem]:
        """Payments dated in [since, until] (the public spending pages' fiscal year or month), charged to the coding
        asked for (None: any)."""
        # Stored as ISO text, so compared as text (a date parameter would not compare with text on PostgreSQL).
        where = [payments.c.effective_date >= since.isoformat(), payments.c.effective_date <= until.isoformat()]
        for column, wanted in ((payment_items.c.fund, fund), (po_lines.c.department, department),
                               (po_lines.c.object_code, object_code)):
            if wanted is not None:
                where.append(column == wanted)
        return self._stream(*where)

    def paid_items_of(self, payment_id: str) -> Iterator[PaidItem]:
        return self._stream(payments.c.id == payment_id)

    def _stream(self, *where: Any) -> Iterator[PaidItem]:
        first = (select(invoice_lines.c.invoice_id, func.min(invoice_lines.c.line_no).label("line_no"))
                 .group_by(invoice_lines.c.invoice_id).subquery("first_line"))
        line = invoice_lines.alias("line")
        p, i = payments, payment_items
        query = (
            select(p.c.id, p.c.effective_date, p.c.vendor_id, p.c.sec_code, p.c.status, p.c.currency,
                   payment_runs.c.rail, vendors.c.legal_name, vendors.c.is_individual,
                   i.c.invoice_id, i.c.invoice_number, i.c.amount_minor, i.c.discount_minor, i.c.interest_minor,
                   i.c.fund, po_lines.c.department, po_lines.c.object_code,
                   purchase_orders.c.number.label("po_number"), purchase_orders.c.description)
            .select_from(
                p.join(payment_runs, payment_runs.c.id == p.c.run_id)
                .join(i, i.c.payment_id == p.c.id)
                .join(vendors, vendors.c.id == p.c.vendor_id)
                .outerjoin(invoices, invoices.c.id == i.c.invoice_id)
                .outerjoin(first, first.c.invoice_id == i.c.invoice_id)
                .outerjoin(line, and_(line.c.invoice_id == first.c.invoice_id, line.c.line_no == first.c.line_no))
                .outerjoin(po_lines, and_(po_lines.c.po_id == line.c.po_id, po_lines.c.line_no == line.c.po_line_no))
                .outerjoin(purchase_orders, purchase_orders.c.id == line.c.po_id))
            .where(p.c.kind == "live", p.c.status.in_(LEFT_THE_AGENCY), *where)
            .order_by(p.c.effective_date, p.c.id, i.c.invoice_id))
        with self._engine.connect().execution_options(disburse_read_only=True, stream_results=True,
                                                      yield_per=_WINDOW_ROWS) as conn:
            for r in conn.execute(query):
                yield PaidItem(
                    payment_id=r.id, payment_date=_as_date(r.effective_date), vendor_id=r.vendor_id,
                    vendor_name=r.legal_name, vendor_is_individual=bool(r.is_individual), sec_code=r.sec_code,
                    rail=r.rail, payment_status=r.status, invoice_id=r.invoice_id, invoice_number=r.invoice_number,
                    currency=r.currency, amount_minor=r.amount_minor - r.discount_minor + r.interest_minor,
                    fund=r.fund, department=r.department, object_code=r.object_code, po_number=r.po_number,
                    po_description=r.description)
