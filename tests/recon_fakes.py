"""An in-memory fake of reconciliation's repository (``ReconRepository`` in ``payments/reconciliation/recon_ports.py``),
following the SQL adapter's rules: one import per digest, one settlement per payment, exceptions deduplicated by
key, guarded exception updates. Records are frozen, so a unit of work's copy needs only new containers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from payments.errors import Conflict
from tests.fakes import InMemoryJournalStore
from tests.kernel_fakes import InMemoryAuditIndex
from payments.reconciliation.recon_ports import ReconRepository
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus, RecordedReturn
from payments.reconciliation.recon_rows import (ChangeRecord, ExceptionRecord, ImportedFileRecord, LineState,
                                                MatchRecord, ReturnRecord, StatementRecord, StoredLine)

R = TypeVar("R")


class InMemoryReconRepository:
    def __init__(self) -> None:
        self.files: dict[str, ImportedFileRecord] = {}
        self.statements: list[StatementRecord] = []
        self.lines: dict[str, StoredLine] = {}
        self.matches: list[MatchRecord] = []
        self.returns: dict[str, ReturnRecord] = {}
        self.changes: dict[str, ChangeRecord] = {}
        self.exceptions: dict[str, ExceptionRecord] = {}

    # -- files and statements ----------------------------------------------------------------------------
    def file_by_digest(self, digest: str) -> ImportedFileRecord | None:
        return next((f for f in self.files.values() if f.digest == digest), None)

    def add_file(self, record: ImportedFileRecord) -> bool:
        if self.file_by_digest(record.digest) is not None:
            return False
        self.files[record.id] = record
        return True

    def get_file(self, file_id: str) -> ImportedFileRecord | None:
        return self.files.get(file_id)

    def set_file_summary(self, file_id: str, summary: dict[str, Any]) -> None:
        self.files[file_id] = replace(self.files[file_id], summary=dict(summary))

    def add_statements(self, rows: Sequence[StatementRecord]) -> None:
        self.statements.extend(rows)

    def latest_statements(self, on_or_before: date) -> list[StatementRecord]:
        latest: dict[str, StatementRecord] = {}
        for s in sorted((s for s in self.statements if s.statement_date is not None and not s.interim
                         and s.statement_date <= on_or_before and s.closing_balance_minor is not None),
                        key=lambda s: (s.account_id, s.statement_date, s.id)):
            latest[s.account_id] = s
        return list(latest.values())

    # -- lines -------------------------------------------------------------------------------------------
    def existing_identities(self, identities: Iterable[bytes], *, accounts: Iterable[str] = (),
                            first: date | None = None, last: date | None = None) -> set[bytes]:
        return {line.identity for line in self.lines.values()} & set(identities)

    def add_lines(self, lines: Sequence[StoredLine], states: dict[str, str] | None = None) -> None:
        for line in lines:
            if line.line_id in self.lines:
                raise Conflict(f"statement line {line.line_id} exists", code="line_exists")
            self.lines[line.line_id] = line._replace(state=(states or {}).get(line.line_id, line.state))

    def open_lines(self) -> list[StoredLine]:
        return [line for k, line in sorted(self.lines.items()) if line.state in LineState.OPEN]

    def get_line(self, line_id: str) -> StoredLine | None:
        return self.lines.get(line_id)

    def set_line_states(self, states: dict[str, str]) -> None:
        for line_id, state in states.items():
            if line_id in self.lines:
                self.lines[line_id] = self.lines[line_id]._replace(state=state)

    def lines_between(self, start: date, end: date) -> list[StoredLine]:
        return sorted((x for x in self.lines.values() if start <= x.booking_date <= end),
                      key=lambda x: (x.booking_date, x.line_id))

    # -- matches -----------------------------------------------------------------------------------------
    def add_matches(self, rows: Sequence[MatchRecord]) -> None:
        taken = {(m.payment_id, m.role) for m in self.matches}
        for m in rows:
            if (m.payment_id, m.role) in taken:  # the SQL table's UNIQUE (payment_id, role)
                raise Conflict(f"payment {m.payment_id} already has a {m.role} match", code="already_matched")
            taken.add((m.payment_id, m.role))
        self.matches.extend(rows)

    def settled_payment_ids(self, payment_ids: Iterable[str]) -> set[str]:
        return set(self.settlement_dates(payment_ids))

    def settlement_dates(self, payment_ids: Iterable[str]) -> dict[str, date]:
        wanted = set(payment_ids)
        return {m.payment_id: m.booking_date for m in self.matches
                if m.role == "settlement" and m.payment_id in wanted}

    def matches_between(self, start: date, end: date) -> list[MatchRecord]:
        return [m for m in self.matches if start <= m.booking_date <= end]

    # -- returns and notices of change -------------------------------------------------------------------
    def recorded_returns(self, payment_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(payment_ids)
        return {r.payment_id: r.return_trace for r in self.returns.values()
                if r.payment_id in wanted and r.payment_id is not None and r.state == "posted"}

    def existing_return_keys(self, traces: Iterable[str]) -> set[tuple[str, str, str]]:
        wanted = set(traces)
        return {(r.original_trace, r.return_trace, r.reason_code) for r in self.returns.values()
                if r.original_trace in wanted}

    def returns_awaiting_credit(self) -> list[RecordedReturn]:
        return [RecordedReturn(r.id, r.payment_id, r.amount_minor, r.currency, r.received_on, r.original_trace,
                               keys=(r.return_trace,), settled_before=r.settled_before)
                for r in self.returns.values()
                if r.state == "posted" and r.credit_line_id is None and r.payment_id is not None]

    def add_returns(self, rows: Sequence[ReturnRecord]) -> None:
        self.returns.update((r.id, r) for r in rows)

    def set_return_credit(self, credits: dict[str, str]) -> None:
        for return_id, line_id in credits.items():
            self.returns[return_id] = replace(self.returns[return_id], credit_line_id=line_id)

    def returns_between(self, start: date, end: date) -> list[ReturnRecord]:
        return sorted((r for r in self.returns.values() if start <= r.received_on <= end),
                      key=lambda r: (r.received_on, r.id))

    def pending_bank_actions(self) -> list[ReturnRecord]:
        return [r for k, r in sorted(self.returns.items()) if r.bank_action == "pending"]

    def set_bank_action(self, return_id: str, state: str, detail: str | None) -> None:
        self.returns[return_id] = replace(self.returns[return_id], bank_action=state,
                                          bank_action_detail=(detail or "")[:500] or None)

    def recorded_changes(self, traces: Iterable[str]) -> set[tuple[str, str]]:
        wanted = set(traces)
        return {(c.original_trace, c.change_code) for c in self.changes.values() if c.original_trace in wanted}

    def add_changes(self, rows: Sequence[ChangeRecord]) -> None:
        self.changes.update((c.id, c) for c in rows)

    def set_change_state(self, record_id: str, state: str, *, change_id: str | None, detail: str | None) -> None:
        self.changes[record_id] = replace(self.changes[record_id], state=state, change_id=change_id,
                                          detail=(detail or "")[:500] or None)

    def changes_between(self, start: date, end: date) -> list[ChangeRecord]:
        return [c for k, c in sorted(self.changes.items()) if start <= c.received_on <= end]

    # -- the exceptions queue ----------------------------------------------------------------------------
    def add_exceptions(self, rows: Sequence[ExceptionRecord]) -> int:
        known = {e.dedup_key for e in self.exceptions.values()}
        fresh = {r.dedup_key: r for r in rows if r.dedup_key not in known}
        self.exceptions.update((r.id, r) for r in fresh.values())
        return len(fresh)

    def get_exception(self, exception_id: str, *, for_update: bool = False) -> ExceptionRecord | None:
        return self.exceptions.get(exception_id)

    def list_exceptions(self, *, status: ExceptionStatus | None = None, kind: ExceptionKind | None = None,
                        after: str | None = None, limit: int = 100) -> list[ExceptionRecord]:
        return [e for k, e in sorted(self.exceptions.items())
                if (status is None or e.status is status) and (kind is None or e.kind is kind)
                and (not after or k > after)][:limit]

    def count_open_exceptions(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.exceptions.values():
            if e.status is ExceptionStatus.OPEN:
                counts[e.kind.value] = counts.get(e.kind.value, 0) + 1
        return counts

    def open_exceptions_for_lines(self, line_ids: Iterable[str]) -> list[ExceptionRecord]:
        wanted = set(line_ids)
        return [e for e in self.exceptions.values() if e.line_id in wanted and e.status is ExceptionStatus.OPEN]

    def open_exceptions_by_keys(self, keys: Iterable[str]) -> list[ExceptionRecord]:
        wanted = set(keys)
        return [e for e in self.exceptions.values() if e.dedup_key in wanted and e.status is ExceptionStatus.OPEN]

    def update_exception(self, before: ExceptionRecord, after: ExceptionRecord) -> ExceptionRecord:
        current = self.exceptions.get(before.id)
        if current is None or current.version != before.version:
            raise Conflict(f"reconciliation exception {before.id} was changed by someone else; reload and try again",
                           code="stale_state")
        self.exceptions[before.id] = written = replace(after, version=before.version + 1)
        return written


class ReconKernelUnitOfWork:
    """The part of ``ReconUnitOfWork`` the exceptions queue uses (the two journals, the audit index and ``recon``),
    over a copy of the committed state that ``commit`` swaps in; without commit nothing is kept. The payments'
    repositories of the full port are not faked here (tests/payment_fakes.py has the run's)."""

    def __init__(self, db: InMemoryReconDatabase) -> None:
        self._db = db
        self.ledger, self.audit = copy_repo(db.ledger), copy_repo(db.audit)
        self.audit_index, self.recon = copy_repo(db.audit_index), copy_repo(db.recon)

    def __enter__(self) -> ReconKernelUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        db = self._db
        db.ledger, db.audit = copy_repo(self.ledger), copy_repo(self.audit)
        db.audit_index, db.recon = copy_repo(self.audit_index), copy_repo(self.recon)
        db.commits += 1


class InMemoryReconDatabase:
    def __init__(self, ledger: InMemoryJournalStore) -> None:
        self.ledger, self.audit = ledger, InMemoryJournalStore()
        self.audit_index, self.recon = InMemoryAuditIndex(), InMemoryReconRepository()
        self.commits = 0

    def __call__(self, read_only: bool = False) -> ReconKernelUnitOfWork:
        return ReconKernelUnitOfWork(self)


def copy_repo(repo: R) -> R:
    """A copy with new containers; the frozen records in them are shared."""
    clone = copy.copy(repo)
    for attr, value in vars(clone).items():
        if isinstance(value, (dict, list, set)):
            setattr(clone, attr, copy.copy(value))
    return clone


def as_recon_repository(repo: InMemoryReconRepository) -> ReconRepository:
    """mypy's proof, when it checks this file, that the fake is the port."""
    return repo
