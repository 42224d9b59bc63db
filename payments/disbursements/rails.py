"""What the domain hands a disbursement rail and what it gets back (the rail Protocol is in ``ports.py``).

A rail never sees a payment's row: it gets a ``RailBatch`` built at submission time (the only place a full
account number exists in memory) and answers with a ``RailSubmission`` carrying its own reference. Every id
in a batch is derived from the payment run and its payments, so a resubmission after a crash or a timeout
carries the same ids and the rail can recognize it instead of paying twice.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from payments.errors import DomainError


class RailSec(enum.StrEnum):
    """The ACH standard entry class a payment goes out under (ISO 20022 carries it as LclInstrm)."""

    CCD = "CCD"
    """Corporate credit to a business; CCD+ when it carries one RMR remittance addenda."""
    CTX = "CTX"
    """Corporate trade exchange: an X12 820 remittance across many addenda, for many invoices."""
    PPD = "PPD"
    """Prearranged payment to an individual's (consumer) account."""


class RailAccountType(enum.StrEnum):
    """The receiving deposit account's kind, which picks the transaction code (22/23 vs 32/33)."""

    CHECKING = "checking"
    """A checking (demand-deposit) account."""
    SAVINGS = "savings"
    """A savings account."""


class RailOutcome(enum.StrEnum):
    """What a rail says about one payment it was given."""

    ACCEPTED = "accepted"
    """Taken for processing; the money is on its way."""
    PENDING = "pending"
    """Received, not yet decided."""
    REJECTED = "rejected"
    """Refused; the payment will not be made."""
    SETTLED = "settled"
    """Settled at the receiving bank."""
    RETURNED = "returned"
    """Settled and then sent back by the receiving bank (an ACH return)."""


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One invoice a payment pays: the vendor's invoice number and the money, all in minor units. Or, with
    ``credit_memo``, one of the vendor's credit memos the payment deducts: its number, and its amount negative."""

    invoice_number: str
    invoice_amount_minor: int
    discount_minor: int = 0
    interest_minor: int = 0
    invoice_date: dt.date | None = None
    credit_memo: bool = False
    interest_rule: str | None = None  # the prompt-payment rule set the interest was computed under (issue 18)

    @property
    def paid_minor(self) -> int:
        return self.invoice_amount_minor - self.discount_minor + self.interest_minor


@dataclass(frozen=True, slots=True)
class RailPayment:
    """One credit to send. ``account_number`` is decrypted only for the life of the submission."""

    payment_id: str
    external_id: str
    amount_minor: int
    currency: str
    payee_name: str
    payee_id: str
    routing_number: str
    account_number: str
    account_type: RailAccountType
    sec_code: RailSec
    prenote: bool = False
    trace_number: str | None = None
    remittance: tuple[RemittanceLine, ...] = ()
    # The payment's own effective entry date when it differs from the batch's (a same-day run's over-limit
    # payment settles the next day), and whether it asks for same-day settlement.
    effective_date: dt.date | None = None
    same_day: bool = False


@dataclass(frozen=True, slots=True)
class RailBatch:
    """A payment run's submission: ``submission_id`` is derived from the run and is the rail's dedup key."""

    submission_id: str
    run_id: str
    created_at: dt.datetime
    effective_date: dt.date
    payments: tuple[RailPayment, ...]

    @property
    def total_minor(self) -> int:
        return sum(p.amount_minor for p in self.payments)


@dataclass(frozen=True, slots=True)
class RailSubmission:
    """The rail's receipt: its own reference (a file name, a message id) for the batch it now holds."""

    submission_id: str
    rail: str
    reference: str
    accepted_at: dt.datetime
    payment_count: int
    total_minor: int
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class RailPaymentStatus:
    """The rail's verdict on one payment, keyed by the payment id it was handed."""

    payment_id: str
    outcome: RailOutcome
    reason_code: str | None = None
    reason: str | None = None
    bank_reference: str | None = None  # the bank's own reference for it, when its report gives one (AcctSvcrRef)


@dataclass(frozen=True, slots=True)
class RailCapabilities:
    """What a rail can carry: SEC codes, currencies, same-day, and its per-payment limit.

    ``settlement_lag_business_days``: business days from the day a batch is sent to the effective (settlement)
    date of an ordinary payment: 1 for next-day ACH (an ACH entry dated the day it is sent asks for same-day
    settlement), 0 for a credit transfer executed on the day requested. ``same_day_cutoff`` is the last moment
    (wall clock in the business calendar's zone) a same-day batch may be sent; ``same_day_max_payment_minor``
    the largest payment that may settle same-day (Nacha: $1,000,000 since 2022-03-18; an ODFI may set less).
    """

    sec_codes: frozenset[RailSec]
    currencies: frozenset[str] = frozenset({"USD"})
    same_day: bool = False
    prenotes: bool = True
    max_payment_minor: int | None = None
    details: dict[str, str] = field(default_factory=dict)
    settlement_lag_business_days: int = 1
    same_day_cutoff: dt.time | None = None
    same_day_max_payment_minor: int | None = None
    # An ACH rail's entries carry 15-digit trace numbers the banks show; a credit transfer (ISO 20022) has none:
    # its payments are known by their EndToEndId, and no trace is invented for them.
    ach_traces: bool = True

    def supports(self, sec: RailSec, currency: str) -> bool:
        return sec in self.sec_codes and currency in self.currencies


class RailError(DomainError):
    """A rail refused or could not take a submission."""

    code = "rail_error"


class RailRejected(RailError):
    """The rail definitively refused the whole batch (a bad file, a closed window): nothing was sent."""

    code = "rail_rejected"


class RailTimeout(RailError):
    """The rail did not answer in time: the batch may or may not have been taken. Reconcile; never resend blind."""

    code = "rail_timeout"


class RailUnavailable(RailError):
    """The rail could not be reached at all: nothing was handed over, so trying again later is safe."""

    code = "rail_unavailable"


class UnknownRail(RailError):
    """No rail is registered under that name."""

    code = "unknown_rail"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no rail named {name!r}; known rails: {', '.join(known) or 'none'}", rail=name, known=known)
