"""The set-based reads of matching and its bulk writes (``payments.ap_ports.MatchQueries``).

The match context is the query ``payments.match_context`` documents, split into five grouped SELECTs per 500
purchase orders (headers, lines, receipt sums, billed sums, credit sums): the database aggregates, Python
only joins dictionaries. Invoices of the batch that currently count as billed are subtracted in memory, which
is what ``NOT IN (:ids)`` would do without sending 100,000 ids to the server.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.ap_invoice_repo import hold_from_row
from adapters.db.ap_repo import as_date, chunks
from adapters.db.ap_tables import (credit_memo_lines, credit_memos, invoice_holds, invoice_lines, invoices,
                                   match_results, po_lines, purchase_orders, receipt_lines, receipts)
from payments.ap_errors import StaleState
from payments.ap_records import HoldRecord
from payments.documents import (BILLED_INVOICE_STATUSES, CreditMemoStatus, Invoice, LineKind, MatchLevel, POStatus,
                                ReceiptStatus, counts_as_billed)
from payments.duplicates import NOT_COMPARED_STATUSES, DuplicateKey
from payments.match_context import MatchContext, POFacts, POLineFacts
from payments.match_holds import ManualRelease

_ZERO = Decimal(0)
_BILLED = [s.value for s in BILLED_INVOICE_STATUSES]
_NOT_COMPARED = [s.value for s in NOT_COMPARED_STATUSES]


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class SqlMatchQueries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- the context -----------------------------------------------------------------------------------
    def context_for(self, batch: Sequence[Invoice]) -> MatchContext:
        po_ids = sorted({line.po_id for inv in batch for line in inv.lines if line.po_id is not None})
        return self._context(po_ids, batch)

    def context_for_pos(self, po_ids: Sequence[str]) -> MatchContext:
        return self._context(sorted(set(po_ids)), ())

    def _context(self, po_ids: Sequence[str], batch: Sequence[Invoice]) -> MatchContext:
        headers: list[Any] = []
        line_rows: list[Any] = []
        received: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
        billed: dict[tuple[str, int], list] = {}
        credited: dict[tuple[str, int], tuple[Decimal, int]] = {}
        po, pl, rl, il, cl = purchase_orders.c, po_lines.c, receipt_lines.c, invoice_lines.c, credit_memo_lines.c
        for part in chunks(po_ids):
            headers += self._conn.execute(select(po.id, po.vendor_id, po.currency, po.status, po.max_total_minor,
                                                 po.total_minor).where(po.id.in_(part))).all()
            line_rows += self._conn.execute(select(pl.po_id, pl.line_no, pl.item, pl.unit_of_measure, pl.quantity,
                                                   pl.unit_price_minor, pl.kind, pl.match_level, pl.category)
                                            .where(pl.po_id.in_(part))).all()
            for p, n, r, a in self._conn.execute(
                    select(rl.po_id, rl.po_line_no, func.sum(rl.quantity_received),
                           func.sum(func.coalesce(rl.quantity_accepted, 0)))
                    .select_from(receipt_lines.join(receipts, and_(receipts.c.id == rl.receipt_id,
                                                                   receipts.c.status == ReceiptStatus.POSTED.value)))
                    .where(rl.po_id.in_(part)).group_by(rl.po_id, rl.po_line_no)):
                received[(p, n)] = (r or _ZERO, a or _ZERO)
            for p, n, q, a in self._conn.execute(
                    select(il.po_id, il.po_line_no, func.sum(il.quantity), func.sum(il.amount_minor))
                    .select_from(invoice_lines.join(invoices, invoices.c.id == il.invoice_id))
                    .where(il.po_id.in_(part), invoices.c.status.in_(_BILLED)).group_by(il.po_id, il.po_line_no)):
                billed[(p, n)] = [q or _ZERO, int(a or 0)]
            for p, n, q, a in self._conn.execute(
                    select(cl.po_id, cl.po_line_no, func.sum(cl.quantity), func.sum(cl.amount_minor))
                    .select_from(credit_memo_lines.join(credit_memos, and_(
                        credit_memos.c.id == cl.credit_memo_id, credit_memos.c.status == CreditMemoStatus.APPLIED.value)))
                    .where(cl.po_id.in_(part)).group_by(cl.po_id, cl.po_line_no)):
                credited[(p, n)] = (q or _ZERO, int(a or 0))
        for inv in batch:  # the batch's own counted invoices: matching adds them back one by one
            if counts_as_billed(inv.status):
                for line in inv.lines:
                    sums = billed.get((line.po_id, line.po_line_no))
                    if sums is not None:
                        sums[0] -= line.quantity
                        sums[1] -= line.amount_minor
        po_billed: dict[str, int] = {}
        po_credited: dict[str, int] = {}
        for (p, _n), (_q, a) in billed.items():
            po_billed[p] = po_billed.get(p, 0) + a
        for (p, _n), (_q, a) in credited.items():
            po_credited[p] = po_credited.get(p, 0) + a
        pos = [POFacts(h.id, h.vendor_id, h.currency, POStatus(h.status),
                       h.total_minor if h.max_total_minor is None else h.max_total_minor,
                       po_billed.get(h.id, 0), po_credited.get(h.id, 0)) for h in headers]
        lines = []
        for r in line_rows:
            key = (r.po_id, r.line_no)
            rec, acc = received.get(key, (_ZERO, _ZERO))
            bq, ba = billed.get(key, (_ZERO, 0))
            cq, ca = credited.get(key, (_ZERO, 0))
            lines.append(POLineFacts(r.po_id, r.line_no, r.item, r.unit_of_measure, r.quantity,
                                     Decimal(r.unit_price_minor), LineKind(r.kind), MatchLevel(r.match_level),
                                     r.category, rec, acc, bq, ba, cq, ca))
        return MatchContext.of(pos, lines)

    # -- duplicates, releases, holds, deliveries ----------------------------------------------------------
    def duplicate_pool(self, keys: Sequence[DuplicateKey]) -> list[DuplicateKey]:
        i = invoices.c
        cols = (i.id, i.vendor_id, i.number_normalized, i.currency, i.total_minor, i.invoice_date, i.file_digest)
        found: dict[str, DuplicateKey] = {}
        for part in chunks(list(keys)):
            numbers = sorted({k.number_normalized for k in part if k.number_normalized})
            files = sorted({k.file_digest for k in part if k.file_digest})
            vendors = sorted({k.vendor_id for k in part})
            totals = sorted({k.total_minor for k in part})
            currencies = sorted({k.currency for k in part})
            lookups = [and_(i.vendor_id.in_(vendors), i.currency.in_(currencies), i.total_minor.in_(totals))]
            if numbers:
                lookups.append(i.number_normalized.in_(numbers))
            if files:
                lookups.append(i.file_digest.in_(files))
            for where in lookups:
                for r in self._conn.execute(select(*cols).where(where, i.status.not_in(_NOT_COMPARED))):
                    if r.id not in found:
                        found[r.id] = DuplicateKey(r.id, r.vendor_id, r.number_normalized, r.currency, r.total_minor,
                                                   as_date(r.invoice_date), r.file_digest or None)
        return list(found.values())

    def manual_releases(self, invoice_ids: Sequence[str]) -> dict[str, list[ManualRelease]]:
        h = invoice_holds.c
        out: dict[str, list[ManualRelease]] = {}
        for part in chunks(list(invoice_ids)):
            for r in self._conn.execute(select(h.invoice_id, h.hold, h.rule, h.subject, h.fingerprint, h.reason,
                                               h.released_by, h.released_at)
                                        .where(h.invoice_id.in_(part), h.release_kind == "manual")):
                out.setdefault(r.invoice_id, []).append(ManualRelease(
                    (r.hold, r.rule, r.subject), r.fingerprint, r.reason or "", r.released_by or "", _when(r.released_at)))
        return out

    def open_holds(self, invoice_ids: Sequence[str]) -> dict[str, list[HoldRecord]]:
        out: dict[str, list[HoldRecord]] = {}
        for part in chunks(list(invoice_ids)):
            for r in self._conn.execute(select(invoice_holds).where(invoice_holds.c.invoice_id.in_(part),
                                                                    invoice_holds.c.status == "open")):
                out.setdefault(r.invoice_id, []).append(hold_from_row(r))
        return out

    def deliveries(self, po_ids: Sequence[str]) -> dict[tuple[str, int], tuple[dt.date | None, dt.date | None]]:
        rl, r = receipt_lines.c, receipts.c
        out = {}
        for part in chunks(list(po_ids)):
            stmt = (select(rl.po_id, rl.po_line_no, func.max(case((rl.quantity_received > 0, r.received_on))),
                           func.max(r.accepted_on))
                    .select_from(receipt_lines.join(receipts, r.id == rl.receipt_id))
                    .where(rl.po_id.in_(part), r.status == ReceiptStatus.POSTED.value)
                    .group_by(rl.po_id, rl.po_line_no))
            for p, n, on, acc in self._conn.execute(stmt):
                out[(p, n)] = (as_date(on), as_date(acc))
        return out

    # -- writes ----------------------------------------------------------------------------------------
    def save(self, outcomes: Sequence[Any]) -> None:
        if not outcomes:
            return
        conn = self._conn
        conn.execute(insert(match_results), [
            {"id": o.record.id, "invoice_id": o.invoice_id, "invoice_version": o.version,
             "matched_at": o.record.matched_at, "trigger": o.record.trigger, "policy_version": o.record.policy_version,
             "digest": o.record.digest, "findings_json": o.findings_json, "status_after": o.status_after.value}
            for o in outcomes])
        new_holds = [
            {"id": h.id, "invoice_id": h.invoice_id, "hold": h.hold, "rule": h.rule, "subject": h.subject,
             "fingerprint": h.fingerprint, "finding_json": json.dumps(dict(h.finding), sort_keys=True),
             "status": "open", "raised_at": h.raised_at, "match_result_id": h.match_result_id}
            for o in outcomes for h in o.new_holds]
        if new_holds:
            conn.execute(insert(invoice_holds), new_holds)
        released = [{"b_id": hid, "b_at": o.record.matched_at, "b_reason": f"cleared by re-match ({o.record.trigger})"}
                    for o in outcomes for hid in o.released_hold_ids]
        if released:
            conn.execute(update(invoice_holds).where(invoice_holds.c.id == bindparam("b_id"),
                                                     invoice_holds.c.status == "open")
                         .values(status="released", released_at=bindparam("b_at"), release_kind="auto",
                                 released_by="system", reason=bindparam("b_reason")), released)
        refreshed = [{"b_id": hid, "b_fp": fp, "b_json": doc, "b_match": o.record.id}
                     for o in outcomes for hid, fp, doc in o.updated_holds]
        if refreshed:
            conn.execute(update(invoice_holds).where(invoice_holds.c.id == bindparam("b_id"))
                         .values(fingerprint=bindparam("b_fp"), finding_json=bindparam("b_json"),
                                 match_result_id=bindparam("b_match")), refreshed)
        i = invoices.c
        stmt = (update(invoices).where(i.id == bindparam("b_id"), i.status == bindparam("b_expected"),
                                       i.version == bindparam("b_version"))
                .values(status=bindparam("b_status"), match_result_id=bindparam("b_match"),
                        match_digest=bindparam("b_digest"), policy_version=bindparam("b_policy"),
                        pp_acceptance_date=bindparam("b_acc"), pp_receipt_date=bindparam("b_rd"),
                        pp_due_date=bindparam("b_due"), pp_policy_version=bindparam("b_ppv"),
                        defects_json=bindparam("b_defects"), return_by=bindparam("b_return")))
        rows = [{"b_id": o.invoice_id, "b_expected": o.status_before.value, "b_version": o.version,
                 "b_status": o.status_after.value, "b_match": o.record.id, "b_digest": o.record.digest,
                 "b_policy": o.record.policy_version, "b_acc": o.prompt_pay.acceptance_date,
                 "b_rd": o.prompt_pay.receipt_date, "b_due": o.prompt_pay.due_date,
                 "b_ppv": o.prompt_pay.policy_version,
                 "b_defects": json.dumps(o.defects) if o.defects is not None else None, "b_return": o.return_by}
                for o in outcomes]
        moved = conn.execute(stmt, rows).rowcount
        if moved != len(rows) and conn.dialect.supports_sane_multi_rowcount:
            raise StaleState("invoice", ",".join(o.invoice_id for o in outcomes[:3]), "as it was read for matching")
