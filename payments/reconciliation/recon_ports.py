"""The Protocols treasury reconciliation consumes.

Kept beside ``payments/ports.py`` (like ``identity_ports`` and ``payment_ports``) so each feature's ports stay
readable. ``ReconRepository`` and ``ReconPayments`` hang off the unit of work (``uow.recon``,
``uow.recon_payments``) and never commit. ``ReturnedInvoices`` also works inside the caller's unit of work.
``VendorBankAccounts`` runs its own: it is called after the import commits, and what it did is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from payments.disbursements.payment_ports import PaymentsUnitOfWork
from payments.reconciliation.bank_notices import CorrectedBankData
from payments.reconciliation.recon_records import BookPayment, ExceptionKind, ExceptionStatus, RecordedReturn
from payments.reconciliation.recon_rows import (ChangeRecord, ExceptionRecord, ImportedFileRecord, MatchRecord, ReturnRecord,
                                 StatementRecord, StoredLine)
from payments.reconciliation.recon_trace import TracePicks


class ReconRepository(Protocol):
    """Imported files, lines, matches, returns, NOCs and the exceptions queue."""

    def file_by_digest(self, digest: str) -> ImportedFileRecord | None:
        """The earlier import of the same bytes, if any."""
        ...

    def add_file(self, record: ImportedFileRecord) -> bool:
        """Insert; False when a concurrent import of the same digest got there first (nothing written)."""
        ...

    def get_file(self, file_id: str) -> ImportedFileRecord | None:
        ...

    def set_file_summary(self, file_id: str, summary: dict[str, Any]) -> None:
        ...

    def add_statements(self, rows: Sequence[StatementRecord]) -> None:
        ...

    def latest_statements(self, on_or_before: date) -> list[StatementRecord]:
        """Per account, the last end-of-day statement dated on or before the day (interim ones skipped)."""
        ...

    def existing_identities(self, identities: Iterable[bytes], *, accounts: Iterable[str] = (),
                            first: date | None = None, last: date | None = None) -> set[bytes]:
        """Those of the line identities already stored (from any earlier file). Every identity names its account
        and booking date, so callers that know the accounts and the date range pass them to narrow the search."""
        ...

    def add_lines(self, lines: Sequence[StoredLine], states: dict[str, str] | None = None) -> None:
        """Insert; ``states`` (line id -> state) overrides each line's own, so callers need not copy lines."""
        ...

    def open_lines(self) -> list[StoredLine]:
        """Lines still unmatched or in an open exception: the matcher tries them again on every run."""
        ...

    def get_line(self, line_id: str) -> StoredLine | None:
        ...

    def set_line_states(self, states: dict[str, str]) -> None:
        """line id -> new state."""
        ...

    def lines_between(self, start: date, end: date) -> list[StoredLine]:
        ...

    def add_matches(self, rows: Sequence[MatchRecord]) -> None:
        """Insert; a payment settled twice breaks UNIQUE (payment_id, role) and raises: never two settlements."""
        ...

    def settled_payment_ids(self, payment_ids: Iterable[str]) -> set[str]:
        """Those payments a statement line already settled."""
        ...

    def settlement_dates(self, payment_ids: Iterable[str]) -> dict[str, date]:
        """payment id -> booking date of the statement line that showed it leave."""
        ...

    def matches_between(self, start: date, end: date) -> list[MatchRecord]:
        ...

    def recorded_returns(self, payment_ids: Iterable[str]) -> dict[str, str]:
        """payment id -> return trace of the return already posted for it."""
        ...

    def existing_return_keys(self, traces: Iterable[str]) -> set[tuple[str, str, str]]:
        """(original trace, return trace, reason code) of returns already recorded, posted or not."""
        ...

    def returns_awaiting_credit(self) -> list[RecordedReturn]:
        """Posted returns whose money has not yet been seen coming back on a statement."""
        ...

    def add_returns(self, rows: Sequence[ReturnRecord]) -> None:
        ...

    def set_return_credit(self, credits: dict[str, str]) -> None:
        """return id -> statement line id of its credit."""
        ...

    def returns_between(self, start: date, end: date) -> list[ReturnRecord]:
        ...

    def pending_bank_actions(self) -> list[ReturnRecord]:
        ...

    def set_bank_action(self, return_id: str, state: str, detail: str | None) -> None:
        ...

    def recorded_changes(self, traces: Iterable[str]) -> set[tuple[str, str]]:
        """(original trace, change code) pairs already recorded."""
        ...

    def add_changes(self, rows: Sequence[ChangeRecord]) -> None:
        ...

    def set_change_state(self, record_id: str, state: str, *, change_id: str | None, detail: str | None) -> None:
        ...

    def add_exceptions(self, rows: Sequence[ExceptionRecord]) -> int:
        """Insert those whose dedup key is new; return how many were."""
        ...

    def get_exception(self, exception_id: str, *, for_update: bool = False) -> ExceptionRecord | None:
        ...

    def list_exceptions(self, *, status: ExceptionStatus | None = None, kind: ExceptionKind | None = None,
                        after: str | None = None, limit: int = 100) -> list[ExceptionRecord]:
        ...

    def count_open_exceptions(self) -> dict[str, int]:
        """Open exceptions per kind."""
        ...

    def changes_between(self, start: date, end: date) -> list[ChangeRecord]:
        ...

    def open_exceptions_for_lines(self, line_ids: Iterable[str]) -> list[ExceptionRecord]:
        ...

    def open_exceptions_by_keys(self, keys: Iterable[str]) -> list[ExceptionRecord]:
        """Open exceptions whose dedup key is one of ``keys``."""
        ...

    def update_exception(self, before: ExceptionRecord, after: ExceptionRecord) -> ExceptionRecord:
        """Write ``after`` if the row is still at ``before.version``; raise ``stale_state`` otherwise."""
        ...


