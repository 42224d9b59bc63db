"""Loading a batch of invoices for matching: two statements, only the columns matching reads, no per-row types.

``SqlInvoiceRepository.get_many`` hydrates everything people see (stamps, prompt-pay dates, defects); matching
needs the invoice itself, its version and its duplicate key. Quantities come back as raw integer millionths and
dates as text, and are converted through small memos, because a batch of 100,000 invoices repeats the same few
quantities, prices and dates hundreds of thousands of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, String, select, type_coerce
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_invoice_repo import price
from adapters.db.ap.ap_repo import one_of, raw_rows
from adapters.db.ap.ap_tables import from_micros, invoice_lines, invoices
from payments.ap.ap_records import InvoiceRecord, Stamp
from payments.ap.documents import Invoice, InvoiceLine, InvoiceStatus
from payments.ap.matching.duplicates import DuplicateKey

_DATES: dict[str, dt.date] = {}
_STATUSES = {s.value: s for s in InvoiceStatus}
_NO_ONE = Stamp()


def day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    found = _DATES.get(value)
    if found is None:
        found = dt.date.fromisoformat(value)
        if len(_DATES) < 65_536:
            _DATES[value] = found
    return found


def load_for_matching(conn: Connection, invoice_ids: Sequence[str]) -> tuple[list[InvoiceRecord], list[DuplicateKey]]:
    """The invoices (in the order asked) as matching sees them, and their duplicate keys as stored."""
    if not invoice_ids:
        return [], []
    i, il = invoices.c, invoice_lines.c
    lines: dict[str, list[InvoiceLine]] = {}
    rows = raw_rows(conn, (
        select(il.invoice_id, il.line_no, il.po_id, il.po_line_no, type_coerce(il.quantity, BigInteger),
               il.unit_price_minor, il.description, il.unit_of_measure)
        .where(one_of(conn, il.invoice_id, invoice_ids)).order_by(il.invoice_id, il.line_no)))
    make, quantity, unit_price = InvoiceLine, from_micros, price  # local names: this loop runs 300,000 times
    current_id: str | None = None
    current: list[InvoiceLine] = []
    for inv_id, no, po_id, po_line_no, micros, price_text, description, uom in rows:
        if inv_id != current_id:  # rows come grouped by invoice, lines in order
            current_id, current = inv_id, []
            lines[inv_id] = current
        current.append(make(no, po_id, po_line_no, quantity(micros), unit_price(price_text), description, uom))
    heads = raw_rows(conn, select(
        i.id, i.vendor_id, i.invoice_number, type_coerce(i.invoice_date, String), type_coerce(i.received_on, String),
        i.currency, i.terms, i.stated_total_minor, i.remit_to, i.defect_contact, i.file_digest, i.status, i.version,
        i.number_normalized, i.total_minor).where(one_of(conn, i.id, invoice_ids)))
    by_id = {}
    for (inv_id, vendor, number, invoice_date, received_on, currency, terms, stated, remit_to, contact, digest,
         status, version, normalized, total) in heads:
        invoice_date = day(invoice_date)
        invoice = Invoice(inv_id, vendor, number, invoice_date, currency, tuple(lines.get(inv_id, ())),
                          day(received_on), terms, stated, remit_to, contact, digest, _STATUSES[status])
        key = DuplicateKey(inv_id, vendor, normalized, currency, total, invoice_date, digest or None)
        by_id[inv_id] = (InvoiceRecord(invoice, version, _NO_ONE, _NO_ONE), key)
    found = [by_id[x] for x in invoice_ids if x in by_id]
    return [r for r, _ in found], [k for _, k in found]
