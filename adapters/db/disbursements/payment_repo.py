"""The payments store in SQL: guarded transitions, SKIP LOCKED claims, the live-invoice unique constraint."""

from __future__ import annotations

import datetime as dt
from typing import overload
import json
import os
import socket
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from adapters.db.disbursements.payment_credit_rows import give_back, load_credits, store_credits
from adapters.db.disbursements.payment_tables import (payment_items, payment_outbox, payment_run_releases, payment_runs,
                                        payment_submissions, payments)
from ledger.journal import format_time
from payments.disbursements.payment_rules import (PAYMENT_TRANSITIONS, RUN_TRANSITIONS, InvoiceAlreadyScheduled, PaymentStep,
                                                  RunStep, guarded)
from payments.errors import Conflict
from payments.disbursements.payment_records import (PaymentItemRecord, PaymentRecord, PaymentRunRecord, SubmissionRecord,
                                      SubmissionState)
from payments.disbursements.payment_runs import PrenoteRecord
from payments.disbursements.payment_states import LIVE_PAYMENT_STATUSES, PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.rails import RailSec

_LIVE = [s.value for s in LIVE_PAYMENT_STATUSES]


def _values(states: Iterable[RunStatus | PaymentStatus]) -> list[str]:
    return sorted(s.value for s in states)


_ts = format_time  # the one RFC 3339 form the journal stores too


