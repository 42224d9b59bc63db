"""The naive matcher ``match.py`` compares with: one invoice at a time, ORM loads, one query per line per fact.

It is what a first implementation often looks like, written carefully (the same domain code decides; the
same facts are read, just one row or one sum at a time) so that the comparison measures the access pattern.
It stores the match result and the status, but not holds or prompt-pay dates, so it does less than the batch.
"""

from __future__ import annotations

import time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, registry

from adapters.db.ap import ap_tables as t
from payments.ap.documents import BILLED_INVOICE_STATUSES, Invoice, InvoiceLine, InvoiceStatus, LineKind, MatchLevel, POStatus
from payments.ap.matching.duplicates import NOT_COMPARED_STATUSES, DuplicateKey, find_duplicates
from payments.ap.matching.match_context import MatchContext, POFacts, POLineFacts
from payments.ap.matching.matching import match_invoice

_ZERO = Decimal(0)
_BILLED = [s.value for s in BILLED_INVOICE_STATUSES]
_NOT_COMPARED = [s.value for s in NOT_COMPARED_STATUSES]


class InvoiceRow:
    pass


class InvoiceLineRow:
    pass


class PORow:
    pass


class POLineRow:
    pass


class MatchResultRow:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


_mapper = registry()
_mapper.map_imperatively(InvoiceRow, t.invoices)
_mapper.map_imperatively(InvoiceLineRow, t.invoice_lines)
_mapper.map_imperatively(PORow, t.purchase_orders)
_mapper.map_imperatively(POLineRow, t.po_lines)
_mapper.map_imperatively(MatchResultRow, t.match_results)


def _facts(s: Session, invoice_id: str, po_id: str, line_no: int) -> tuple[POFacts | None, POLineFacts | None]:
    po = s.get(PORow, po_id)
    pl = s.get(POLineRow, (po_id, line_no))
    if po is None or pl is None:
        return None, None
    rl, r, il, i, cl, cm = (t.receipt_lines.c, t.receipts.c, t.invoice_lines.c, t.invoices.c,
                            t.credit_memo_lines.c, t.credit_memos.c)
    received, accepted = s.execute(
        select(func.sum(rl.quantity_received), func.sum(func.coalesce(rl.quantity_accepted, 0)))
        .select_from(t.receipt_lines.join(t.receipts, r.id == rl.receipt_id))
        .where(rl.po_id == po_id, rl.po_line_no == line_no, r.status == "posted")).one()
    billed_q, billed_a = s.execute(
        select(func.sum(il.quantity), func.sum(il.amount_minor))
        .select_from(t.invoice_lines.join(t.invoices, i.id == il.invoice_id))
        .where(il.po_id == po_id, il.po_line_no == line_no, i.status.in_(_BILLED), i.id != invoice_id)).one()
    credit_q, credit_a = s.execute(
        select(func.sum(cl.quantity), func.sum(cl.amount_minor))
        .select_from(t.credit_memo_lines.join(t.credit_memos, cm.id == cl.credit_memo_id))
        .where(cl.po_id == po_id, cl.po_line_no == line_no, cm.status == "applied")).one()
    po_billed = s.execute(
        select(func.sum(il.amount_minor)).select_from(t.invoice_lines.join(t.invoices, i.id == il.invoice_id))
        .where(il.po_id == po_id, i.status.in_(_BILLED), i.id != invoice_id)).scalar() or 0
    po_credited = s.execute(
        select(func.sum(cl.amount_minor)).select_from(t.credit_memo_lines.join(t.credit_memos, cm.id == cl.credit_memo_id))
        .where(cl.po_id == po_id, cm.status == "applied")).scalar() or 0
    header = POFacts(po.id, po.vendor_id, po.currency, POStatus(po.status),
                     po.total_minor if po.max_total_minor is None else po.max_total_minor, po_billed, po_credited)
    line = POLineFacts(po_id, line_no, pl.item, pl.unit_of_measure, pl.quantity, Decimal(pl.unit_price_minor),
                       LineKind(pl.kind), MatchLevel(pl.match_level), pl.category, received or _ZERO,
                       accepted or _ZERO, billed_q or _ZERO, billed_a or 0, credit_q or _ZERO, credit_a or 0)
    return header, line


def _duplicates(s: Session, key: DuplicateKey) -> list[DuplicateKey]:
    i = t.invoices.c
    cols = (i.id, i.vendor_id, i.number_normalized, i.currency, i.total_minor, i.invoice_date, i.file_digest)
    lookups = [(i.vendor_id == key.vendor_id) & (i.number_normalized == key.number_normalized),
               (i.vendor_id == key.vendor_id) & (i.currency == key.currency) & (i.total_minor == key.total_minor)]
    if key.file_digest:
        lookups.append(i.file_digest == key.file_digest)
    pool = []
    for where in lookups:
        for r in s.execute(select(*cols).where(where, i.status.not_in(_NOT_COMPARED), i.id < key.invoice_id)):
            pool.append(DuplicateKey(r.id, r.vendor_id, r.number_normalized, r.currency, r.total_minor,
                                     r.invoice_date, r.file_digest))
    return pool


def match_one(s: Session, invoice_id: str, policy, now: str) -> tuple[str, str]:  # noqa: ANN001
    row = s.get(InvoiceRow, invoice_id)
    lines = s.scalars(select(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice_id)
                      .order_by(InvoiceLineRow.line_no)).all()
    invoice = Invoice(row.id, row.vendor_id, row.invoice_number, row.invoice_date, row.currency,
                      tuple(InvoiceLine(x.line_no, x.po_id, x.po_line_no, x.quantity, Decimal(x.unit_price_minor),
                                        x.description, x.unit_of_measure) for x in lines),
                      row.received_on, row.terms, row.stated_total_minor, row.remit_to, row.defect_contact,
                      row.file_digest, InvoiceStatus(row.status))
    pos, facts = {}, []
    for x in lines:  # per line: load the PO and its line, and sum receipts, other invoices and credits
        header, line = _facts(s, invoice_id, x.po_id, x.po_line_no)
        if header is not None:
            pos[header.po_id] = header
            facts.append(line)
    key = DuplicateKey.of(invoice)
    duplicates = find_duplicates(key, _duplicates(s, key), policy.duplicate_window_days)
    result = match_invoice(invoice, MatchContext.of(pos.values(), facts), policy, duplicates=duplicates)
    status = InvoiceStatus.MATCHED if result.is_clean else InvoiceStatus.HELD
    digest = result.digest()
    s.add(MatchResultRow(id=f"mr_naive_{invoice_id}", invoice_id=invoice_id, invoice_version=row.version,
                         matched_at=now, trigger="naive", policy_version=result.policy_version, digest=digest,
                         findings_json="[]", status_after=status.value))
    row.status, row.match_digest, row.policy_version = status.value, digest, result.policy_version
    return status.value, digest


def run_naive(container, sample: int) -> tuple[float, dict[str, tuple[str, str]]]:  # noqa: ANN001
    """Match the first ``sample`` entered invoices (batch order), one transaction each; (seconds, outcomes)."""
    import main

    policy = main.ap_services(container).deps.policies.tolerance
    with container.uow(read_only=True) as uow:
        ids = uow.invoices.ids_in_status(InvoiceStatus.ENTERED, limit=sample)
    out = {}
    t0 = time.perf_counter()
    for invoice_id in ids:
        with Session(container.engine) as s, s.begin():
            out[invoice_id] = match_one(s, invoice_id, policy, "2026-11-02T15:00:00.000000Z")
    return time.perf_counter() - t0, out
