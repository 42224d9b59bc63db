"""The set-based reads of matching and its bulk writes (``payments.ap.ap_ports.MatchQueries``).

The match context is the query ``payments.ap.matching.match_context`` documents, split into five grouped SELECTs per 500
purchase orders (headers, lines, receipt sums, billed sums, credit sums): the database aggregates, Python
only joins dictionaries. Invoices of the batch that currently count as billed are subtracted in memory, which
is what ``NOT IN (:ids)`` would do without sending 100,000 ids to the server.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, String, and_, bindparam, case, func, insert, select, type_coerce, update
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_invoice_repo import hold_from_row, price
from adapters.db.ap.ap_match_load import day, load_for_matching
from adapters.db.ap.ap_repo import executemany, executemany_tuples, one_of, raw_rows
from adapters.db.ap.ap_tables import from_micros
from adapters.db.ap.ap_tables import (credit_memo_lines, credit_memos, invoice_holds, invoice_lines, invoices,
                                   match_results, po_lines, purchase_orders, receipt_lines, receipts)
from payments.errors import StaleState
from payments.ap.ap_records import HoldRecord
from payments.ap.documents import (BILLED_INVOICE_STATUSES, CreditMemoStatus, Invoice, LineKind, MatchLevel, POStatus,
                                ReceiptStatus, counts_as_billed)
from payments.ap.matching.duplicates import NOT_COMPARED_STATUSES, DuplicateKey
from payments.ap.matching.match_context import MatchContext, POFacts, POLineFacts
from payments.ap.matching.match_holds import ManualRelease

_ZERO = Decimal(0)
_BILLED = [s.value for s in BILLED_INVOICE_STATUSES]
_NOT_COMPARED = [s.value for s in NOT_COMPARED_STATUSES]
_KINDS = {k.value: k for k in LineKind}
_LEVELS = {int(m): m for m in MatchLevel}
_UPDATE_COLUMNS = ("b_id", "b_expected", "b_version", "b_status", "b_match", "b_digest", "b_policy", "b_acc", "b_rd",
                   "b_due", "b_ppv", "b_rule", "b_defects", "b_return")
_RESULT_COLUMNS = ("id", "invoice_id", "invoice_version", "matched_at", "trigger", "policy_version", "digest",
                   "findings_json", "status_after")


def _cleared_by(outcome: Any) -> str:
    document = getattr(outcome, "document", None)
    return f"cleared by re-match ({outcome.record.trigger}{' ' + document if document else ''})"


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class SqlMatchQueries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _in(self, column: Any, values: Sequence[Any], *, integers: bool = False) -> Any:
        return one_of(self._conn, column, values, integers=integers)

    def load(self, invoice_ids: Sequence[str]) -> tuple[list[Any], list[DuplicateKey]]:
        return load_for_matching(self._conn, invoice_ids)

    # -- the context -----------------------------------------------------------------------------------
    def context_for(self, batch: Sequence[Invoice]) -> MatchContext:
        po_ids = sorted({line.po_id for inv in batch for line in inv.lines if line.po_id is not None})
        return self._context(po_ids, batch)

    def context_for_pos(self, po_ids: Sequence[str]) -> MatchContext:
        return self._context(sorted(set(po_ids)), ())

    def _context(self, po_ids: Sequence[str], batch: Sequence[Invoice]) -> MatchContext:
        headers: Sequence[Any] = []
        line_rows: Sequence[Any] = []
        received: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
        billed: dict[tuple[str, int], list] = {}
        credited: dict[tuple[str, int], tuple[Decimal, int]] = {}
        po, pl, rl, il, cl = purchase_orders.c, po_lines.c, receipt_lines.c, invoice_lines.c, credit_memo_lines.c
        micros = BigInteger
        if po_ids:
            rows = partial(raw_rows, self._conn)  # plain tuples: this is the hot path of a batch
            headers = rows(select(po.id, po.vendor_id, po.currency, po.status, po.max_total_minor, po.total_minor)
                           .where(self._in(po.id, po_ids)))
            line_rows = rows(select(pl.po_id, pl.line_no, pl.item, pl.unit_of_measure, type_coerce(pl.quantity, micros),
                                    pl.unit_price_minor, pl.kind, pl.match_level, pl.category)
                             .where(self._in(pl.po_id, po_ids)))
            for p, n, r, a in rows(
                    select(rl.po_id, rl.po_line_no, func.sum(type_coerce(rl.quantity_received, micros)),
                           func.sum(func.coalesce(type_coerce(rl.quantity_accepted, micros), 0)))
                    .select_from(receipt_lines.join(receipts, and_(receipts.c.id == rl.receipt_id,
                                                                   receipts.c.status == ReceiptStatus.POSTED.value)))
                    .where(self._in(rl.po_id, po_ids)).group_by(rl.po_id, rl.po_line_no)):
                received[(p, n)] = (from_micros(r or 0), from_micros(a or 0))
            for p, n, q, a in rows(
                    select(il.po_id, il.po_line_no, func.sum(type_coerce(il.quantity, micros)), func.sum(il.amount_minor))
                    .select_from(invoice_lines.join(invoices, invoices.c.id == il.invoice_id))
                    .where(self._in(il.po_id, po_ids), invoices.c.status.in_(_BILLED))
                    .group_by(il.po_id, il.po_line_no)):
                billed[(p, n)] = [from_micros(q or 0), int(a or 0)]
            for p, n, q, a in rows(
                    select(cl.po_id, cl.po_line_no, func.sum(type_coerce(cl.quantity, micros)), func.sum(cl.amount_minor))
                    .select_from(credit_memo_lines.join(credit_memos, and_(
                        credit_memos.c.id == cl.credit_memo_id, credit_memos.c.status == CreditMemoStatus.APPLIED.value)))
                    .where(self._in(cl.po_id, po_ids)).group_by(cl.po_id, cl.po_line_no)):
                credited[(p, n)] = (from_micros(q or 0), int(a or 0))
        for inv in batch:  # the batch's own counted invoices: matching adds them back one by one
            if counts_as_billed(inv.status):
                for line in inv.lines:
                    sums = billed.get((line.po_id or "", line.po_line_no or 0))  # a line without a PO bills none
                    if sums is not None:
                        sums[0] -= line.quantity
                        sums[1] -= line.amount_minor
        po_billed: dict[str, int] = {}
        po_credited: dict[str, int] = {}
        for (p, _n), (_q, a) in billed.items():
            po_billed[p] = po_billed.get(p, 0) + a
        for (p, _n), (_q, a) in credited.items():
            po_credited[p] = po_credited.get(p, 0) + a
        pos = [POFacts(po_id, vendor, currency, POStatus(status), int(total if ceiling is None else ceiling),
                       po_billed.get(po_id, 0), po_credited.get(po_id, 0))
               for po_id, vendor, currency, status, ceiling, total in headers]
        lines = []
        for po_id, line_no, item, uom, quantity, unit_price, kind, level, category in line_rows:
            key = (po_id, line_no)
            rec, acc = received.get(key, (_ZERO, _ZERO))
            bq, ba = billed.get(key, (_ZERO, 0))
            cq, ca = credited.get(key, (_ZERO, 0))
            lines.append(POLineFacts(po_id, line_no, item, uom, from_micros(quantity), price(unit_price),
                                     _KINDS[kind], _LEVELS[level], category, rec, acc, bq, ba, cq, ca))
        return MatchContext.of(pos, lines)

    # -- duplicates, releases, holds, deliveries ----------------------------------------------------------
    def duplicate_pool(self, keys: Sequence[DuplicateKey]) -> list[DuplicateKey]:
        i = invoices.c
        cols = (i.id, i.vendor_id, i.number_normalized, i.currency, i.total_minor,
                type_coerce(i.invoice_date, String), i.file_digest)
        found: dict[str, DuplicateKey] = {}
        if not keys:
            return []
        # Three indexed self-joins from the batch's stored invoices (c) to EARLIER ones (id below c's): same
        # vendor, currency and total; same vendor and number; same file. Only possible originals come back,
        # and Python compares those few rows (duplicates.find_duplicates). One bound parameter: the ids.
        c = invoices.alias("candidate")
        ids = [k.invoice_id for k in keys]
        earlier = i.id < c.c.id
        queries = [
            select(*cols).select_from(invoices.join(c, and_(
                i.vendor_id == c.c.vendor_id, i.currency == c.c.currency, i.total_minor == c.c.total_minor, earlier)))
            .where(self._in(c.c.id, ids)),
            select(*cols).select_from(invoices.join(c, and_(
                i.vendor_id == c.c.vendor_id, i.number_normalized == c.c.number_normalized, earlier)))
            .where(self._in(c.c.id, ids), c.c.number_normalized != ""),
        ]
        if any(k.file_digest for k in keys):
            queries.append(select(*cols).select_from(invoices.join(c, and_(i.file_digest == c.c.file_digest, earlier)))
                           .where(self._in(c.c.id, ids), c.c.file_digest.is_not(None)))
        for query in queries:
            for inv_id, vendor, number, currency, total, invoice_date, digest in raw_rows(
                    self._conn, query.where(i.status.not_in(_NOT_COMPARED))):
                if inv_id not in found:
                    found[inv_id] = DuplicateKey(inv_id, vendor, number, currency, total, day(invoice_date),
                                                 digest or None)
        return list(found.values())

    def manual_releases(self, invoice_ids: Sequence[str]) -> dict[str, list[ManualRelease]]:
        h = invoice_holds.c
        out: dict[str, list[ManualRelease]] = {}
        for r in self._conn.execute(select(h.invoice_id, h.hold, h.rule, h.subject, h.fingerprint, h.reason,
                                           h.released_by, h.released_at)
                                    .where(self._in(h.invoice_id, invoice_ids), h.release_kind == "manual")):
            out.setdefault(r.invoice_id, []).append(ManualRelease(
                (r.hold, r.rule, r.subject), r.fingerprint, r.reason or "", r.released_by or "", _when(r.released_at)))
        return out

    def open_holds(self, invoice_ids: Sequence[str]) -> dict[str, list[HoldRecord]]:
        out: dict[str, list[HoldRecord]] = {}
        for r in self._conn.execute(select(invoice_holds).where(self._in(invoice_holds.c.invoice_id, invoice_ids),
                                                                invoice_holds.c.status == "open")):
            out.setdefault(r.invoice_id, []).append(hold_from_row(r))
        return out

    def deliveries(self, po_ids: Sequence[str]) -> dict[tuple[str, int], tuple[dt.date | None, dt.date | None]]:
        rl, r = receipt_lines.c, receipts.c
        out = {}
        stmt = (select(rl.po_id, rl.po_line_no,
                       func.max(case((type_coerce(rl.quantity_received, BigInteger) > 0, r.received_on))),
                       func.max(r.accepted_on))
                .select_from(receipt_lines.join(receipts, r.id == rl.receipt_id))
                .where(self._in(rl.po_id, po_ids), r.status == ReceiptStatus.POSTED.value)
                .group_by(rl.po_id, rl.po_line_no))
        for p, n, on, acc in raw_rows(self._conn, stmt):
            out[(p, n)] = (day(on), day(acc))
        return out

    # -- writes ----------------------------------------------------------------------------------------
    def save(self, outcomes: Sequence[Any]) -> None:
        if not outcomes:
            return
        conn = self._conn
        executemany_tuples(conn, insert(match_results).values({c: bindparam(c) for c in _RESULT_COLUMNS}),
                           _RESULT_COLUMNS, [
            (o.record.id, o.invoice_id, o.version, o.record.matched_at, o.record.trigger, o.record.policy_version,
             o.record.digest, o.findings_json, o.status_after.value) for o in outcomes])
        new_holds = [
            {"id": h.id, "invoice_id": h.invoice_id, "hold": h.hold, "rule": h.rule, "subject": h.subject,
             "fingerprint": h.fingerprint, "finding_json": json.dumps(dict(h.finding), sort_keys=True),
             "status": "open", "raised_at": h.raised_at, "match_result_id": h.match_result_id}
            for o in outcomes for h in o.new_holds]
        if new_holds:
            executemany(conn, insert(invoice_holds).values({c: bindparam(c) for c in new_holds[0]}), new_holds)
        released = [{"b_id": hid, "b_at": o.record.matched_at, "b_reason": _cleared_by(o)}
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
                        pp_rule=bindparam("b_rule"),
                        defects_json=bindparam("b_defects"), return_by=bindparam("b_return")))
        # SQLite stores dates as ISO text; the clean path repeats a few prompt-pay date sets, converted once each.
        as_text = conn.dialect.name == "sqlite"
        dates: dict[int, tuple[Any, ...]] = {}
        rows = []
        for o in outcomes:
            pp = o.prompt_pay
            triple = dates.get(id(pp))
            if triple is None:
                triple = (pp.acceptance_date, pp.receipt_date, pp.due_date)
                if as_text:
                    triple = tuple(d.isoformat() if d is not None else None for d in triple)
                dates[id(pp)] = triple
            back_by = o.return_by.isoformat() if as_text and o.return_by is not None else o.return_by
            rows.append((o.invoice_id, o.status_before.value, o.version, o.status_after.value, o.record.id,
                         o.record.digest, o.record.policy_version, *triple, pp.policy_version, pp.rule,
                         json.dumps(o.defects) if o.defects is not None else None, back_by))
        moved = executemany_tuples(conn, stmt, _UPDATE_COLUMNS, rows)
        if moved != len(rows) and conn.dialect.supports_sane_multi_rowcount:
            raise StaleState("invoice", ",".join(o.invoice_id for o in outcomes[:3]), "as it was read for matching")