def _parse_ts(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def _holder_is_dead(holder: str) -> bool:
    """``host:pid[/attempt]`` names a process on this host that no longer runs (another host's: unknown, alive)."""
    host, _, pid = holder.partition("/")[0].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@overload
def _date(text: None) -> None: ...
@overload
def _date(text: str) -> dt.date: ...
def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class SqlPaymentStore:
    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._pg = conn.dialect.name == "postgresql"

    # -- runs ------------------------------------------------------------------------------------------
    def _run(self, row, releasers: tuple[str, ...] | None = None) -> PaymentRunRecord:  # noqa: ANN001
        if releasers is None:
            releasers = tuple(r.user_id for r in self._c.execute(
                select(payment_run_releases.c.user_id).where(payment_run_releases.c.run_id == row.id)
                .order_by(payment_run_releases.c.released_at, payment_run_releases.c.user_id)))
        return PaymentRunRecord(
            id=row.id, run_date=_date(row.run_date), effective_date=_date(row.effective_date),
            status=RunStatus(row.status), currency=row.currency, rail=row.rail, created_at=_parse_ts(row.created_at),
            created_by=row.created_by, total_minor=row.total_minor, payment_count=row.payment_count,
            run_key=row.run_key, required_releases=row.required_releases, releasers=releasers,
            submission_id=row.submission_id, skipped=tuple(json.loads(row.skipped or "[]")), same_day=bool(row.same_day),
            redated=json.loads(row.redated) if row.redated else None)

    def find_run_by_key(self, run_key: str) -> PaymentRunRecord | None:
        row = self._c.execute(select(payment_runs).where(payment_runs.c.run_key == run_key)).first()
        return self._run(row) if row else None

    def add_run(self, run: PaymentRunRecord, items: Sequence[PaymentRecord]) -> None:
        now = _ts(run.created_at)
        try:
            # The run row first: a concurrent creator with the same run key waits on it, then fails cleanly.
            self._c.execute(insert(payment_runs).values(
                id=run.id, run_key=run.run_key, run_date=run.run_date.isoformat(),
                effective_date=run.effective_date.isoformat(), status=run.status.value, currency=run.currency,
                rail=run.rail, created_at=now, created_by=run.created_by, total_minor=run.total_minor,
                payment_count=run.payment_count, required_releases=run.required_releases,
                submission_id=run.submission_id, skipped=json.dumps(list(run.skipped)), same_day=run.same_day,
                updated_at=now))
            if items:
                self._c.execute(insert(payments), [self._payment_row(p, now) for p in items])
                rows = [self._item_row(p.id, i) for p in items for i in p.items]
                if rows:
                    self._c.execute(insert(payment_items), rows)
                store_credits(self._c, items)
        except IntegrityError as exc:
            raise InvoiceAlreadyScheduled("an invoice or the run key already has a live payment run; plan again",
                                  detail=str(exc.orig)[:200]) from None

    @staticmethod
    def _payment_row(p: PaymentRecord, now: str) -> dict:
        return dict(id=p.id, run_id=p.run_id, vendor_id=p.vendor_id, account_id=p.account_id, payee_name=p.payee_name,
                    currency=p.currency, amount_minor=p.amount_minor, kind=p.kind.value, sec_code=p.sec_code.value,
                    status=p.status.value, effective_date=p.effective_date.isoformat(), trace_number=p.trace_number,
                    submission_id=p.submission_id, status_reason=p.status_reason,
                    live_prenote_account_id=p.account_id if p.kind is PaymentKind.PRENOTE else None,
                    same_day=p.same_day, created_at=now, updated_at=now)

    @staticmethod
    def _item_row(payment_id: str, i: PaymentItemRecord) -> dict:
        return dict(payment_id=payment_id, invoice_id=i.invoice_id, live_invoice_id=i.invoice_id,
                    invoice_number=i.invoice_number, invoice_date=i.invoice_date.isoformat() if i.invoice_date else None,
                    due_date=i.due_date.isoformat() if i.due_date else None, amount_minor=i.amount_minor,
                    discount_minor=i.discount_minor, interest_minor=i.interest_minor, fund=i.fund,
                    expenditure_account=i.expenditure_account, approver_ids=json.dumps(sorted(i.approver_ids)),
                    interest_rule=i.interest_rule)

    def get_run(self, run_id: str, *, for_update: bool = False) -> PaymentRunRecord | None:
        query = select(payment_runs).where(payment_runs.c.id == run_id)
        if for_update and self._pg:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return self._run(row) if row else None

    def list_runs(self, *, status: RunStatus | None = None, after: str | None = None, limit: int = 50
                  ) -> list[PaymentRunRecord]:
        query = select(payment_runs).order_by(payment_runs.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(payment_runs.c.status == status.value)
        if after:
            query = query.where(payment_runs.c.id < after)
        return [self._run(r) for r in self._c.execute(query)]

    def runs_in_status(self, status: RunStatus, limit: int = 50) -> list[PaymentRunRecord]:
        query = (select(payment_runs).where(payment_runs.c.status == status.value)
                 .order_by(payment_runs.c.id).limit(limit))
        return [self._run(r) for r in self._c.execute(query)]

    def transition_run(self, run_id: str, step: RunStep, *, at: dt.datetime, submission_id: str | None = None,
                       expected: RunStatus | None = None) -> bool:
        move = guarded(RUN_TRANSITIONS, step, "payment run", run_id, expected)
        values: dict[str, object] = {"status": move.target.value, "updated_at": _ts(at)}
        if submission_id is not None:
            values["submission_id"] = submission_id
        result = self._c.execute(update(payment_runs).where(
            payment_runs.c.id == run_id, payment_runs.c.status.in_(_values(move.sources))).values(**values))
        return result.rowcount == 1

    def add_release(self, run_id: str, user_id: str, at: dt.datetime) -> None:
        try:
            self._c.execute(insert(payment_run_releases).values(run_id=run_id, user_id=user_id, released_at=_ts(at)))
        except IntegrityError:
            raise Conflict(f"user {user_id} already released run {run_id}", code="same_releaser_twice") from None

    def claim_released_run(self) -> PaymentRunRecord | None:
        query = (select(payment_runs).where(payment_runs.c.status == RunStatus.RELEASED.value)
                 .order_by(payment_runs.c.id).limit(1))
        if self._pg:
            # Two submitters each get a different released run, or none; never the same one.
            query = query.with_for_update(skip_locked=True)
        row = self._c.execute(query).first()
        return self._run(row) if row else None

    # -- payments --------------------------------------------------------------------------------------
    def live_invoice_ids(self, invoice_ids: Iterable[str]) -> set[str]:
        ids = list(set(invoice_ids))
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(r[0] for r in self._c.execute(
                select(payment_items.c.live_invoice_id).where(payment_items.c.live_invoice_id.in_(chunk))))
        return found

    def live_payments_of_invoices(self, invoice_ids: Iterable[str]) -> dict[str, PaymentRecord]:
        ids = sorted(set(invoice_ids))
        pairs: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            pairs.update((r[0], r[1]) for r in self._c.execute(
                select(payment_items.c.live_invoice_id, payment_items.c.payment_id)
                .where(payment_items.c.live_invoice_id.in_(ids[start:start + 500]))))
        wanted = sorted(set(pairs.values()))
        found: dict[str, PaymentRecord] = {}
        for start in range(0, len(wanted), 500):
            found.update((p.id, p) for p in self._payments(self._c.execute(
                select(payments).where(payments.c.id.in_(wanted[start:start + 500])))))
        return {invoice_id: found[payment_id] for invoice_id, payment_id in pairs.items() if payment_id in found}

    def prenotes(self, account_ids: Iterable[str]) -> dict[str, PrenoteRecord]:
        ids = list(set(account_ids))
        if not ids:
            return {}
        rows = self._c.execute(select(payments.c.id, payments.c.account_id, payments.c.status,
                                      payments.c.effective_date)
                               .where(payments.c.kind == PaymentKind.PRENOTE.value, payments.c.account_id.in_(ids))
                               .order_by(payments.c.id))
        out: dict[str, PrenoteRecord] = {}
        for r in rows:  # ids are ULIDs: the last one per account is the latest
            out[r.account_id] = PrenoteRecord(r.account_id, r.id, PaymentStatus(r.status), _date(r.effective_date))
        return out

    def _payments(self, rows) -> list[PaymentRecord]:  # noqa: ANN001
        rows = list(rows)
        items: dict[str, list[PaymentItemRecord]] = {}
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            for i in self._c.execute(select(payment_items).where(payment_items.c.payment_id.in_(ids[start:start + 500]))
                                     .order_by(payment_items.c.payment_id, payment_items.c.invoice_id)):
                items.setdefault(i.payment_id, []).append(PaymentItemRecord(
                    i.invoice_id, i.invoice_number, i.amount_minor, i.discount_minor, i.interest_minor,
                    _date(i.invoice_date), _date(i.due_date), i.fund, i.expenditure_account,
                    frozenset(json.loads(i.approver_ids)), i.interest_rule))
        credits = load_credits(self._c, ids)
        return [PaymentRecord(
            id=r.id, run_id=r.run_id, vendor_id=r.vendor_id, account_id=r.account_id, payee_name=r.payee_name,
            currency=r.currency, amount_minor=r.amount_minor, kind=PaymentKind(r.kind), sec_code=RailSec(r.sec_code),
            status=PaymentStatus(r.status), effective_date=_date(r.effective_date), created_at=_parse_ts(r.created_at),
            trace_number=r.trace_number, submission_id=r.submission_id, status_reason=r.status_reason,
            items=tuple(items.get(r.id, ())), same_day=bool(r.same_day), credits=credits.get(r.id, ())) for r in rows]

    def get_payment(self, payment_id: str) -> PaymentRecord | None:
        found = self._payments(self._c.execute(select(payments).where(payments.c.id == payment_id)))
        return found[0] if found else None

    def get_payments(self, payment_ids: Iterable[str]) -> dict[str, PaymentRecord]:
        ids = sorted(set(payment_ids))
        return {p.id: p for start in range(0, len(ids), 500) for p in self._payments(self._c.execute(
            select(payments).where(payments.c.id.in_(ids[start:start + 500]))))}

    def list_payments(self, *, run_id: str | None = None, status: PaymentStatus | None = None,
                      vendor_id: str | None = None, after: str | None = None, limit: int = 50) -> list[PaymentRecord]:
        query = select(payments).order_by(payments.c.id.desc()).limit(limit)
        if run_id:
            query = query.where(payments.c.run_id == run_id)
        if status is not None:
            query = query.where(payments.c.status == status.value)
        if vendor_id:
            query = query.where(payments.c.vendor_id == vendor_id)
        if after:
            query = query.where(payments.c.id < after)
        return self._payments(self._c.execute(query))

    def payments_of_run(self, run_id: str) -> list[PaymentRecord]:
        return self._payments(self._c.execute(select(payments).where(payments.c.run_id == run_id)
                                              .order_by(payments.c.id)))

    def items_of(self, payment_id: str) -> list[PaymentItemRecord]:
        found = self.get_payment(payment_id)
        return list(found.items) if found else []

    def transition_payments(self, payment_ids: Sequence[str], step: PaymentStep, *, reason: str | None = None,
                            at: dt.datetime, expected: PaymentStatus | None = None) -> int:
        ids = list(payment_ids)
        move = guarded(PAYMENT_TRANSITIONS, step, "payment", ids[0] if len(ids) == 1 else f"{len(ids)} payments",
                       expected)
        target, moved = move.target, 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            values: dict[str, object] = {"status": target.value, "updated_at": _ts(at)}
            if reason is not None:
                values["status_reason"] = reason[:200]
            if target not in LIVE_PAYMENT_STATUSES:
                values["live_prenote_account_id"] = None
            result = self._c.execute(update(payments).where(payments.c.id.in_(chunk),
                                                            payments.c.status.in_(_values(move.sources)))
                                     .values(**values).returning(payments.c.id))
            done = [r[0] for r in result]
            moved += len(done)
            if done and target not in LIVE_PAYMENT_STATUSES:
                give_back(self._c, done)  # the credits it took are open again, exactly as much as it took
                # Same transaction as the status change: the invoices become payable again together with it.
                self._c.execute(update(payment_items).where(payment_items.c.payment_id.in_(done))
                                .values(live_invoice_id=None))
        from adapters.metrics import count_on_commit  # late: `disburse serve` picks the metrics' storage first

        count_on_commit(self._c, target.value, moved)
        return moved

    def redate(self, run_id: str, moved: Sequence[tuple[str, dt.date, bool]], *, to: dt.date, detail: dict,
               at: dt.datetime) -> int:
        count = 0
        for payment_id, was, same_day in moved:
            result = self._c.execute(update(payments).where(
                payments.c.id == payment_id, payments.c.run_id == run_id,
                payments.c.status == PaymentStatus.SCHEDULED.value, payments.c.effective_date == was.isoformat(),
                payments.c.same_day == same_day)
                .values(effective_date=to.isoformat(), same_day=False, updated_at=_ts(at)))
            count += result.rowcount
        # The run's own date is the one its batch falls back to; it no longer asks for same-day settlement.
        run = self._c.execute(update(payment_runs).where(
            payment_runs.c.id == run_id, payment_runs.c.status == RunStatus.RELEASED.value,
            payment_runs.c.redated.is_(None))
            .values(effective_date=to.isoformat(), same_day=False, redated=json.dumps(detail, sort_keys=True),
                    updated_at=_ts(at)))
        return count if run.rowcount == 1 else 0

    def assign_submission(self, run_id: str, submission_id: str, traces: dict[str, str | None], at: dt.datetime) -> int:
        move, moved = PAYMENT_TRANSITIONS[PaymentStep.CLAIM], 0
        for payment_id, trace in sorted(traces.items()):
            result = self._c.execute(update(payments).where(
                payments.c.id == payment_id, payments.c.run_id == run_id,
                payments.c.status.in_(_values(move.sources)))
                .values(status=move.target.value, submission_id=submission_id,
                        trace_number=trace, updated_at=_ts(at)))
            moved += result.rowcount
        return moved

    # -- submissions and outbox ------------------------------------------------------------------------
    @staticmethod
    def _submission(r) -> SubmissionRecord:  # noqa: ANN001
        return SubmissionRecord(r.id, r.run_id, r.rail, SubmissionState(r.state), _parse_ts(r.created_at),
                                r.attempts, r.reference, r.detail)

    def add_submission(self, s: SubmissionRecord) -> None:
        now = _ts(s.created_at)
        self._c.execute(insert(payment_submissions).values(
            id=s.id, run_id=s.run_id, rail=s.rail, state=s.state.value, reference=s.reference, attempts=s.attempts,
            detail=s.detail, created_at=now, updated_at=now))

    def get_submission(self, submission_id: str) -> SubmissionRecord | None:
        row = self._c.execute(select(payment_submissions).where(payment_submissions.c.id == submission_id)).first()
        return self._submission(row) if row else None

    def open_submissions(self, limit: int = 50) -> list[SubmissionRecord]:
        rows = self._c.execute(select(payment_submissions).where(payment_submissions.c.state.in_(
            [SubmissionState.PENDING.value, SubmissionState.UNKNOWN.value])).order_by(payment_submissions.c.id)
            .limit(limit))
        return [self._submission(r) for r in rows]

    def lease_submission(self, submission_id: str, holder: str, now: dt.datetime, lease_s: int) -> bool:
        t = payment_submissions.c
        current = self._c.execute(select(t.lease_holder).where(t.id == submission_id)).scalar()
        free = or_(t.lease_until.is_(None), t.lease_until < _ts(now), t.lease_holder == holder)
        if current and current != holder and _holder_is_dead(current):
            # A process on this host that died holding the lease (SIGKILL, OOM) frees it at once.
            free = or_(free, t.lease_holder == current)
        result = self._c.execute(update(payment_submissions).where(
            t.id == submission_id, t.state.in_([SubmissionState.PENDING.value, SubmissionState.UNKNOWN.value]), free)
            .values(lease_holder=holder, lease_until=_ts(now + dt.timedelta(seconds=lease_s))))
        return result.rowcount == 1

    def transition_submission(self, submission_id: str, expected: Sequence[SubmissionState], target: SubmissionState,
                              *, at: dt.datetime, reference: str | None = None, detail: str | None = None,
                              attempted: bool = False, holder: str | None = None) -> bool:
        t = payment_submissions.c
        values: dict[str, object] = {"state": target.value, "updated_at": _ts(at)}
        if reference is not None:
            values["reference"] = reference
        if detail is not None:
            values["detail"] = detail[:2000]
        if attempted:
            values["attempts"] = t.attempts + 1
        if target not in (SubmissionState.PENDING, SubmissionState.UNKNOWN) or holder is not None:
            values["lease_holder"] = None
            values["lease_until"] = None
        guard = [t.id == submission_id, t.state.in_([s.value for s in expected])]
        if holder is not None:
            guard.append(t.lease_holder == holder)
        result = self._c.execute(update(payment_submissions).where(and_(*guard)).values(**values))
        return result.rowcount == 1

    def add_outbox(self, topic: str, key: str, payload: dict, at: dt.datetime) -> bool:
        try:
            with self._c.begin_nested():
                self._c.execute(insert(payment_outbox).values(topic=topic, key=key, payload=json.dumps(payload,
                                                              sort_keys=True), created_at=_ts(at)))
        except IntegrityError:
            return False
        return True

    def outbox(self, topic: str | None = None, *, pending_only: bool = False, limit: int = 500) -> list[dict]:
        query = select(payment_outbox).order_by(payment_outbox.c.id).limit(limit)
        if topic:
            query = query.where(payment_outbox.c.topic == topic)
        if pending_only:
            query = query.where(payment_outbox.c.processed_at.is_(None))
        return [dict(r._mapping, payload=json.loads(r.payload)) for r in self._c.execute(query)]

    def mark_outbox_processed(self, key: str, at: dt.datetime) -> bool:
        result = self._c.execute(update(payment_outbox).where(payment_outbox.c.key == key,
                                                              payment_outbox.c.processed_at.is_(None))
                                 .values(processed_at=_ts(at)))
        return result.rowcount == 1
