"""``payments.ap.prompt_pay_records.PromptPayRecords`` on the unit of work's connection, and the facts a payment run
reads for each approved invoice (``facts_for``): the vendor's kind, the order's federal money, the dispute and the
clock stops."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.ap.ap_repo import as_date, guarded
from adapters.db.ap.ap_tables import invoice_holds, invoice_lines, invoices
from adapters.db.ap.prompt_pay_tables import invoice_clock_stops, invoice_disputes, po_prompt_pay, vendor_prompt_pay
from adapters.db.chunks import chunks
from payments.errors import StaleState
from payments.ap.ap_records import HoldRecord, PromptPayDates, Stamp
from payments.ap.documents import Invoice
from payments.ap.prompt_pay_records import (ClockStopRecord, DisputeRecord, DisputeStatus, POPromptPay, ResolvedFor,
                                            VendorPromptPay)
from payments.ap.prompt_pay_rules.facts import PromptPayFacts


def _vendor(r: Any) -> VendorPromptPay:
    return VendorPromptPay(r.vendor_id, r.payee_kind, r.rule_set, r.version, Stamp(r.updated_by, r.updated_at))


def _po(r: Any) -> POPromptPay:
    return POPromptPay(r.po_id, bool(r.federally_funded), as_date(r.funds_received_on), r.rule_set, r.version,
                       Stamp(r.updated_by, r.updated_at))


def _dispute(r: Any) -> DisputeRecord:
    return DisputeRecord(r.id, r.invoice_id, as_date(r.noticed_on), r.reason, r.disputed_minor, r.hold_id,
                         Stamp(r.opened_by, r.opened_at), DisputeStatus(r.status), as_date(r.resolved_on),
                         ResolvedFor(r.resolved_for) if r.resolved_for else None, as_date(r.corrected_received_on),
                         as_date(r.corrected_due_date), r.resolution or "", Stamp(r.resolved_by, r.resolved_at))


def _stop(r: Any) -> ClockStopRecord:
    return ClockStopRecord(r.id, r.invoice_id, r.reason, as_date(r.from_day), as_date(r.to_day), r.note or "",
                           Stamp(r.recorded_by, r.recorded_at), Stamp(r.ended_by, r.ended_at))


class SqlPromptPayRecords:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def vendor_terms(self, vendor_ids: Sequence[str]) -> Mapping[str, VendorPromptPay]:
        t = vendor_prompt_pay
        return {r.vendor_id: _vendor(r) for chunk in chunks(sorted(set(vendor_ids)))
                for r in self._conn.execute(select(t).where(t.c.vendor_id.in_(chunk)))}

    def po_terms(self, po_ids: Sequence[str]) -> Mapping[str, POPromptPay]:
        t = po_prompt_pay
        return {r.po_id: _po(r) for chunk in chunks(sorted(set(po_ids)))
                for r in self._conn.execute(select(t).where(t.c.po_id.in_(chunk)))}

    def _save(self, table: Any, key: str, object_id: str, values: dict[str, Any], expected_version: int) -> None:
        if expected_version == 0:
            before = self._conn.execute(select(table.c.version).where(table.c[key] == object_id)).scalar()
            if before is not None:
                raise StaleState(f"{key[:-3]} prompt-pay terms", object_id, "unset")
            self._conn.execute(insert(table).values({key: object_id, **values}))
            return
        guarded(self._conn, update(table).where(table.c[key] == object_id, table.c.version == expected_version)
                .values(values), f"{key[:-3]} prompt-pay terms", object_id, f"version {expected_version}")

    def save_vendor_terms(self, terms: VendorPromptPay, *, expected_version: int) -> None:
        self._save(vendor_prompt_pay, "vendor_id", terms.vendor_id,
                   {"payee_kind": terms.payee_kind, "rule_set": terms.rule_set, "version": terms.version,
                    "updated_by": terms.updated.by, "updated_at": terms.updated.at}, expected_version)

    def save_po_terms(self, terms: POPromptPay, *, expected_version: int) -> None:
        self._save(po_prompt_pay, "po_id", terms.po_id,
                   {"federally_funded": terms.federally_funded, "funds_received_on": terms.funds_received_on,
                    "rule_set": terms.rule_set, "version": terms.version, "updated_by": terms.updated.by,
                    "updated_at": terms.updated.at}, expected_version)

    def facts(self, invoices: Sequence[Invoice]) -> Mapping[str, PromptPayFacts]:
        return facts_for(self._conn, invoices)

    def redate(self, invoice_id: str, dates: PromptPayDates) -> None:
        i = invoices
        guarded(self._conn, update(i).where(i.c.id == invoice_id, i.c.status == "approved", i.c.pp_due_date.is_(None))
                .values(pp_acceptance_date=dates.acceptance_date, pp_receipt_date=dates.receipt_date,
                        pp_due_date=dates.due_date, pp_policy_version=dates.policy_version, pp_rule=dates.rule),
                "invoice", invoice_id, "approved with no due date")

    def disputes(self, invoice_id: str) -> list[DisputeRecord]:
        t = invoice_disputes
        return [_dispute(r) for r in self._conn.execute(select(t).where(t.c.invoice_id == invoice_id).order_by(t.c.id))]

    def add_dispute(self, dispute: DisputeRecord, hold: HoldRecord) -> None:
        self._conn.execute(insert(invoice_holds).values(
            id=hold.id, invoice_id=hold.invoice_id, hold=hold.hold, rule=hold.rule, subject=hold.subject[:160],
            fingerprint=hold.fingerprint, finding_json=json.dumps(dict(hold.finding), sort_keys=True),
            status=hold.status, raised_at=hold.raised_at, match_result_id=hold.match_result_id))
        self._conn.execute(insert(invoice_disputes).values(
            id=dispute.id, invoice_id=dispute.invoice_id, noticed_on=dispute.noticed_on, reason=dispute.reason,
            disputed_minor=dispute.disputed_minor, hold_id=dispute.hold_id, opened_by=dispute.opened.by,
            opened_at=dispute.opened.at, status=dispute.status.value, resolution=""))

    def resolve_dispute(self, dispute: DisputeRecord) -> None:
        t = invoice_disputes
        guarded(self._conn, update(t).where(t.c.id == dispute.id, t.c.status == DisputeStatus.OPEN.value).values(
            status=dispute.status.value, resolved_on=dispute.resolved_on,
            resolved_for=dispute.resolved_for.value if dispute.resolved_for else None,
            corrected_received_on=dispute.corrected_received_on, corrected_due_date=dispute.corrected_due_date,
            resolution=dispute.resolution, resolved_by=dispute.resolved.by, resolved_at=dispute.resolved.at),
            "dispute", dispute.id, DisputeStatus.OPEN.value)

    def stops(self, invoice_id: str) -> list[ClockStopRecord]:
        t = invoice_clock_stops
        return [_stop(r) for r in self._conn.execute(select(t).where(t.c.invoice_id == invoice_id).order_by(t.c.id))]

    def add_stop(self, stop: ClockStopRecord) -> None:
        self._conn.execute(insert(invoice_clock_stops).values(
            id=stop.id, invoice_id=stop.invoice_id, reason=stop.reason, from_day=stop.from_day, to_day=stop.to_day,
            note=stop.note, recorded_by=stop.recorded.by, recorded_at=stop.recorded.at))

    def end_stop(self, stop: ClockStopRecord) -> None:
        t = invoice_clock_stops
        guarded(self._conn, update(t).where(t.c.id == stop.id, t.c.to_day.is_(None)).values(
            to_day=stop.to_day, ended_by=stop.ended.by, ended_at=stop.ended.at), "clock stop", stop.id, "running")


def fingerprint(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def facts_for(conn: Connection, invoice_rows: Iterable[Any]) -> dict[str, PromptPayFacts]:
    """Each invoice row's prompt-pay facts (rows with ``id``, ``vendor_id``, ``received_on``, ``invoice_date``),
    read with a handful of grouped queries per 500 invoices."""
    rows = {r.id: r for r in invoice_rows}
    ids = sorted(rows)
    records = SqlPromptPayRecords(conn)
    kinds = {v: t.payee_kind for v, t in records.vendor_terms([r.vendor_id for r in rows.values()]).items()}
    po_of: dict[str, list[str]] = {}
    disputes: dict[str, DisputeRecord] = {}
    stops: dict[str, list[ClockStopRecord]] = {}
    for chunk in chunks(ids):
        for r in conn.execute(select(invoice_lines.c.invoice_id, invoice_lines.c.po_id).distinct()
                              .where(invoice_lines.c.invoice_id.in_(chunk), invoice_lines.c.po_id.is_not(None))):
            po_of.setdefault(r.invoice_id, []).append(r.po_id)
        for r in conn.execute(select(invoice_disputes).where(invoice_disputes.c.invoice_id.in_(chunk))
                              .order_by(invoice_disputes.c.id)):
            disputes[r.invoice_id] = _dispute(r)  # the latest dispute is the one that decides
        for r in conn.execute(select(invoice_clock_stops).where(invoice_clock_stops.c.invoice_id.in_(chunk))
                              .order_by(invoice_clock_stops.c.id)):
            stops.setdefault(r.invoice_id, []).append(_stop(r))
    funded = {p: t for p, t in records.po_terms([p for ps in po_of.values() for p in ps]).items() if t.federally_funded}
    out: dict[str, PromptPayFacts] = {}
    for invoice_id, r in rows.items():
        money = [funded[p] for p in sorted(po_of.get(invoice_id, ())) if p in funded]
        arrived = [t.funds_received_on for t in money]
        dispute = disputes.get(invoice_id)
        out[invoice_id] = PromptPayFacts(
            received_on=as_date(r.received_on) or as_date(r.invoice_date), payee_kind=kinds.get(r.vendor_id),
            dispute=dispute.facts() if dispute is not None else None,
            stops=tuple(s.stop() for s in stops.get(invoice_id, ())), federally_funded=bool(money),
            funds_received_on=None if not money or None in arrived else max(d for d in arrived if d is not None))
    return out


__all__ = ["SqlPromptPayRecords", "facts_for", "fingerprint"]
