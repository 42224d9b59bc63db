"""Supplier performance and local-vendor utilization's read ports in SQL (payments/reporting/supplier_reports.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import credit_memos, invoice_holds, invoices, vendors
from adapters.db.disbursements.payment_tables import payments
from adapters.db.reconciliation.recon_tables import recon_changes
from adapters.db.reporting.checkbook_queries import SqlCheckbookSource
from payments.reporting.checkbook import PaidItem
from payments.reporting.manager_reports import Certification
from payments.reporting.supplier_reports import SupplierEvent, SupplierInvoice, VendorPlace

LEFT = ("sent", "settled", "returned")


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class SqlSupplierSource:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _rows(self, query):  # noqa: ANN001, ANN202
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            return list(conn.execute(query))

    def supplier_invoices(self, since: dt.date, until: dt.date) -> list[SupplierInvoice]:
        i, h = invoices, invoice_holds
        rows = self._rows(select(i.c.id, i.c.vendor_id, i.c.invoice_date, i.c.total_minor)
                          .where(i.c.invoice_date >= since, i.c.invoice_date <= until, i.c.status != "cancelled")
                          .order_by(i.c.id))
        holds: dict[str, set[str]] = {}
        for r in self._rows(select(h.c.invoice_id, h.c.hold).join(i, i.c.id == h.c.invoice_id)
                            .where(i.c.invoice_date >= since, i.c.invoice_date <= until)):
            holds.setdefault(r.invoice_id, set()).add(r.hold)
        return [SupplierInvoice(r.id, r.vendor_id, _date(r.invoice_date), int(r.total_minor),
                                frozenset(holds.get(r.id, ()))) for r in rows]

    def supplier_events(self, since: dt.date, until: dt.date) -> list[SupplierEvent]:
        out = [SupplierEvent("credit", r.vendor_id, _date(r.memo_date), int(r.total_minor), r.id)
               for r in self._rows(select(credit_memos.c.id, credit_memos.c.vendor_id, credit_memos.c.memo_date,
                                          credit_memos.c.total_minor, credit_memos.c.status)
                                   .where(credit_memos.c.memo_date >= since, credit_memos.c.memo_date <= until))
               if r.status != "cancelled"]
        p = payments
        for r in self._rows(select(p.c.id, p.c.vendor_id, p.c.effective_date, p.c.amount_minor, p.c.status)
                            .where(p.c.kind == "live", p.c.status.in_(LEFT), p.c.effective_date >= since.isoformat(),
                                   p.c.effective_date <= until.isoformat())):
            out.append(SupplierEvent("payment", r.vendor_id, _date(r.effective_date), int(r.amount_minor), r.id))
            if r.status == "returned":  # counted against the payment's own date, so the rate is of these payments
                out.append(SupplierEvent("return", r.vendor_id, _date(r.effective_date), int(r.amount_minor), r.id))
        c = recon_changes
        out.extend(SupplierEvent("noc", r.vendor_id, _date(r.received_on), 0, r.id)
                   for r in self._rows(select(c.c.id, c.c.vendor_id, c.c.received_on)
                                       .where(c.c.vendor_id.is_not(None), c.c.received_on >= since.isoformat(),
                                              c.c.received_on <= until.isoformat())))
        return out

    def paid_items(self) -> Iterator[PaidItem]:
        return SqlCheckbookSource(self._engine).paid_items()

    def vendor_places(self) -> dict[str, VendorPlace]:
        out: dict[str, VendorPlace] = {}
        for r in self._rows(select(vendors.c.id, vendors.c.addresses_json, vendors.c.certifications_json)):
            certs = tuple(Certification(c["kind"], dt.date.fromisoformat(c["valid_from"]),
                                        dt.date.fromisoformat(c["valid_to"]))
                          for c in json.loads(r.certifications_json or "[]"))
            out[r.id] = VendorPlace(tuple(json.loads(r.addresses_json or "[]")), certs)
        return out
