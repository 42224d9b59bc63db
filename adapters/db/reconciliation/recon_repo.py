"""SQL repository for reconciliation (``payments.reconciliation.recon_ports.ReconRepository``) on the unit of work's connection.

Bulk paths (lines, matches) go through ``bulk_insert`` (executemany on SQLite, COPY on PostgreSQL); look-ups by
many keys go in chunks of ``_CHUNK`` bound parameters so that SQLite's variable limit and PostgreSQL's plan cache
are both respected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import overload

from sqlalchemy import and_, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from adapters.db.bulk import bulk_insert
from adapters.db.chunks import chunks
from adapters.db.reconciliation.recon_tables import (recon_changes, recon_exceptions, recon_files, recon_lines, recon_matches,
                                      recon_returns, recon_statements)
from payments.errors import StaleState
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus, RecordedReturn
from payments.reconciliation.recon_rows import (ChangeRecord, ExceptionRecord, ImportedFileRecord, MatchRecord,
                                 ReturnRecord, StatementRecord, StoredLine)

_CHUNK = 900
_BATCH = 5000


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@overload
def _t(value: None) -> None: ...
@overload
def _t(value: str) -> datetime: ...
def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class SqlReconRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # -- files and statements --------------------------------------------------------------------------
    def file_by_digest(self, digest: str) -> ImportedFileRecord | None:
        row = self._c.execute(select(recon_files).where(recon_files.c.digest == digest)).first()
        return self._file(row) if row else None

    def get_file(self, file_id: str) -> ImportedFileRecord | None:
        row = self._c.execute(select(recon_files).where(recon_files.c.id == file_id)).first()
        return self._file(row) if row else None

    @staticmethod
    def _file(row) -> ImportedFileRecord:  # noqa: ANN001
        return ImportedFileRecord(row.id, row.digest, row.format, _t(row.imported_at), row.imported_by,
                                  json.loads(row.summary), row.name, row.message_id)

    def add_file(self, record: ImportedFileRecord) -> bool:
        values = dict(id=record.id, digest=record.digest, format=record.format, name=record.name,
                      message_id=record.message_id, imported_at=_iso(record.imported_at),
                      imported_by=record.imported_by, summary=json.dumps(record.summary, default=str))
        try:
            with self._c.begin_nested():
                self._c.execute(insert(recon_files).values(**values))
        except IntegrityError:
            return False  # the same digest was imported concurrently: the UNIQUE constraint decided
        return True

    def set_file_summary(self, file_id: str, summary: dict) -> None:
        self._c.execute(update(recon_files).where(recon_files.c.id == file_id)
                        .values(summary=json.dumps(summary, default=str)))

    def add_statements(self, rows: Sequence[StatementRecord]) -> None:
        if rows:
            self._c.execute(insert(recon_statements), [dict(
                id=s.id, file_id=s.file_id, account_id=s.account_id, currency=s.currency,
                statement_date=_iso(s.statement_date), opening_balance_minor=s.opening_balance_minor,
                closing_balance_minor=s.closing_balance_minor, statement_ref=s.statement_ref, interim=s.interim)
                for s in rows])

    def latest_statements(self, on_or_before: date) -> list[StatementRecord]:
        rows = self._c.execute(select(recon_statements).where(
            recon_statements.c.statement_date <= on_or_before.isoformat(), recon_statements.c.interim.is_(False),
            recon_statements.c.closing_balance_minor.is_not(None))
            .order_by(recon_statements.c.account_id, recon_statements.c.statement_date, recon_statements.c.id))
        latest: dict[str, StatementRecord] = {}
        for r in rows:
            latest[r.account_id] = StatementRecord(r.id, r.file_id, r.account_id, r.currency, _d(r.statement_date),
                                                   r.opening_balance_minor, r.closing_balance_minor,
                                                   r.statement_ref, r.interim)
        return list(latest.values())

    # -- lines ------------------------------------------------------------------------------------------
    def existing_identities(self, identities: Iterable[bytes], *, accounts: Iterable[str] = (),
                            first: date | None = None, last: date | None = None) -> set[bytes]:
        if accounts and first and last:
            # What is already stored for these accounts and days, read by the (account, date) index: nothing for
            # a new day, and no million-key IN lists for a large statement.
            query = select(recon_lines.c.identity).where(recon_lines.c.account_id.in_(sorted(set(accounts))),
                                                         recon_lines.c.booking_date >= first.isoformat(),
                                                         recon_lines.c.booking_date <= last.isoformat())
            stored = {bytes(r[0]) for r in self._c.execute(query)}
            # A duplicate's identity adds its occurrence number, so a re-sent file finds its duplicates too.
            return stored.intersection(identities) if stored else set()
        wanted = set(identities)
        found: set[bytes] = set()
        for chunk in chunks(sorted(wanted), _CHUNK):
            found.update(bytes(r[0]) for r in self._c.execute(
                select(recon_lines.c.identity).where(recon_lines.c.identity.in_(chunk))))
        return found

    def add_lines(self, lines: Sequence[StoredLine], states: dict[str, str] | None = None) -> None:
        states = states or {}
        day: dict[date, str] = {}  # a statement has a few booking dates, spelled once each
        # Unpacked by position (StoredLine's field order): one unpacking instead of twenty attribute reads a line.
        bulk_insert(self._c, recon_lines, ((
            line_id, identity, file_id, statement_id, line_ref[:60], account_id,
            day.get(booked) or day.setdefault(booked, booked.isoformat()),
            direction, amount, currency, kind, type_code, bank_reference, customer_reference,
            " ".join(references), " ".join(end_to_end_ids), (text or "")[:500] or None, is_return,
            return_reason, states.get(line_id, state))
            for (line_id, account_id, direction, amount, currency, booked, references, end_to_end_ids, is_return,
                 return_reason, kind, identity, file_id, statement_id, line_ref, type_code, bank_reference,
                 customer_reference, text, state) in lines), len(lines))

    def _lines(self, query) -> list[StoredLine]:  # noqa: ANN001
        return [StoredLine(
            r.id, r.account_id, r.direction, r.amount_minor, r.currency, date.fromisoformat(r.booking_date),
            tuple(r.refs.split()), tuple(r.end_to_end_ids.split()), bool(r.is_return), r.return_reason, r.kind,
            identity=r.identity, file_id=r.file_id, statement_id=r.statement_id, line_ref=r.line_ref,
            type_code=r.type_code, bank_reference=r.bank_reference, customer_reference=r.customer_reference,
            text=r.text, state=r.state) for r in self._c.execute(query)]

    def open_lines(self) -> list[StoredLine]:
        # Spelled as literal text so that SQLite sees the partial index's own condition and uses it.
        return self._lines(select(recon_lines).where(text("recon_lines.state IN ('excepted', 'unmatched')"))
                           .order_by(recon_lines.c.id))

    def get_line(self, line_id: str) -> StoredLine | None:
        found = self._lines(select(recon_lines).where(recon_lines.c.id == line_id))
        return found[0] if found else None

    def lines_between(self, start: date, end: date) -> list[StoredLine]:
        return self._lines(select(recon_lines).where(
            recon_lines.c.booking_date >= start.isoformat(), recon_lines.c.booking_date <= end.isoformat())
            .order_by(recon_lines.c.booking_date, recon_lines.c.id))

    def set_line_states(self, states: dict[str, str]) -> None:
        by_state: dict[str, list[str]] = {}
        for line_id, state in states.items():
            by_state.setdefault(state, []).append(line_id)
        for state, ids in by_state.items():
            for chunk in chunks(ids, _CHUNK):
                self._c.execute(update(recon_lines).where(recon_lines.c.id.in_(chunk)).values(state=state))

    # -- matches ---------------------------------------------------------------------------------------
    def add_matches(self, rows: Sequence[MatchRecord]) -> None:
        at: dict[datetime, str | None] = {}
        day: dict[date, str] = {}
        # Unpacked by position (MatchRecord's field order), as the lines are.
        bulk_insert(self._c, recon_matches, ((
            line_id, payment_id, role, method, confidence, amount, currency,
            day.get(booked) or day.setdefault(booked, booked.isoformat()), posted, entry_id,
            at.get(matched_at) or at.setdefault(matched_at, _iso(matched_at)), matched_by, reason)
            for (line_id, payment_id, role, method, confidence, amount, currency, booked, posted, matched_at,
                 matched_by, entry_id, reason) in rows), len(rows))

    def settled_payment_ids(self, payment_ids: Iterable[str]) -> set[str]:
        ids = list(payment_ids)
        found: set[str] = set()
        for chunk in chunks(ids, _CHUNK):
            found.update(r[0] for r in self._c.execute(select(recon_matches.c.payment_id).where(
                recon_matches.c.payment_id.in_(chunk), recon_matches.c.role == "settlement")))
        return found

    def settlement_dates(self, payment_ids: Iterable[str]) -> dict[str, date]:
        ids = list(payment_ids)
        out: dict[str, date] = {}
        for chunk in chunks(ids, _CHUNK):
            for pid, booked in self._c.execute(select(recon_matches.c.payment_id, recon_matches.c.booking_date).where(
                    recon_matches.c.payment_id.in_(chunk), recon_matches.c.role == "settlement")):
                out[pid] = date.fromisoformat(booked)
        return out

    def matches_between(self, start: date, end: date) -> list[MatchRecord]:
        rows = self._c.execute(select(recon_matches).where(
            recon_matches.c.booking_date >= start.isoformat(), recon_matches.c.booking_date <= end.isoformat())
            .order_by(recon_matches.c.id))
        return [MatchRecord(r.line_id, r.payment_id, r.role, r.method, r.confidence_pct, r.amount_minor, r.currency,
                            date.fromisoformat(r.booking_date), bool(r.posted), _t(r.matched_at), r.matched_by,
                            r.entry_id, r.reason) for r in rows]

    # -- returns and NOCs -------------------------------------------------------------------------------
    def recorded_returns(self, payment_ids: Iterable[str]) -> dict[str, str]:
        ids = list(payment_ids)
        out: dict[str, str] = {}
        for chunk in chunks(ids, _CHUNK):
            for r in self._c.execute(select(recon_returns.c.payment_id, recon_returns.c.return_trace).where(
                    recon_returns.c.payment_id.in_(chunk), recon_returns.c.state == "posted")):
                out[r.payment_id] = r.return_trace
        return out

    def existing_return_keys(self, traces: Iterable[str]) -> set[tuple[str, str, str]]:
        wanted = list(traces)
        out: set[tuple[str, str, str]] = set()
        for chunk in chunks(wanted, _CHUNK):
            out.update((r[0], r[1], r[2]) for r in self._c.execute(select(
                recon_returns.c.original_trace, recon_returns.c.return_trace, recon_returns.c.reason_code).where(
                recon_returns.c.original_trace.in_(chunk))))
        return out

    def returns_awaiting_credit(self) -> list[RecordedReturn]:
        rows = self._c.execute(select(recon_returns).where(
            recon_returns.c.state == "posted", recon_returns.c.credit_line_id.is_(None)))
        return [RecordedReturn(r.id, r.payment_id, r.amount_minor, r.currency, date.fromisoformat(r.received_on),
                               r.original_trace, keys=(r.return_trace,), settled_before=bool(r.settled_before))
                for r in rows]

    def add_returns(self, rows: Sequence[ReturnRecord]) -> None:
        if rows:
            self._c.execute(insert(recon_returns), [self._return_row(r) for r in rows])

    @staticmethod
    def _return_row(r: ReturnRecord) -> dict:
        return dict(id=r.id, file_id=r.file_id, payment_id=r.payment_id, original_trace=r.original_trace,
                    return_trace=r.return_trace, reason_code=r.reason_code, reason=r.reason[:200],
                    vendor_reason=r.vendor_reason[:500], amount_minor=r.amount_minor, currency=r.currency,
                    received_on=r.received_on.isoformat(), date_of_death=_iso(r.date_of_death),
                    account_level=r.account_level, settled_before=r.settled_before, state=r.state,
                    entry_id=r.entry_id, credit_line_id=r.credit_line_id, bank_action=r.bank_action,
                    bank_action_detail=r.bank_action_detail, location=r.location)

    def set_return_credit(self, credits: dict[str, str]) -> None:
        for return_id, line_id in credits.items():
            self._c.execute(update(recon_returns).where(recon_returns.c.id == return_id)
                            .values(credit_line_id=line_id))

    def _returns(self, query) -> list[ReturnRecord]:  # noqa: ANN001
        return [ReturnRecord(
            r.id, r.file_id, r.payment_id, r.original_trace, r.return_trace, r.reason_code, r.reason, r.vendor_reason,
            r.amount_minor, r.currency, date.fromisoformat(r.received_on), bool(r.account_level),
            bool(r.settled_before), r.state, r.location, _d(r.date_of_death), r.entry_id, r.credit_line_id,
            r.bank_action, r.bank_action_detail) for r in self._c.execute(query)]

    def returns_between(self, start: date, end: date) -> list[ReturnRecord]:
        return self._returns(select(recon_returns).where(
            recon_returns.c.received_on >= start.isoformat(), recon_returns.c.received_on <= end.isoformat())
            .order_by(recon_returns.c.received_on, recon_returns.c.id))

    def pending_bank_actions(self) -> list[ReturnRecord]:
        return self._returns(select(recon_returns).where(recon_returns.c.bank_action == "pending")
                             .order_by(recon_returns.c.id))

    def set_bank_action(self, return_id: str, state: str, detail: str | None) -> None:
        self._c.execute(update(recon_returns).where(recon_returns.c.id == return_id)
                        .values(bank_action=state, bank_action_detail=(detail or "")[:500] or None))

    def recorded_changes(self, traces: Iterable[str]) -> set[tuple[str, str]]:
        wanted = list(traces)
        out: set[tuple[str, str]] = set()
        for chunk in chunks(wanted, _CHUNK):
            out.update((r[0], r[1]) for r in self._c.execute(select(
                recon_changes.c.original_trace, recon_changes.c.change_code).where(
                recon_changes.c.original_trace.in_(chunk))))
        return out

    def add_changes(self, rows: Sequence[ChangeRecord]) -> None:
        if rows:
            self._c.execute(insert(recon_changes), [dict(
                id=c.id, file_id=c.file_id, payment_id=c.payment_id, vendor_id=c.vendor_id,
                original_trace=c.original_trace, notice_trace=c.notice_trace, change_code=c.change_code,
                reason=c.reason[:200], corrected=json.dumps(c.corrected), received_on=c.received_on.isoformat(),
                state=c.state, change_id=c.change_id, detail=c.detail, location=c.location) for c in rows])

    def set_change_state(self, record_id: str, state: str, *, change_id: str | None, detail: str | None) -> None:
        self._c.execute(update(recon_changes).where(recon_changes.c.id == record_id)
                        .values(state=state, change_id=change_id, detail=(detail or "")[:500] or None))

    def changes_between(self, start: date, end: date) -> list[ChangeRecord]:
        rows = self._c.execute(select(recon_changes).where(
            recon_changes.c.received_on >= start.isoformat(), recon_changes.c.received_on <= end.isoformat())
            .order_by(recon_changes.c.id))
        return [ChangeRecord(r.id, r.file_id, r.payment_id, r.vendor_id, r.original_trace, r.notice_trace,
                             r.change_code, r.reason, json.loads(r.corrected), date.fromisoformat(r.received_on),
                             r.state, r.location, r.change_id, r.detail) for r in rows]

    # -- exceptions ------------------------------------------------------------------------------------
    def add_exceptions(self, rows: Sequence[ExceptionRecord]) -> int:
        if not rows:
            return 0
        existing: set[str] = set()
        keys = [r.dedup_key for r in rows]
        for chunk in chunks(keys, _CHUNK):
            existing.update(r[0] for r in self._c.execute(select(recon_exceptions.c.dedup_key).where(
                recon_exceptions.c.dedup_key.in_(chunk))))
        fresh = {r.dedup_key: r for r in rows if r.dedup_key not in existing}
        for batch in chunks(list(fresh.values()), _BATCH):
            self._c.execute(insert(recon_exceptions), [self._exception_row(r) for r in batch])
        return len(fresh)

    @staticmethod
    def _exception_row(r: ExceptionRecord) -> dict:
        return dict(id=r.id, dedup_key=r.dedup_key, kind=r.kind.value, status=r.status.value, line_id=r.line_id,
                    payment_ids=" ".join(r.payment_ids), candidates=" ".join(r.candidates), notice_ref=r.notice_ref,
                    amount_minor=r.amount_minor, currency=r.currency, detail=r.detail[:1000],
                    opened_at=_iso(r.opened_at), version=r.version, resolved_at=_iso(r.resolved_at),
                    resolved_by=r.resolved_by, resolution=r.resolution, reason=r.reason,
                    write_off_requested_by=r.write_off_requested_by,
                    write_off_requested_at=_iso(r.write_off_requested_at), write_off_reason=r.write_off_reason,
                    write_off_account=r.write_off_account, approved_by=r.approved_by, entry_id=r.entry_id)

    def _exceptions(self, query) -> list[ExceptionRecord]:  # noqa: ANN001
        return [ExceptionRecord(
            r.id, r.dedup_key, ExceptionKind(r.kind), ExceptionStatus(r.status), r.amount_minor, r.currency, r.detail,
            _t(r.opened_at), r.line_id, tuple(r.payment_ids.split()), tuple(r.candidates.split()), r.notice_ref,
            r.version, _t(r.resolved_at), r.resolved_by, r.resolution, r.reason, r.write_off_requested_by,
            _t(r.write_off_requested_at), r.write_off_reason, r.write_off_account, r.approved_by, r.entry_id)
            for r in self._c.execute(query)]

    def get_exception(self, exception_id: str, *, for_update: bool = False) -> ExceptionRecord | None:
        query = select(recon_exceptions).where(recon_exceptions.c.id == exception_id)
        if for_update:
            query = query.with_for_update()
        found = self._exceptions(query)
        return found[0] if found else None

    def list_exceptions(self, *, status: ExceptionStatus | None = None, kind: ExceptionKind | None = None,
                        after: str | None = None, limit: int = 100) -> list[ExceptionRecord]:
        query = select(recon_exceptions).order_by(recon_exceptions.c.id).limit(limit)
        if status is not None:
            query = query.where(recon_exceptions.c.status == status.value)
        if kind is not None:
            query = query.where(recon_exceptions.c.kind == kind.value)
        if after:
            query = query.where(recon_exceptions.c.id > after)
        return self._exceptions(query)

    def count_open_exceptions(self) -> dict[str, int]:
        rows = self._c.execute(select(recon_exceptions.c.kind, func.count()).where(
            recon_exceptions.c.status == ExceptionStatus.OPEN.value).group_by(recon_exceptions.c.kind))
        return {kind: int(n) for kind, n in rows}

    def open_exceptions_for_lines(self, line_ids: Iterable[str]) -> list[ExceptionRecord]:
        ids = list(line_ids)
        out: list[ExceptionRecord] = []
        for chunk in chunks(ids, _CHUNK):
            out.extend(self._exceptions(select(recon_exceptions).where(
                recon_exceptions.c.line_id.in_(chunk), recon_exceptions.c.status == ExceptionStatus.OPEN.value)))
        return out

    def open_exceptions_by_keys(self, keys: Iterable[str]) -> list[ExceptionRecord]:
        wanted = list(keys)
        out: list[ExceptionRecord] = []
        for chunk in chunks(wanted, _CHUNK):
            out.extend(self._exceptions(select(recon_exceptions).where(
                recon_exceptions.c.dedup_key.in_(chunk), recon_exceptions.c.status == ExceptionStatus.OPEN.value)))
        return out

    def update_exception(self, before: ExceptionRecord, after: ExceptionRecord) -> ExceptionRecord:
        row = self._exception_row(after)
        row.pop("id")
        row["version"] = before.version + 1
        result = self._c.execute(update(recon_exceptions).where(and_(
            recon_exceptions.c.id == before.id, recon_exceptions.c.version == before.version)).values(**row))
        if result.rowcount != 1:
            raise StaleState("reconciliation exception", before.id, f"version {before.version}")
        updated = self.get_exception(before.id)
        if updated is None:  # updated in this very transaction, so it is there
            raise StaleState("reconciliation exception", before.id, "gone")
        return updated
