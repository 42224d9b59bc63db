"""Reconciliation records as stored: files, statements, lines, matches, returns, NOCs and exceptions.

The repository (``payments.reconciliation.recon_ports.ReconRepository``) reads and writes these; the use cases build them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus


class LineState:
    """Where a stored statement line stands (plain strings: they are compared in SQL)."""

    UNMATCHED = "unmatched"
    MATCHED = "matched"
    EXCEPTED = "excepted"
    WRITTEN_OFF = "written_off"
    RESOLVED = "resolved"
    OPEN = frozenset({UNMATCHED, EXCEPTED})


@dataclass(frozen=True, slots=True)
class ImportedFileRecord:
    id: str
    digest: str
    format: str
    imported_at: datetime
    imported_by: str
    summary: dict[str, Any] = field(default_factory=dict[str, Any])
    name: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class StatementRecord:
    id: str
    file_id: str
    account_id: str
    currency: str
    statement_date: date | None
    opening_balance_minor: int | None
    closing_balance_minor: int | None
    statement_ref: str | None = None
    interim: bool = False


class StoredLine(NamedTuple):
    """A statement line as stored, and as the matcher reads it (``recon_records.StatementLine``): a named tuple, for
    the speed of building a million of them. Only the leading fields matter to matching; ``line_id`` is ours,
    stable across runs."""

    line_id: str
    account_id: str
    direction: str
    amount_minor: int
    currency: str
    booking_date: date
    references: tuple[str, ...] = ()
    end_to_end_ids: tuple[str, ...] = ()
    is_return: bool = False
    return_reason: str | None = None
    kind: str = "other"
    identity: bytes = b""  # SHA-256 of the identity text (recon_lines)
    file_id: str = ""
    statement_id: str = ""
    line_ref: str = ""
    type_code: str | None = None
    bank_reference: str | None = None
    customer_reference: str | None = None
    text: str | None = None
    state: str = LineState.UNMATCHED

    @property
    def signed_amount_minor(self) -> int:
        return self.amount_minor if self.direction == "credit" else -self.amount_minor


class MatchRecord(NamedTuple):
    """One payment's share of one statement line, and how the tie was made."""

    line_id: str
    payment_id: str
    role: str  # settlement | return_credit
    method: str
    confidence_pct: int
    amount_minor: int
    currency: str
    booking_date: date
    posted: bool
    matched_at: datetime
    matched_by: str
    entry_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    id: str
    file_id: str
    payment_id: str | None
    original_trace: str
    return_trace: str
    reason_code: str
    reason: str
    vendor_reason: str
    amount_minor: int
    currency: str
    received_on: date
    account_level: bool
    settled_before: bool
    state: str  # posted | replay | exception
    location: str
    date_of_death: date | None = None
    entry_id: str | None = None
    credit_line_id: str | None = None
    bank_action: str = "none"  # none | pending | done | failed
    bank_action_detail: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    id: str
    file_id: str
    payment_id: str | None
    vendor_id: str | None
    original_trace: str
    notice_trace: str
    change_code: str
    reason: str
    corrected: dict[str, Any]
    received_on: date
    state: str  # proposed | pending | exception | failed
    location: str
    change_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    id: str
    dedup_key: str
    kind: ExceptionKind
    status: ExceptionStatus
    amount_minor: int
    currency: str
    detail: str
    opened_at: datetime
    line_id: str | None = None
    payment_ids: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    notice_ref: str | None = None
    version: int = 1
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    reason: str | None = None
    write_off_requested_by: str | None = None
    write_off_requested_at: datetime | None = None
    write_off_reason: str | None = None
    write_off_account: str | None = None
    approved_by: str | None = None
    entry_id: str | None = None

    def closed(self, status: ExceptionStatus, *, by: str, at: datetime, resolution: str, reason: str,
               entry_id: str | None = None, approved_by: str | None = None) -> ExceptionRecord:
        return replace(self, status=status, resolved_by=by, resolved_at=at, resolution=resolution, reason=reason,
                       entry_id=entry_id, approved_by=approved_by)

    def snapshot(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "status": self.status.value, "line_id": self.line_id,
                "payment_ids": list(self.payment_ids), "amount_minor": self.amount_minor, "currency": self.currency,
                "resolution": self.resolution, "write_off_requested_by": self.write_off_requested_by,
                "approved_by": self.approved_by, "entry_id": self.entry_id}
