"""The vendor portal's reads (``payments.portal.portal_ports.PortalQueries``): every one scoped to a vendor in SQL.

Ownership is a ``WHERE vendor_id = :vendor`` in the same statement that finds the object, never a comparison
after loading it by id alone, and never an assumption that an id cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import overload
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from adapters.db.chunks import chunks
from adapters.db.ap.ap_invoice_repo import hold_from_row
from adapters.db.ap.ap_tables import invoice_holds, invoices, match_results, purchase_orders
from adapters.db.people.identity_tables import vendor_bank_accounts
from adapters.db.ledger.ledger_tables import LEDGER
from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.reconciliation.recon_tables import recon_files, recon_matches, recon_returns
from payments.ap.ap_records import HoldRecord
from payments.disbursements.payment_rules import entry_id_for
from payments.portal.portal_ports import MatchStep, PaymentFacts, ReturnFact

def _id_chunks(values: Iterable[str]) -> Iterable[Sequence[str]]:
    """The distinct, non-empty ids in a stable order, a run of bound parameters at a time."""
    return chunks(sorted({v for v in values if v}))


@overload
def _date(value: None) -> None: ...
@overload
def _date(value: dt.date | str) -> dt.date: ...
def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class SqlPortalQueries:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # -- invoices --------------------------------------------------------------------------------------
    def invoice_ids(self, vendor_id: str, *, after: str | None, limit: int,
                    invoice_number: str | None = None) -> list[str]:
        query = select(invoices.c.id).where(invoices.c.vendor_id == vendor_id)
        if invoice_number is not None:
            query = query.where(invoices.c.invoice_number == invoice_number)
        if after:
            query = query.where(invoices.c.id > after)
        return list(self._c.execute(query.order_by(invoices.c.id).limit(limit)).scalars())

    def owns_invoice(self, vendor_id: str, invoice_id: str) -> bool:
        return self._c.execute(select(invoices.c.id).where(
            invoices.c.id == invoice_id, invoices.c.vendor_id == vendor_id)).first() is not None

    def match_steps(self, invoice_id: str) -> list[MatchStep]:
        m = match_results.c
        rows = self._c.execute(select(m.id, m.matched_at, m.status_after).where(m.invoice_id == invoice_id)
                               .order_by(m.matched_at, m.id))
        return [MatchStep(r.id, r.matched_at, r.status_after) for r in rows]

    def match_steps_of(self, invoice_ids: Iterable[str]) -> Mapping[str, list[MatchStep]]:
        m = match_results.c
        out: dict[str, list[MatchStep]] = {i: [] for i in invoice_ids}
        for chunk in _id_chunks(out):
            for r in self._c.execute(select(m.invoice_id, m.id, m.matched_at, m.status_after)
                                     .where(m.invoice_id.in_(chunk)).order_by(m.matched_at, m.id)):
                out[r.invoice_id].append(MatchStep(r.id, r.matched_at, r.status_after))
        return out

    def holds_of(self, invoice_ids: Iterable[str]) -> Mapping[str, list[HoldRecord]]:
        out: dict[str, list[HoldRecord]] = {i: [] for i in invoice_ids}
        for chunk in _id_chunks(out):
            for r in self._c.execute(select(invoice_holds).where(invoice_holds.c.invoice_id.in_(chunk))
                                     .order_by(invoice_holds.c.id)):
                out[r.invoice_id].append(hold_from_row(r))
        return out

    def invoice_labels(self, vendor_id: str, invoice_ids: Iterable[str]) -> Mapping[str, tuple[str, str | None]]:
        out: dict[str, tuple[str, str | None]] = {}
        for chunk in _id_chunks(invoice_ids):
            for r in self._c.execute(select(invoices.c.id, invoices.c.invoice_number, invoices.c.invoice_date).where(
                    invoices.c.id.in_(chunk), invoices.c.vendor_id == vendor_id)):
                day = _date(r.invoice_date)
                out[r.id] = (r.invoice_number, day.isoformat() if day else None)
        return out

    # -- purchase orders -------------------------------------------------------------------------------
    def po_numbers(self, vendor_id: str, po_ids: Iterable[str]) -> Mapping[str, str]:
        out: dict[str, str] = {}
        for chunk in _id_chunks(po_ids):
            out.update((r.id, r.number) for r in self._c.execute(select(purchase_orders.c.id, purchase_orders.c.number)
                                                                 .where(purchase_orders.c.id.in_(chunk),
                                                                        purchase_orders.c.vendor_id == vendor_id)))
        return out

    def po_id_by_number(self, vendor_id: str, number: str) -> str | None:
        return self._c.execute(select(purchase_orders.c.id).where(
            purchase_orders.c.number == number.strip(), purchase_orders.c.vendor_id == vendor_id)).scalar()

    # -- payments --------------------------------------------------------------------------------------
    def payment_ids_for_invoice(self, invoice_id: str) -> list[str]:
        return list(self._c.execute(select(payment_items.c.payment_id).where(payment_items.c.invoice_id == invoice_id)
                                    .order_by(payment_items.c.payment_id)).scalars())

    def payment_ids_of_invoices(self, invoice_ids: Iterable[str]) -> Mapping[str, list[str]]:
        t = payment_items.c
        out: dict[str, list[str]] = {i: [] for i in invoice_ids}
        for chunk in _id_chunks(out):
            for r in self._c.execute(select(t.invoice_id, t.payment_id).where(t.invoice_id.in_(chunk))
                                     .order_by(t.payment_id)):
                out[r.invoice_id].append(r.payment_id)
        return out

    def payment_ids(self, vendor_id: str, *, before: str | None, limit: int, status: str | None = None) -> list[str]:
        query = select(payments.c.id).where(payments.c.vendor_id == vendor_id)
        if status is not None:
            query = query.where(payments.c.status == status)
        if before:
            query = query.where(payments.c.id < before)
        return list(self._c.execute(query.order_by(payments.c.id.desc()).limit(limit)).scalars())

    def owns_payment(self, vendor_id: str, payment_id: str) -> bool:
        return self._c.execute(select(payments.c.id).where(
            payments.c.id == payment_id, payments.c.vendor_id == vendor_id)).first() is not None

    def payment_facts(self, payment_ids: Iterable[str]) -> Mapping[str, PaymentFacts]:
        ids = sorted(set(payment_ids))
        if not ids:
            return {}
        updated: dict[str, str] = {}
        sent: dict[str, str] = {}
        settled: dict[str, dt.date] = {}
        returned: dict[str, ReturnFact] = {}
        entries = LEDGER.entries
        for chunk in _id_chunks(ids):
            updated.update((r.id, r.updated_at) for r in self._c.execute(
                select(payments.c.id, payments.c.updated_at).where(payments.c.id.in_(chunk))))
            # The payment_sent entry's id is derived from the payment's (``entry_id_for``): one indexed lookup.
            by_entry = {entry_id_for(p, "payment_sent"): p for p in chunk}
            sent.update((by_entry[r.id], r.recorded_at) for r in self._c.execute(
                select(entries.c.id, entries.c.recorded_at).where(entries.c.id.in_(sorted(by_entry)))))
            settled.update((r.payment_id, _date(r.booking_date)) for r in self._c.execute(
                select(recon_matches.c.payment_id, recon_matches.c.booking_date).where(
                    recon_matches.c.payment_id.in_(chunk), recon_matches.c.role == "settlement")))
            for r in self._c.execute(select(recon_returns.c.payment_id, recon_returns.c.reason_code,
                                            recon_returns.c.received_on, recon_files.c.imported_at)
                                     .join(recon_files, recon_files.c.id == recon_returns.c.file_id)
                                     .where(recon_returns.c.payment_id.in_(chunk), recon_returns.c.state == "posted")
                                     .order_by(recon_returns.c.id)):
                returned[r.payment_id] = ReturnFact(r.reason_code, _date(r.received_on), r.imported_at)
        return {p: PaymentFacts(updated.get(p), sent.get(p), settled.get(p), returned.get(p)) for p in ids}

    def account_last4(self, vendor_id: str, account_ids: Iterable[str]) -> Mapping[str, str]:
        t = vendor_bank_accounts.c
        out: dict[str, str] = {}
        for chunk in _id_chunks(account_ids):
            out.update((r.id, r.account_last4) for r in self._c.execute(
                select(t.id, t.account_last4).where(t.id.in_(chunk), t.vendor_id == vendor_id)))
        return out
