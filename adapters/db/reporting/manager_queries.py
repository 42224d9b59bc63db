"""The manager reports' read port in SQL (payments/reporting/manager_reports.py says what each report counts)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import budgets, invoice_lines, invoices, po_lines, vendors
from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.reporting.checkbook_queries import SqlCheckbookSource
from payments.ap.split_purchases import SplitCandidate
from payments.reporting.checkbook import PaidItem
from payments.reporting.manager_reports import BudgetLine, Certification, OpenInvoice, PaidInvoice

OPEN = ("entered", "matched", "held", "approved", "returned")  # entered and not (yet, or again) paid
COUNTED = ("sent", "settled")


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class SqlManagerReportSource:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _rows(self, query):  # noqa: ANN001, ANN202
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            return list(conn.execute(query))

    def budget_lines(self, fiscal_year: int) -> list[BudgetLine]:
        b = budgets
        return [BudgetLine(r.fund, r.department, r.object_code, r.currency, r.amount_minor, r.encumbered_minor or 0,
                           r.expended_minor or 0)
                for r in self._rows(select(b).where(b.c.fiscal_year == fiscal_year))]

    def paid_items(self) -> Iterator[PaidItem]:
        return SqlCheckbookSource(self._engine).paid_items()

    def open_invoices(self) -> list[OpenInvoice]:
        first = (select(invoice_lines.c.invoice_id, func.min(invoice_lines.c.line_no).label("line_no"))
                 .group_by(invoice_lines.c.invoice_id).subquery("first_line"))
        line = invoice_lines.alias("line")
        query = (select(invoices.c.id, invoices.c.vendor_id, invoices.c.pp_due_date, invoices.c.total_minor,
                        po_lines.c.fund)
                 .select_from(invoices.outerjoin(first, first.c.invoice_id == invoices.c.id)
                              .outerjoin(line, and_(line.c.invoice_id == first.c.invoice_id,
                                                    line.c.line_no == first.c.line_no))
                              .outerjoin(po_lines, and_(po_lines.c.po_id == line.c.po_id,
                                                        po_lines.c.line_no == line.c.po_line_no)))
                 .where(invoices.c.status.in_(OPEN)).order_by(invoices.c.id))
        return [OpenInvoice(r.id, r.vendor_id, r.fund or "", _date(r.pp_due_date), r.total_minor)
                for r in self._rows(query)]

    def paid_invoices(self) -> list[PaidInvoice]:
        i, p = payment_items, payments
        query = (select(i.c.invoice_id, p.c.effective_date, i.c.due_date, i.c.interest_minor, i.c.discount_minor,
                        i.c.interest_rule, i.c.amount_minor, invoices.c.pp_rule, invoices.c.pp_receipt_date,
                        invoices.c.received_on, invoices.c.terms)
                 .select_from(p.join(i, i.c.payment_id == p.c.id).outerjoin(invoices, invoices.c.id == i.c.invoice_id))
                 .where(p.c.kind == "live", p.c.status.in_(COUNTED)).order_by(p.c.effective_date, i.c.invoice_id))
        out = []
        for r in self._rows(query):
            payment_date = _date(r.effective_date)
            assert payment_date is not None
            out.append(PaidInvoice(r.invoice_id, payment_date, _date(r.pp_receipt_date) or _date(r.received_on),
                                   _date(r.due_date), r.interest_minor, r.discount_minor,
                                   r.interest_rule or r.pp_rule, r.terms or "", r.amount_minor))
        return out

    def split_candidates(self, since: dt.date, until: dt.date) -> list[SplitCandidate]:
        i = invoices
        query = (select(i.c.id, i.c.vendor_id, i.c.currency, i.c.invoice_date, i.c.total_minor)
                 .where(i.c.invoice_date >= since, i.c.invoice_date <= until,
                        i.c.status.notin_(("cancelled", "returned"))).order_by(i.c.invoice_date, i.c.id))
        return [SplitCandidate(r.id, r.vendor_id, r.currency, _date(r.invoice_date) or since, int(r.total_minor))
                for r in self._rows(query)]

    def certifications(self) -> Mapping[str, Sequence[Certification]]:
        out: dict[str, list[Certification]] = {}
        for r in self._rows(select(vendors.c.id, vendors.c.certifications_json)
                            .where(vendors.c.certifications_json != "[]")):
            out[r.id] = [Certification(c["kind"], dt.date.fromisoformat(c["valid_from"]),
                                       dt.date.fromisoformat(c["valid_to"]))
                         for c in json.loads(r.certifications_json or "[]")]
        return out