class ReconPayments(Protocol):
    """Our disbursements as reconciliation needs them (the payments module's tables)."""

    def open_for_matching(self, *, since: date) -> list[BookPayment]:
        """Payments whose settlement no statement has shown yet: sent, returned before settling, or settled by
        another path, effective on or after ``since``."""
        ...

    def by_keys(self, keys: set[str], *, prenotes: bool = False) -> dict[str, BookPayment]:
        """Payments of any status whose id or trace number is one of ``keys``, keyed by each matching key; with
        ``prenotes``, zero-dollar prenotes too (a notification of change may answer one)."""
        ...

    def unsettled_sent(self, *, sent_before: date) -> list[BookPayment]:
        """Payments still ``sent`` (no statement seen) with an effective date before the day."""
        ...

    def settle(self, payment_ids: Sequence[str], at: datetime) -> int:
        """Guarded ``sent -> settled``; returns how many moved."""
        ...

    def settle_posted(self, entry_ids: Sequence[str], first: date, last: date, at: datetime) -> int:
        """Guarded ``sent -> settled`` of every payment whose match row (booked ``first``..``last``) was posted
        into one of ``entry_ids``: one set-based update however many there are; returns how many moved."""
        ...

    def mark_returned(self, payment_id: str, expected: str, reason: str, at: datetime) -> bool:
        """Guarded ``expected -> returned`` (which frees the payment's invoices); False if it had moved."""
        ...

    def ledger_items(self, payment_id: str) -> list[Any]:
        """The payment's invoices as ``payments.disbursements.payment_rules.LedgerItem`` (fund, amounts) for the return entry."""
        ...


class TraceMatch(Protocol):
    """The common line decided set-based by the database (``payments.reconciliation.recon_trace``), within the unit of work.

    ``pick`` stages the lines and decides; the other calls work on what it picked, and ``release`` forgets it.
    """

    def pick(self, lines: Sequence[Any], candidates: Sequence[int], *, since: date) -> TracePicks:
        """Decide those of ``lines`` (the matcher's whole list) at ``candidates`` that meet every condition."""
        ...

    def open_for_matching(self, *, since: date) -> list[BookPayment]:
        """``ReconPayments.open_for_matching`` without the picked payments, in the same order."""
        ...

    def add_matches(self, rows: Sequence[MatchRecord], keys: Sequence[tuple[int, int, int]],
                    entry_ids: dict[tuple[date, str, str], str], *, method: str, confidence_pct: int,
                    matched_at: datetime, matched_by: str) -> None:
        """Insert the picked lines' match rows (their entry by booking date, fund as picked, currency) and
        ``rows``, all in the order of ``keys`` (one per row; a picked line's key is (0, position, 0))."""
        ...

    def release(self) -> None:
        ...


class ReconUnitOfWork(PaymentsUnitOfWork, Protocol):
    """The unit of work reconciliation runs in: the payments' (it settles, returns and fails them) plus its own."""

    recon: ReconRepository
    recon_payments: ReconPayments
    recon_trace: TraceMatch


class ReturnedInvoices(Protocol):
    """The AP side of a return: the invoices go back to approved-and-unpaid with a ``payment_returned`` hold."""

    def reopen(self, uow: ReconUnitOfWork, invoice_ids: Sequence[str], *, payment_id: str, reason_code: str,
               vendor_reason: str, at: datetime) -> int:
        """Inside the caller's unit of work; returns how many invoices were reopened."""
        ...


class VendorBankAccounts(Protocol):
    """The bank-account quarantine, as reconciliation drives it. Each call runs and commits on its own."""

    def block_for_return(self, *, vendor_id: str, account_id: str, reason_code: str, reason: str) -> str:
        """Block the account a payment went to, until corrected details clear the quarantine; say what was done."""
        ...

    def propose_from_notice(self, *, vendor_id: str, account_id: str, corrected: CorrectedBankData,
                            change_code: str, original_trace: str) -> str:
        """Open a bank-account change request carrying the corrected details; return its id. Never applies it."""
        ...
