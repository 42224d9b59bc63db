"""Normalized bank-statement and payment-status records, whatever file format they were read from.

Every statement importer (BAI2, camt.052/053/054) produces an :class:`ImportedFile`; the pain.002 reader produces
a :class:`StatusReport`. Reconciliation consumes only these records, never a file format. Money is integer minor
units plus an ISO 4217 code; :func:`to_money` converts at the edge.

An importer either returns everything it read, with :class:`Finding` s for what the file's own control records
contradict, or raises a :class:`FormatError` and returns nothing: a statement is never imported in part.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from moneyed import Money

from ledger.money import minor_exponent

from payments.errors import DomainError


class StatementFormat(enum.StrEnum):
    """The wire format a statement file was read from."""

    BAI2 = "bai2"
    """BAI2 cash-management balance report (X9 / BAI version 2)."""
    CAMT_052 = "camt.052"
    """ISO 20022 BankToCustomerAccountReport (intraday)."""
    CAMT_053 = "camt.053"
    """ISO 20022 BankToCustomerStatement (end of day)."""
    CAMT_054 = "camt.054"
    """ISO 20022 BankToCustomerDebitCreditNotification."""


class CreditDebit(enum.StrEnum):
    """Which way the money moved on the reported account."""

    CREDIT = "credit"
    """Money came into the account."""
    DEBIT = "debit"
    """Money left the account."""


class EntryStatus(enum.StrEnum):
    """Whether the bank has booked an entry; only booked entries move the ledger balance."""

    BOOKED = "booked"
    """Posted to the account (camt BOOK; every BAI2 detail)."""
    PENDING = "pending"
    """Announced but not yet posted (camt PDNG)."""
    INFO = "info"
    """For information only, never posted (camt INFO)."""
    FUTURE = "future"
    """Will be posted on a future date (camt FUTR)."""


class TransactionKind(enum.StrEnum):
    """The rail and role of a statement line, normalized from BAI2 type codes and ISO bank transaction codes."""

    ACH = "ach"
    """One ACH item, received or originated."""
    ACH_SETTLEMENT = "ach_settlement"
    """The offset of an ACH file or batch: one line for many payments."""
    ACH_RETURN = "ach_return"
    """An ACH item coming back (R-code return)."""
    ACH_REVERSAL = "ach_reversal"
    """An ACH reversal entry."""
    CHECK_PAID = "check_paid"
    """A check drawn on the account was paid (positive-pay reconciliation)."""
    CHECK_DEPOSIT = "check_deposit"
    """Checks deposited into the account."""
    RETURNED_ITEM = "returned_item"
    """A returned or rejected item other than an ACH return (check, wire, generic reject)."""
    WIRE = "wire"
    """A money transfer (Fedwire, SWIFT, faster payments)."""
    INSTANT = "instant"
    """A real-time payment (RTP, FedNow, SEPA Instant)."""
    CREDIT_TRANSFER = "credit_transfer"
    """An ISO credit transfer whose clearing rail the bank did not name."""
    BOOK_TRANSFER = "book_transfer"
    """A transfer between accounts at the same bank (book, ZBA, sweep)."""
    FEE = "fee"
    """A bank charge."""
    OTHER = "other"
    """Anything the code table does not place."""


class Severity(enum.StrEnum):
    """How much a finding should worry the reader of an imported file."""

    ERROR = "error"
    """The file contradicts itself; its amounts must not be trusted without review."""
    WARNING = "warning"
    """The file bends the letter of its format in a known, harmless way; it was read as documented."""


class FindingCode(enum.StrEnum):
    """Why an importer flagged part of a file it still read."""

    CONTROL_TOTAL_MISMATCH = "control_total_mismatch"
    """A BAI2 trailer's control total is not the sum of the amounts it covers."""
    CONTROL_TOTAL_NET_OF_DETAILS = "control_total_net_of_details"
    """A BAI2 account control total is credits minus debits of the 16 records (a bank convention)."""
    RECORD_COUNT_MISMATCH = "record_count_mismatch"
    """A BAI2 trailer's record count is not the number of records it covers."""
    ACCOUNT_COUNT_MISMATCH = "account_count_mismatch"
    """A BAI2 group trailer's number of accounts is wrong."""
    GROUP_COUNT_MISMATCH = "group_count_mismatch"
    """A BAI2 file trailer's number of groups is wrong."""
    VERSION_MISSING = "version_missing"
    """The BAI2 file header leaves the version number blank; read as version 2."""
    RECORDS_SHARE_LINE = "records_share_line"
    """Several BAI2 records sit on one physical line; they were split at their '/' delimiters."""
    GROUP_NOT_AN_UPDATE = "group_not_an_update"
    """A BAI2 group is marked deletion, correction or test-only, not a plain update."""
    STATUS_CODE_IN_DETAIL = "status_code_in_detail"
    """A BAI2 16 record carries a status (balance) type code; it is not a transaction and was skipped."""
    DIRECTION_UNKNOWN = "direction_unknown"
    """A BAI2 type code outside the credit and debit ranges; the line was left out for a person to review."""
    BALANCE_MISMATCH = "balance_mismatch"
    """Opening balance plus credits minus debits is not the closing balance."""
    BALANCE_MISSING = "balance_missing"
    """A statement lacks an opening or closing booked balance, so it could not be checked."""
    TRANSACTION_SUMMARY_MISMATCH = "transaction_summary_mismatch"
    """A camt TxsSummry count or sum disagrees with the entries."""
    BALANCE_INDICATOR_MISSING = "balance_indicator_missing"
    """A camt balance without CdtDbtInd; taken as a credit (positive) balance."""
    ENTRY_STATUS_MISSING = "entry_status_missing"
    """A camt entry without Sts; taken as booked."""
    BOOKING_DATE_MISSING = "booking_date_missing"
    """A camt entry without BookgDt; its value date or the statement date was used."""
    CURRENCY_MISMATCH = "currency_mismatch"
    FORMAT_LENIENCY = "format_leniency"
    """A returns file bends the NACHA format in a way the reader accepts (a trimmed record, an IAT batch)."""
    UNKNOWN_CODE = "unknown_code"
    """A return or change code outside the current Nacha tables."""
    """An entry is in another currency than its statement; it is left out of the balance check."""


