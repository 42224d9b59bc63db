"""What treasury reconciliation works with: our payments and the bank's lines as it sees them, and what it decides.

The matcher (``payments.reconciliation.recon_matcher``) is pure: these records in, :class:`Match` es and
:class:`ReconException` s out. Money is integer minor units plus a currency code; dates are dates.

The records reconciliation makes one of per payment or per line (:class:`BookPayment`, ``recon_rows.StoredLine``,
:class:`Match`) are named tuples: as immutable as a frozen dataclass and several times cheaper to build, which
is a few seconds at a million lines (a frozen dataclass sets every field through ``object.__setattr__``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, Protocol


class MatchMethod(enum.StrEnum):
    """How a statement line (or a return) was tied to our payments; each has a fixed confidence."""

    TRACE = "trace"
    """A reference on the line is the payment's ACH trace number."""
    END_TO_END_ID = "end_to_end_id"
    """The line carries the payment's EndToEndId (one per payment, or several in a batch entry)."""
    BANK_REFERENCE = "bank_reference"
    """A reference on the line is the payment id or another reference the bank echoes back."""
    BATCH_REFERENCE = "batch_reference"
    """A reference on the line names the whole ACH batch / payment-information block: one line, many payments."""
    AMOUNT_DATE = "amount_date"
    """No reference; the only open payment of that amount sent within the date window."""
    BATCH_TOTAL = "batch_total"
    """No reference; the only open batch whose total is the line amount, sent within the date window."""
    ORIGINAL_TRACE = "original_trace"
    """A return matched to the payment whose trace it names as original (plus amount and receiving bank)."""
    RETURN_CREDIT = "return_credit"
    """A credit line that is the money of a recorded return coming back; it posts nothing itself."""
    MANUAL = "manual"
    """Matched by a person, with a reason."""


CONFIDENCE_PCT: dict[MatchMethod, int] = {
    MatchMethod.TRACE: 100,
    MatchMethod.END_TO_END_ID: 100,
    MatchMethod.ORIGINAL_TRACE: 100,
    MatchMethod.MANUAL: 100,
    MatchMethod.BANK_REFERENCE: 95,
    MatchMethod.BATCH_REFERENCE: 95,
    MatchMethod.RETURN_CREDIT: 90,
    MatchMethod.AMOUNT_DATE: 80,
    MatchMethod.BATCH_TOTAL: 75,
}


class ExceptionKind(enum.StrEnum):
    """Why something landed in the exceptions queue for a person."""

    UNMATCHED_LINE = "unmatched_line"
    """A statement line that matches no payment, batch or return."""
    AMOUNT_MISMATCH = "amount_mismatch"
    """A line names our payment(s) but its amount differs from theirs (an altered or partial line)."""
    DUPLICATE_LINE = "duplicate_line"
    """A line for a payment that another line (in this file or an earlier one) already settled."""
    REFERENCE_UNKNOWN = "reference_unknown"
    """A line carries a reference in our format (a trace with our bank's prefix, a payment id) naming nothing we
    sent: an altered or misdirected line, never matched by amount instead."""
    DATE_OUT_OF_WINDOW = "date_out_of_window"
    """A line names our payment but is booked before the payment could have left."""
    AMBIGUOUS_MATCH = "ambiguous_match"
    """No reference, and several open payments or batches fit the amount and date window."""
    UNSETTLED_PAYMENT = "unsettled_payment"
    """A payment sent more than the allowed business days ago that no statement shows leaving."""
    RETURN_UNMATCHED = "return_unmatched"
    """A return whose original trace is none of our payments."""
    RETURN_MISMATCH = "return_mismatch"
    """A return names our payment but its amount or receiving bank differs."""
    DUPLICATE_RETURN = "duplicate_return"
    """A second, different return for a payment already returned."""
    RETURN_DISPUTE = "return_dispute"
    """A dishonored or contested return (R61-R77): the banks disagree and a person must decide."""
    NOC_UNMATCHED = "noc_unmatched"
    """A notification of change whose original trace is none of our payments."""
    NOC_NOT_APPLIED = "noc_not_applied"
    """A notification of change that could not be turned into a proposed bank-account change."""
    NOC_REFUSED = "noc_refused"
    """A refused notification of change (C61-C69): a person must look."""
    PAYMENT_REJECTED = "payment_rejected"
    """A bank status report (pain.002) refuses a payment our books show settled or returned (a refusal of a sent
    payment fails it by itself, ``payment_rejections``)."""
    OVER_RAIL_LIMIT = "over_rail_limit"
    """A payment run left a vendor's payment out: it is over what the rail carries in one payment. Treasury
    arranges it another way (a wire) or raises the limit, and resolves the exception saying which."""


