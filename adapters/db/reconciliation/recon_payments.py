"""Our disbursements as reconciliation reads them (``payments.reconciliation.recon_ports.ReconPayments``), from the payment
tables, with the receiving bank's routing number from the vendor bank accounts.

Status changes go through the payment store's own guarded transition, so the rule that a payment leaving the
live set frees its invoices stays in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, and_, case, column, exists, func, inspect, literal, or_, select, table, update
from sqlalchemy.engine import Connection

from adapters.db.disbursements.payment_repo import SqlPaymentStore, _ts
from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.reconciliation.recon_tables import recon_matches
from payments.disbursements.payment_rejections import ledger_items
from payments.disbursements.payment_rules import PAYMENT_TRANSITIONS, LedgerItem, PaymentStep
from payments.disbursements.payment_states import PaymentStatus
from payments.reconciliation.recon_records import BookPayment

_CHUNK = 900
# The receiving bank of a payment is its account's routing number. Named here as a lightweight table (two
# columns) rather than imported, so that reconciliation depends on the identity feature's schema, not its code.
# Without that feature's tables (a database that predates it), payments still reconcile; only the check of a
# return's receiving bank is skipped. Whether the table exists is asked once per engine.
vendor_bank_accounts = table("vendor_bank_accounts", column("id", String), column("routing_number", String))
_HAS_ACCOUNTS: dict[int, bool] = {}
_OPEN = ("sent", "settled", "returned")


class SqlReconPayments:
    def __init__(self, conn: Connection, store: SqlPaymentStore | None = None) -> None:
        self._c = conn
        self._store = store or SqlPaymentStore(conn)

    def _select(self, kinds: tuple[str, ...] = ("live",)):  # noqa: ANN202
        key = id(self._c.engine)
        if key not in _HAS_ACCOUNTS:
            _HAS_ACCOUNTS[key] = inspect(self._c).has_table("vendor_bank_accounts")
        # The fund of a payment's invoices, in one look-up by the items' primary key: the fund when they all
        # agree (almost always: the whole amount is that fund's, and no join over the items is needed), '' when
        # there are none, NULL when they span several (those few are read item by item in ``_funds``).
        fund_of = payment_items.c.fund
        one_fund = (select(case((func.count() == 0, literal("")), (func.min(fund_of) == func.max(fund_of),
                                                                      func.min(fund_of))))
                    .where(payment_items.c.payment_id == payments.c.id).scalar_subquery())
        columns = [payments.c.id, payments.c.amount_minor, payments.c.currency, payments.c.effective_date,
                   payments.c.status, payments.c.trace_number, payments.c.run_id, payments.c.vendor_id,
                   payments.c.account_id, payments.c.sec_code, payments.c.submission_id, payments.c.status_reason,
                   one_fund]
        if not _HAS_ACCOUNTS[key]:
            return select(*columns, literal(None).label("routing_number")).where(payments.c.kind.in_(kinds))
        return (select(*columns, vendor_bank_accounts.c.routing_number)
                .select_from(payments.outerjoin(vendor_bank_accounts,
                                                vendor_bank_accounts.c.id == payments.c.account_id))
                .where(payments.c.kind.in_(kinds)))

    def _build(self, rows, settled: set[str] | None = None) -> list[BookPayment]:  # noqa: ANN001
        # One ACH batch per run and SEC code (the NACHA rail's layout): the bank settles each with one debit.
        # Rows are fetched 20,000 at a time (not one by one through the result, and never a million result rows
        # beside the million payments built from them) and unpacked by position: at a million payments,
        # attribute access per column is the main cost.
        settled = settled or set()
        days: dict[str, dt.date] = {}  # payments share a few effective dates: each parsed once
        out = []
        if hasattr(rows, "fetchmany"):
            fetch = rows.fetchmany
        else:
            pending = [list(rows), []]
            fetch = lambda _size: pending.pop(0)  # noqa: E731 - rows already fetched: one chunk
        while chunk := fetch(20_000):
            split = self._funds([r[0] for r in chunk if r[12] is None])
            for (pid, amount, currency, effective, status, trace, run, vendor, account, sec, submission, reason,
                 fund, routing) in chunk:
                funds = ((fund, amount),) if fund else () if fund == "" else split.get(pid, ())
                on = days.get(effective)
                if on is None:
                    on = days[effective] = dt.date.fromisoformat(effective)
                out.append(BookPayment(
                    pid, amount, currency, on, status, trace, pid, f"{run}:{sec}", vendor, account,
                    routing[:8] if routing else None, tuple(funds), pid in settled,
                    (run, submission) if submission else (run,),
                    (reason or "")[:3] or None if status == "returned" else None))
        return out

    def _funds(self, payment_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
        """Per fund, what each of these payments (whose invoices span several funds) pays."""
        paid = payment_items.c.amount_minor - payment_items.c.discount_minor + payment_items.c.interest_minor
        rows: list[Any] = []
        for start in range(0, len(payment_ids), _CHUNK):
            rows += self._c.execute(select(payment_items.c.payment_id, payment_items.c.fund, paid).where(
                payment_items.c.payment_id.in_(payment_ids[start:start + _CHUNK])))
        out: dict[str, list[tuple[str, int]]] = {}
        for payment_id, fund, amount in rows:
            if not amount:
                continue
            shares = out.get(payment_id)
            if shares is None:
                out[payment_id] = [(fund, amount)]
            else:  # several invoices of one payment: one share per fund
                merged = dict(shares)
                merged[fund] = merged.get(fund, 0) + amount
                out[payment_id] = list(merged.items())
        return out

    def open_for_matching(self, *, since: dt.date, taken=None) -> list[BookPayment]:  # noqa: ANN001
        """Also without the payments named in ``taken`` (a table with a ``payment_id`` column: the lines the
        database decided, ``recon_trace``); ordered by id either way, so that leaving some out keeps the others'
        order, which the matcher's groups and candidates follow."""
        no_settlement = ~exists().where(and_(recon_matches.c.payment_id == payments.c.id,
                                             recon_matches.c.role == "settlement"))
        # Sent payments are unsettled by definition; settled or returned ones only when no statement line has
        # settled them yet (settled by another path, or returned before the batch debit was seen). Two queries,
        # so that the large one is a plain index range on status.
        sent = and_(payments.c.status == "sent", payments.c.effective_date >= since.isoformat())
        if taken is not None:
            sent = and_(sent, ~exists().where(taken.c.payment_id == payments.c.id))
        out = []
        for where in (sent, and_(payments.c.status.in_(("settled", "returned")),
                                 payments.c.effective_date >= since.isoformat(), no_settlement)):
            out += self._build(self._c.execute(self._select().where(where).order_by(payments.c.id)))
        return out

    def by_keys(self, keys: set[str], *, prenotes: bool = False) -> dict[str, BookPayment]:
        wanted = sorted(keys)
        kinds = ("live", "prenote") if prenotes else ("live",)
        out: dict[str, BookPayment] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            where = or_(payments.c.id.in_(chunk), payments.c.trace_number.in_(chunk))
            rows = list(self._c.execute(self._select(kinds).where(where)))
            ids = [r.id for r in rows]
            settled = {r[0] for r in self._c.execute(select(recon_matches.c.payment_id).where(
                recon_matches.c.payment_id.in_(ids), recon_matches.c.role == "settlement"))} if ids else set()
            for p in self._build(rows, settled):
                for key in p.keys():
                    if key in keys:
                        out[key] = p
        return out

    def unsettled_sent(self, *, sent_before: dt.date) -> list[BookPayment]:
        where = and_(payments.c.status == "sent", payments.c.effective_date < sent_before.isoformat())
        return self._build(self._c.execute(self._select().where(where)))

    def settle(self, payment_ids: Sequence[str], at: dt.datetime) -> int:
        return self._store.transition_payments(payment_ids, PaymentStep.SETTLE, at=at)

    def settle_posted(self, entry_ids: Sequence[str], first: dt.date, last: dt.date, at: dt.datetime) -> int:
        # One statement instead of one per payment: the database walks this import's posted match rows (by their
        # booking-date index) and moves the payments they name. Still the store's guarded transition (only
        # 'sent' moves; a settled payment stays live, so nothing else changes), and the row count is the guard.
        posted = (select(recon_matches.c.payment_id)
                  .where(recon_matches.c.booking_date >= first.isoformat(),
                         recon_matches.c.booking_date <= last.isoformat(),
                         recon_matches.c.entry_id.in_(list(entry_ids)), recon_matches.c.posted.is_(True),
                         recon_matches.c.role == "settlement"))
        move = PAYMENT_TRANSITIONS[PaymentStep.SETTLE]
        result = self._c.execute(update(payments).where(payments.c.status.in_(sorted(s.value for s in move.sources)),
                                                        payments.c.id.in_(posted))
                                 .values(status=move.target.value, updated_at=_ts(at)))
        from adapters.metrics import count_on_commit  # late: `disburse serve` picks the metrics' storage first

        count_on_commit(self._c, move.target.value, result.rowcount)
        return result.rowcount

    def mark_returned(self, payment_id: str, expected: str, reason: str, at: dt.datetime) -> bool:
        return self._store.transition_payments([payment_id], PaymentStep.RETURN, expected=PaymentStatus(expected),
                                               reason=reason, at=at) == 1

    def ledger_items(self, payment_id: str) -> list[LedgerItem]:
        found = self._store.get_payment(payment_id)
        return ledger_items(found) if found else []