@dataclass(frozen=True, slots=True)
class Finding:
    """Something an importer noticed and reports instead of failing or keeping silent."""

    code: FindingCode
    message: str
    location: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    """One underlying payment inside a statement entry (camt TxDtls); a batch entry has many."""

    end_to_end_id: str | None = None
    instruction_id: str | None = None
    transaction_id: str | None = None
    payment_info_id: str | None = None
    message_id: str | None = None
    check_number: str | None = None
    amount_minor: int | None = None
    currency: str | None = None
    counterparty_name: str | None = None
    remittance: str | None = None
    return_reason: str | None = None
    return_info: str | None = None


class StatementLine(NamedTuple):
    """One booked (or announced) movement on a statement: a BAI2 16 record or a camt Ntry.

    ``line_ref`` is stable within the file ("line 6", "stmt 1 entry 17") and, with the file digest, identifies
    the line for idempotent reconciliation. ``details`` lists the underlying payments of a batch-booked entry.

    A named tuple rather than a frozen dataclass: as immutable, and built five times faster, which matters for
    a statement of a million lines (a frozen dataclass sets each of its twenty fields through
    ``object.__setattr__``).
    """

    line_ref: str
    direction: CreditDebit
    amount_minor: int
    currency: str
    booking_date: date | None
    value_date: date | None = None
    status: EntryStatus = EntryStatus.BOOKED
    kind: TransactionKind = TransactionKind.OTHER
    type_code: str | None = None
    type_description: str | None = None
    bank_reference: str | None = None
    customer_reference: str | None = None
    end_to_end_id: str | None = None
    payment_info_id: str | None = None
    batch_count: int | None = None
    text: str | None = None
    return_reason: str | None = None
    is_return: bool = False
    is_reversal: bool = False
    details: tuple[TransactionDetail, ...] = ()

    @property
    def signed_amount_minor(self) -> int:
        """Credits positive, debits negative: the line's effect on the account balance."""
        return self.amount_minor if self.direction is CreditDebit.CREDIT else -self.amount_minor

    @property
    def end_to_end_ids(self) -> tuple[str, ...]:
        """Every end-to-end id the line carries: its own, or those of its batch's payments."""
        ids = [d.end_to_end_id for d in self.details if d.end_to_end_id]
        if self.end_to_end_id and self.end_to_end_id not in ids:
            ids.insert(0, self.end_to_end_id)
        return tuple(ids)