class ExceptionStatus(enum.StrEnum):
    """Where an exception stands."""

    OPEN = "open"
    """Waiting for a person (or a later file that explains it)."""
    RESOLVED = "resolved"
    """Matched by hand or explained by a later file."""
    WRITTEN_OFF = "written_off"
    """Written off with a second person's approval; a ``write_off`` entry was posted."""


class BookPayment(NamedTuple):
    """A disbursement as reconciliation sees it. ``status`` is the payment's (sent, settled, returned …).

    ``funds`` splits the amount by fund (one pair for most payments) so that postings land in the right fund.
    ``settled`` says whether a statement has shown it leaving (a returned payment may or may not have).
    ``batch_ref`` groups the payments the bank settles with one debit (one ACH batch: run and SEC code);
    ``group_refs`` are other references naming a group it belongs to (run id, submission id).
    """

    payment_id: str
    amount_minor: int
    currency: str
    sent_on: date
    status: str
    trace_number: str | None = None
    end_to_end_id: str | None = None
    batch_ref: str | None = None
    vendor_id: str | None = None
    account_id: str | None = None
    rdfi: str | None = None
    funds: tuple[tuple[str, int], ...] = ()
    settled: bool = False
    group_refs: tuple[str, ...] = ()
    return_code: str | None = None

    def fund_split(self) -> tuple[tuple[str, int], ...]:
        return self.funds or (("100", self.amount_minor),)

    def keys(self) -> tuple[str, ...]:
        """Every reference a bank may echo for this payment: its id, trace, EndToEndId, and the id's last 15
        characters (what fits the NACHA entry's identification field, which banks echo as the end-to-end id)."""
        keys = [self.payment_id]
        if self.trace_number:
            keys.append(self.trace_number)
        if self.end_to_end_id and self.end_to_end_id != self.payment_id:
            keys.append(self.end_to_end_id)
        if len(self.payment_id) > 15:
            keys.append(self.payment_id[-15:])
        return tuple(keys)


class StatementLine(Protocol):
    """What matching reads of a statement line (``recon_rows.StoredLine`` is the one the importer builds)."""

    @property
    def line_id(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def booking_date(self) -> date: ...
    @property
    def references(self) -> tuple[str, ...]: ...
    @property
    def end_to_end_ids(self) -> tuple[str, ...]: ...
    @property
    def is_return(self) -> bool: ...
    @property
    def return_reason(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def signed_amount_minor(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RecordedReturn:
    """A return already recorded against a payment, waiting for (or matched to) its credit on a statement."""

    return_id: str
    payment_id: str
    amount_minor: int
    currency: str
    received_on: date
    original_trace: str
    keys: tuple[str, ...] = ()
    credit_line_id: str | None = None
    settled_before: bool = False


class Match(NamedTuple):
    """One decision: this line (or return) is these payments, made this way, with this confidence.

    ``payments`` (the matched book payments, in ``payment_ids`` order; empty for a return's credit) and
    ``booked_on`` (the line's booking date) carry what applying the match needs, so that a million matches
    need no million-entry look-up tables by payment and by line beside them.
    """

    method: MatchMethod
    payment_ids: tuple[str, ...]
    amount_minor: int
    currency: str
    line_id: str
    booked_on: date
    return_id: str | None = None
    note: str = ""
    payments: tuple[BookPayment, ...] = ()

    @property
    def confidence_pct(self) -> int:
        return CONFIDENCE_PCT[self.method]


@dataclass(frozen=True, slots=True)
class ReconException:
    """Something a person must look at; ``candidates`` lists payment ids that could be meant."""

    kind: ExceptionKind
    detail: str
    amount_minor: int
    currency: str
    line_id: str | None = None
    payment_ids: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    notice_ref: str | None = None


@dataclass(slots=True)
class LineMatching:
    """The matcher's answer for a set of lines: every line ends in exactly one match or one exception.

    The first ``by_reference`` matches are those of the first pass (a reference naming open payments), in line
    order; the rest (groups, amounts, credits) follow.
    """

    matches: list[Match] = field(default_factory=list)
    exceptions: list[ReconException] = field(default_factory=list)
    by_reference: int = 0

@dataclass(frozen=True, slots=True)
class DateWindow:
    """How far (in business days) a booking may follow the payment's effective date, and precede it."""

    after_business_days: int = 3
    before_business_days: int = 1
