"""Payment runs, payments and submissions as stored: the values the payments store reads and writes."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.ap.vendor_credits import CreditTaken
from payments.disbursements.rails import RailSec


class SubmissionState(enum.StrEnum):
    """Where the hand-over of a run to its rail stands."""

    PENDING = "pending"
    """Claimed and recorded; the rail has not confirmed it holds the batch."""
    UNKNOWN = "unknown"
    """The rail timed out: it may hold the batch. The next pass asks it before anything else."""
    ACCEPTED = "accepted"
    """The rail holds the batch; payments are sent and the ledger posted."""
    REJECTED = "rejected"
    """The rail refused the batch; its payments failed and their invoices are payable again."""


@dataclass(frozen=True, slots=True)
class PaymentItemRecord:
    """One invoice paid by a payment, with its remittance and the fund it is charged to."""

    invoice_id: str
    invoice_number: str
    amount_minor: int
    discount_minor: int = 0
    interest_minor: int = 0
    invoice_date: dt.date | None = None
    due_date: dt.date | None = None
    fund: str = "100"
    expenditure_account: str | None = None
    approver_ids: frozenset[str] = frozenset()
    # The prompt-payment rule set the interest was computed under, "name@version[/category]" (None: federal).
    interest_rule: str | None = None

    @property
    def paid_minor(self) -> int:
        return self.amount_minor - self.discount_minor + self.interest_minor


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: str
    run_id: str
    vendor_id: str
    account_id: str
    payee_name: str
    currency: str
    amount_minor: int
    kind: PaymentKind
    sec_code: RailSec
    status: PaymentStatus
    effective_date: dt.date
    created_at: dt.datetime
    trace_number: str | None = None
    submission_id: str | None = None
    status_reason: str | None = None
    items: tuple[PaymentItemRecord, ...] = ()
    same_day: bool = False
    # The vendor's credits this payment deducts: amount_minor = what its items pay less these.
    credits: tuple[CreditTaken, ...] = ()

    @property
    def gross_minor(self) -> int:
        """What its invoices come to (after discounts, with interest), before credits."""
        return sum(i.paid_minor for i in self.items)

    @property
    def external_id(self) -> str:
        """The id the rail carries end to end (pain.001 EndToEndId, NACHA entry identification)."""
        return self.id


@dataclass(frozen=True, slots=True)
class PaymentRunRecord:
    id: str
    run_date: dt.date
    effective_date: dt.date
    status: RunStatus
    currency: str
    rail: str
    created_at: dt.datetime
    created_by: str
    total_minor: int
    payment_count: int
    run_key: str | None = None
    required_releases: int = 1
    releasers: tuple[str, ...] = ()
    submission_id: str | None = None
    skipped: tuple[dict[str, Any], ...] = field(default=())
    same_day: bool = False
    # Set when its payments were re-dated at submission (``payment_dates.Redating.as_detail``): why and how.
    redated: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    id: str
    run_id: str
    rail: str
    state: SubmissionState
    created_at: dt.datetime
    attempts: int = 0
    reference: str | None = None
    detail: str | None = None