@dataclass(frozen=True, slots=True)
class Statement:
    """The activity of one account for one reporting period (a camt Stmt/Ntfctn/Rpt or a BAI2 03..49 block)."""

    account_id: str
    currency: str
    statement_date: date | None
    opening_balance_minor: int | None
    closing_balance_minor: int | None
    lines: tuple[StatementLine, ...] = ()
    statement_id: str | None = None
    location: str = ""
    interim: bool = False


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """Everything one statement file said, normalized; ``digest`` (SHA-256 of its bytes) detects re-imports."""

    format: StatementFormat
    digest: str
    statements: tuple[Statement, ...]
    findings: tuple[Finding, ...] = ()
    format_version: str | None = None
    message_id: str | None = None
    created_at: datetime | None = None
    parser: str = ""

    @property
    def has_errors(self) -> bool:
        """True when a finding says the file contradicts itself and needs a person before it is trusted."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def lines(self) -> tuple[StatementLine, ...]:
        """Every line of every statement, in file order."""
        return tuple(line for s in self.statements for line in s.lines)


class PaymentOutcome(enum.StrEnum):
    """What a bank's status report means for a payment we sent."""

    ACCEPTED = "accepted"
    """The bank accepted (or settled) the payment (ACCP, ACSC, ACSP, ACTC, ACWC ...)."""
    REJECTED = "rejected"
    """The bank refused the payment (RJCT); it will not be paid."""
    PENDING = "pending"
    """The bank has not decided yet (PDNG, RCVD, or a code we do not know)."""
    CANCELLED = "cancelled"
    """The payment was cancelled at the bank (CANC)."""


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    """The bank's verdict on one payment, keyed by the end-to-end id we gave it."""

    end_to_end_id: str | None
    status: PaymentOutcome
    reason_code: str | None = None
    reason_text: str | None = None
    additional_info: str | None = None
    iso_status: str | None = None
    original_instruction_id: str | None = None
    original_payment_info_id: str | None = None
    location: str = ""
    bank_reference: str | None = None  # the bank's own reference for the transaction (pain.002 AcctSvcrRef)


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A pain.002 report: per-payment statuses plus the group and payment-block verdicts they inherit."""

    message_id: str | None
    created_at: datetime | None
    original_message_id: str | None
    group_status: PaymentStatus | None
    payment_info_statuses: tuple[PaymentStatus, ...] = ()
    statuses: tuple[PaymentStatus, ...] = ()
    format_version: str | None = None

    def resolve(self, end_to_end_id: str, payment_info_id: str | None = None) -> PaymentStatus | None:
        """The status of one payment: its own line, else its payment block's, else the group's, else None."""
        for status in self.statuses:
            if status.end_to_end_id == end_to_end_id:
                return status
        inherited = next((s for s in self.payment_info_statuses
                          if payment_info_id and s.original_payment_info_id == payment_info_id), None)
        inherited = inherited or self.group_status
        if inherited is None:
            return None
        return PaymentStatus(
            end_to_end_id=end_to_end_id,
            status=inherited.status,
            reason_code=inherited.reason_code,
            reason_text=inherited.reason_text,
            additional_info=inherited.additional_info,
            iso_status=inherited.iso_status,
            original_payment_info_id=payment_info_id,
            location=inherited.location,
        )


def to_money(amount_minor: int, currency: str) -> Money:
    """Integer minor units to ``moneyed.Money`` for the API edge (exact: Decimal, never float)."""
    return Money(Decimal(amount_minor).scaleb(-minor_exponent(currency)), currency)


class FormatError(DomainError):
    """Root of every refusal to read or write a payment or statement file; nothing of the file is used."""

    code = "format_error"

    def __init__(self, reason: str, *, code: str | None = None, location: str | None = None,
                 field: str | None = None, **details: Any) -> None:
        # The message leads with where (line number or element path) and which field, so a person can go
        # straight to the byte that is wrong.
        where = ", ".join(part for part in (location, f"field {field}" if field else None) if part)
        super().__init__(f"{where}: {reason}" if where else reason, code=code, location=location,
                         field=field, **details)
        self.reason = reason
        self.location = location
        self.field = field


class MalformedFile(FormatError):
    """The bytes are not a well-formed file of the format claimed (``malformed_bai2``, ``malformed_camt`` ...)."""

    code = "malformed_file"

    def __init__(self, fmt: str, reason: str, *, location: str | None = None, field: str | None = None) -> None:
        super().__init__(reason, code=f"malformed_{fmt}", location=location, field=field, format=fmt)


class XmlEntitiesForbidden(FormatError):
    """The XML declares a DTD or entities, which bank messages never need and attacks (billion laughs) use."""

    code = "xml_entities_forbidden"


class UnsupportedFormat(FormatError):
    """The file is not one of the formats this reader knows, or a version of one that it does not."""

    code = "unsupported_format"


class SchemaViolation(FormatError):
    """A message we built does not validate against its official XSD; ``problems`` lists every violation."""

    code = "schema_violation"

    def __init__(self, schema: str, problems: list[str]) -> None:
        listed = "; ".join(problems[:20]) + (f"; … {len(problems) - 20} more" if len(problems) > 20 else "")
        super().__init__(f"{len(problems)} problem(s) against {schema}: {listed}", schema=schema)
        self.problems = tuple(problems)
