"""Staff worklists in SQL (``payments.ap.worklist.WorklistQueries``): keyset pages over invoices in any of the
orders the list offers, and open holds grouped by kind.

A page is ``WHERE (sort_value, id) > (:value, :id) ORDER BY sort_value, id LIMIT :n`` (spelled out as
``value > :v OR (value = :v AND id > :id)`` for SQLite and PostgreSQL alike), never OFFSET: the thousandth page
costs what the first does. A due date that is missing sorts last, as the day 9999-12-31.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_repo import as_date
from adapters.db.ap.ap_tables import invoice_approvals, invoice_holds, invoices, open_hold_counts, vendors
from payments.ap.worklist import HoldCount, InvoiceFilter, InvoiceRow, InvoiceSort, Position

_LAST_DAY = dt.date(9999, 12, 31)
_OPEN_HOLDS = (select(func.count()).select_from(invoice_holds)
               .where(invoice_holds.c.invoice_id == invoices.c.id, invoice_holds.c.status == "open")
               .correlate(invoices).scalar_subquery())


def _sort_column(sort: InvoiceSort) -> Any:
    if sort is InvoiceSort.DUE:
        return func.coalesce(invoices.c.pp_due_date, literal(_LAST_DAY))
    if sort is InvoiceSort.TOTAL:
        return invoices.c.total_minor
    if sort is InvoiceSort.NUMBER:
        return invoices.c.invoice_number
    return None


def _bound(sort: InvoiceSort, value: str | int | None) -> Any:
    if sort is InvoiceSort.DUE:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _LAST_DAY
    return value


class SqlWorklistQueries:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def invoices(self, where: InvoiceFilter, *, sort: InvoiceSort, descending: bool, after: Position | None,
                 limit: int) -> list[InvoiceRow]:
        stmt = (select(invoices.c.id, invoices.c.vendor_id, vendors.c.legal_name, invoices.c.invoice_number,
                       invoices.c.invoice_date, invoices.c.received_on, invoices.c.currency, invoices.c.total_minor,
                       invoices.c.status, invoices.c.pp_due_date, invoices.c.pp_rule, _OPEN_HOLDS.label("open_holds"))
                .join(vendors, vendors.c.id == invoices.c.vendor_id))
        stmt = stmt.where(*self._conditions(where))
        column = _sort_column(sort)
        if after is not None:
            before_or_after = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
            if column is None:
                stmt = stmt.where(before_or_after(invoices.c.id, after.id))
            else:
                value = _bound(sort, after.value)
                stmt = stmt.where(or_(before_or_after(column, value),
                                      and_(column == value, before_or_after(invoices.c.id, after.id))))
        keys = [invoices.c.id] if column is None else [column, invoices.c.id]
        stmt = stmt.order_by(*[k.desc() if descending else k.asc() for k in keys]).limit(limit)
        return [InvoiceRow(r.id, r.vendor_id, r.legal_name, r.invoice_number, as_date(r.invoice_date),
                           as_date(r.received_on), r.currency, int(r.total_minor), r.status, as_date(r.pp_due_date),
                           r.pp_rule, int(r.open_holds)) for r in self._c.execute(stmt)]

    def count(self, where: InvoiceFilter, *, cap: int) -> int:
        # Stops at the cap, reading ids from the index that serves the filter ((status, id) for a status): the
        # home page's counts, which show "100+" past it, never join vendors or build rows.
        capped = select(invoices.c.id).where(*self._conditions(where)).limit(cap).subquery()
        return int(self._c.execute(select(func.count()).select_from(capped)).scalar_one())

    @staticmethod
    def _conditions(where: InvoiceFilter) -> list[Any]:
        out: list[Any] = []
        if where.status:
            out.append(invoices.c.status == where.status)
        if where.vendor_id:
            out.append(invoices.c.vendor_id == where.vendor_id)
        if where.number is not None:
            out.append(invoices.c.invoice_number == where.number)
        if where.total_minor is not None:
            out.append(invoices.c.total_minor == where.total_minor)
        if where.hold:
            out.append(invoices.c.id.in_(select(invoice_holds.c.invoice_id).where(
                invoice_holds.c.hold == where.hold, invoice_holds.c.status == "open")))
        if where.late_on is not None:
            out += [invoices.c.status.in_(("matched", "approved")), invoices.c.pp_due_date.is_not(None),
                    invoices.c.pp_due_date < where.late_on]
        if where.awaiting_approval_by:
            me = where.awaiting_approval_by
            out += [invoices.c.status == "matched",
                    or_(invoices.c.entered_by.is_(None), invoices.c.entered_by != me),
                    or_(invoices.c.last_changed_by.is_(None), invoices.c.last_changed_by != me),
                    # NOT EXISTS on the approvals' primary key, one probe per invoice (a NOT IN over my
                    # approvals was a scan of them for every matched invoice).
                    ~select(literal(1)).where(invoice_approvals.c.invoice_id == invoices.c.id,
                                              invoice_approvals.c.invoice_version == invoices.c.version,
                                              invoice_approvals.c.approver_id == me).exists()]
        return out

    def hold_summary(self) -> list[HoldCount]:
        # The counts the triggers keep (0025_open_hold_counts: at most 32 rows a kind), and for each kind its
        # oldest open hold, one seek on (status, hold, raised_at): never a pass over every open hold.
        k, h = open_hold_counts.c, invoice_holds.c
        oldest = (select(h.raised_at).where(h.status == "open", h.hold == k.hold).order_by(h.raised_at).limit(1)
                  .correlate(open_hold_counts).scalar_subquery())
        stmt = (select(k.hold, func.sum(k.holds).label("holds"), func.sum(k.invoices).label("invoices"),
                       oldest.label("oldest"))
                .group_by(k.hold).having(func.sum(k.holds) > 0))
        rows = [HoldCount(r.hold, int(r.holds), int(r.invoices), r.oldest) for r in self._c.execute(stmt)]
        return sorted(rows, key=lambda h: (-h.invoices, h.hold))
