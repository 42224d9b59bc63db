"""The Protocols the payment runs consume (re-exported by ``payments.ports``).

The consumer owns the port: the AP module supplies ``PayableInvoices``, the vendor/identity module
``PayeeAccounts``, ``adapters/db`` the ``PaymentStore`` and ``adapters/rails`` each ``DisbursementRail``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Protocol

from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord, SubmissionRecord, SubmissionState
from payments.disbursements.payment_runs import PayableInvoice, PayeeAccount, PrenoteRecord
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.ap.vendor_credits import VendorCreditStore
from payments.disbursements.payment_rules import PaymentStep, RunStep
from payments.disbursements.rails import RailBatch, RailCapabilities, RailPaymentStatus, RailSubmission
from payments.ports import UnitOfWork


class PayableInvoices(Protocol):
    """Approved, unpaid invoices (the AP module's side of a payment run)."""

    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        """Approved invoices due, or discountable, on or before ``through``, holds listed on each.

        Invoices already paid may be returned; the run drops those its store says are live.
        """
        ...

    def get(self, invoice_id: str) -> PayableInvoice | None:
        """One invoice as a run would see it, approved or awaiting approval (matched or held); None otherwise."""
        ...


class PaidInvoices(Protocol):
    """The AP side of a payment's life, inside the payment's own unit of work (``uow.paid_invoices``).

    Invoices the AP module does not hold (a payment may carry an external reference) are left alone.
    """

    def not_payable(self, invoice_ids: Sequence[str]) -> dict[str, str]:
        """Those invoices that may no longer be paid (not approved, or an open hold), with why."""
        ...

    def mark_paid(self, invoice_ids: Sequence[str], *, payment_id: str, at: dt.datetime) -> list[str]:
        """Guarded ``approved -> paid``; returns the invoices that were no longer approved (left as they are)."""
        ...

    def reopen(self, invoice_ids: Sequence[str], *, payment_id: str, hold: str, reason_code: str, message: str,
               at: dt.datetime) -> int:
        """Guarded ``paid -> approved`` with an open ``hold`` naming the payment; returns how many got the hold."""
        ...

    def hold(self, invoice_ids: Sequence[str], *, payment_id: str, hold: str, reason_code: str, message: str,
             at: dt.datetime) -> int:
        """An open ``hold`` on each invoice (one per kind; ``payment_id`` names the run or payment it came from)."""
        ...


class PayeeAccounts(Protocol):
    """Vendors' bank accounts (the vendor module's side)."""

    def for_vendor(self, vendor_id: str) -> PayeeAccount | None:
        """The account payments to this vendor go to, or None when it has none on file."""
        ...

    def awaiting_prenote(self) -> list[PayeeAccount]:
        """New accounts still being verified whose prenote is due now (cooling-off over, no prenote sent)."""
        ...

    def get(self, account_id: str) -> PayeeAccount | None:
        """One account by id (at submission time: it must still be the vendor's active account)."""
        ...

    def account_number(self, account_id: str) -> str:
        """The full account number, decrypted: called only while a rail writes its file, never logged."""
        ...


class DisbursementRail(Protocol):
    """A way to move money: a NACHA file, an ISO 20022 message, a bank's API, the sandbox bank.

    ``submit`` is idempotent on ``batch.submission_id``: a batch the rail already holds is not sent again;
    the first receipt is returned with ``duplicate=True``. Raises ``RailRejected`` when the rail refuses the
    whole batch (nothing sent), ``RailTimeout`` when the outcome is unknown (the caller must ``lookup``
    before anything else) and ``RailUnavailable`` when nothing was handed over.
    """

    name: str

    def capabilities(self) -> RailCapabilities:
        """The SEC codes, currencies and same-day service this rail offers."""
        ...

    def submit(self, batch: RailBatch) -> RailSubmission:
        """Hand over a batch; return the rail's receipt with its own reference."""
        ...

    def lookup(self, submission_id: str) -> RailSubmission | None:
        """The receipt for a batch the rail already holds, or None if it never got it: the status check."""
        ...

    def status(self, submission: RailSubmission) -> list[RailPaymentStatus]:
        """What the rail now knows about each payment of a submission (empty when nothing new)."""
        ...


class PaymentStore(Protocol):
    """Payment runs, payments, submissions and the outbox. Every transition is a guarded update."""

    # -- runs
    def find_run_by_key(self, run_key: str) -> PaymentRunRecord | None:
        """The run created under a run key (one per scheduled fire or idempotent request), if any."""
        ...

    def add_run(self, run: PaymentRunRecord, payments: Sequence[PaymentRecord]) -> None:
        """Insert a draft run and its payments; ``PaymentConflict`` if an invoice already has a live payment."""
        ...

    def get_run(self, run_id: str, *, for_update: bool = False) -> PaymentRunRecord | None:
        """One run; with ``for_update`` its row stays locked until the unit of work ends."""
        ...

    def list_runs(self, *, status: RunStatus | None = None, after: str | None = None, limit: int = 50
                  ) -> list[PaymentRunRecord]:
        """Runs by id (ULID order), after a cursor."""
        ...

    def transition_run(self, run_id: str, step: RunStep, *, at: dt.datetime, submission_id: str | None = None,
                       expected: RunStatus | None = None) -> bool:
        """``UPDATE ... SET status = :target WHERE id = :id AND status IN (:sources)``, target and sources read from
        ``RUN_TRANSITIONS[step]`` (``expected`` narrows the sources to the state the caller read; outside them is
        ``illegal_transition``). False when another process moved the run first."""
        ...

    def add_release(self, run_id: str, user_id: str, at: dt.datetime) -> None:
        """Record one treasurer's release of a run."""
        ...

    def claim_released_run(self) -> PaymentRunRecord | None:
        """One released run, row-locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so no other claimant sees it."""
        ...

    def runs_in_status(self, status: RunStatus, limit: int = 50) -> list[PaymentRunRecord]:
        ...

    # -- payments
    def live_invoice_ids(self, invoice_ids: Iterable[str]) -> set[str]:
        """Those of ``invoice_ids`` held by a live payment (scheduled, submitted, sent or settled)."""
        ...

    def live_payments_of_invoices(self, invoice_ids: Iterable[str]) -> dict[str, PaymentRecord]:
        """The live payment (scheduled, submitted, sent or settled) holding each invoice: what a vendor is shown,
        with its status, effective date and trace number. Invoices without one are absent."""
        ...

    def prenotes(self, account_ids: Iterable[str]) -> dict[str, PrenoteRecord]:
        """The latest prenote payment per account."""
        ...

    def get_payment(self, payment_id: str) -> PaymentRecord | None:
        ...

    def get_payments(self, payment_ids: Iterable[str]) -> dict[str, PaymentRecord]:
        """Those of the payments that exist, by id, read together (a page's payments, not one at a time)."""
        ...

    def list_payments(self, *, run_id: str | None = None, status: PaymentStatus | None = None,
                      vendor_id: str | None = None, after: str | None = None, limit: int = 50) -> list[PaymentRecord]:
        ...

    def payments_of_run(self, run_id: str) -> list[PaymentRecord]:
        ...

    def transition_payments(self, payment_ids: Sequence[str], step: PaymentStep, *, reason: str | None = None,
                            at: dt.datetime, expected: PaymentStatus | None = None) -> int:
        """Guarded update of many payments, its states read from ``PAYMENT_TRANSITIONS[step]`` (``expected`` narrows
        the sources as for runs); returns how many moved. Leaving the live set frees the invoices."""
        ...

    def assign_submission(self, run_id: str, submission_id: str, traces: dict[str, str | None], at: dt.datetime) -> int:
        """Move the run's scheduled payments to submitted (``PaymentStep.CLAIM``) under ``submission_id``, storing
        their traces."""
        ...

    def items_of(self, payment_id: str) -> list[PaymentItemRecord]:
        ...

    def redate(self, run_id: str, moved: Sequence[tuple[str, dt.date, bool]], *, to: dt.date, detail: dict[str, Any],
               at: dt.datetime) -> int:
        """Move scheduled payments (id, expected date, expected same-day flag) to ``to`` as ordinary payments and
        record ``detail`` on the released run; guarded on each expected value and on the run being released and not yet re-dated. Returns how many
        payments moved (0 when the run was not in that state)."""
        ...

    # -- submissions and the outbox
    def add_submission(self, submission: SubmissionRecord) -> None:
        ...

    def get_submission(self, submission_id: str) -> SubmissionRecord | None:
        ...

    def open_submissions(self, limit: int = 50) -> list[SubmissionRecord]:
        """Submissions still pending or unknown: the recovery queue after a crash or a timeout."""
        ...

    def lease_submission(self, submission_id: str, holder: str, now: dt.datetime, lease_s: int) -> bool:
        """Take the right to work on an open submission for ``lease_s``; False while someone else holds it."""
        ...

    def transition_submission(self, submission_id: str, expected: Sequence[SubmissionState], target: SubmissionState,
                              *, at: dt.datetime, reference: str | None = None, detail: str | None = None,
                              attempted: bool = False, holder: str | None = None) -> bool:
        """Guarded move of a submission; False when it was no longer in one of ``expected`` (or, with ``holder``,
        when that attempt no longer holds its lease). A move with ``holder`` gives the lease up."""
        ...

    def add_outbox(self, topic: str, key: str, payload: dict[str, Any], at: dt.datetime) -> bool:
        """Record an event in the same transaction as the state change it announces; False if ``key`` exists."""
        ...

    def outbox(self, topic: str | None = None, *, pending_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        """Outbox rows (id, topic, key, payload, created_at, processed_at), oldest first."""
        ...

    def mark_outbox_processed(self, key: str, at: dt.datetime) -> bool:
        """Mark one event handled by its consumer; False if it already was."""
        ...


class TreasuryIssue(StrEnum):
    """What a payment use case hands treasury to look at (the reconciliation exceptions queue takes these kinds)."""

    OVER_RAIL_LIMIT = "over_rail_limit"
    """A payment left out of a run because it is over the rail's per-payment limit: pay it another way."""
    PAYMENT_REJECTED = "payment_rejected"
    """The bank refused a payment our books already show settled or returned: the books and the bank disagree."""


class TreasuryQueue(Protocol):
    """Where payments put what needs a person in treasury, inside the caller's unit of work (``uow.treasury_queue``).

    Reconciliation owns the queue (its exceptions queue implements this); payments only hand items over, so the
    payment use cases never build reconciliation's records themselves.
    """

    def open(self, issue: TreasuryIssue, detail: str, amount_minor: int, currency: str, *, dedup_key: str,
             now: dt.datetime, payment_ids: tuple[str, ...] = ()) -> bool:
        """Open one item unless one with ``dedup_key`` exists; True when this call opened it."""
        ...


class BankReferenceLog(Protocol):
    """The bank's own reference for a payment as a rail's status report gives it (pain.002 ``AcctSvcrRef``)."""

    def learn(self, payment_id: str, reference: str, *, source: str, at: dt.datetime) -> bool:
        """Keep ``reference`` for the payment (a later, different one replaces it); True when it was new."""
        ...

    def learned(self, payment_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """payment id -> (reference, when it was learned, RFC 3339) for those with one."""
        ...


class PaymentsUnitOfWork(UnitOfWork, Protocol):
    """The unit of work the payment use cases run in: the journals, the payment store, the invoices' paid marks
    and treasury's queue."""

    payments: PaymentStore
    paid_invoices: PaidInvoices
    treasury_queue: TreasuryQueue
    vendor_credits: VendorCreditStore
    bank_reference_log: BankReferenceLog
