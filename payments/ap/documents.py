"""The accounts-payable documents: vendor, purchase order, receipt, invoice, credit memo.

Documents are frozen: a change is a new version (a PO) or a new document (a return is a negative receipt, a
correction of an invoice is a credit memo or a re-entered invoice). Money is int minor units plus an ISO 4217
code; quantities and unit prices are ``Decimal`` (a unit price is in minor units and may carry fractions of a
cent, e.g. 0.4 cents a sheet); an extended amount is rounded half-up once, where it becomes money.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar


from payments.ap.amounts import extend_minor
from payments.errors import Conflict

_ONE = Decimal(1)
_ZERO = Decimal(0)


class VendorStatus(enum.Enum):
    """Where a vendor stands with us."""

    PENDING = "pending"
    """Entered, not yet vetted; may not be paid."""
    ACTIVE = "active"
    """Vetted; may be ordered from and paid."""
    ON_HOLD = "on_hold"
    """Temporarily blocked from payment (e.g. a bank-account change cooling off)."""
    INACTIVE = "inactive"
    """No longer used; kept for history."""


class POStatus(enum.Enum):
    """The life of a purchase order."""

    DRAFT = "draft"
    """Being written; commits no money."""
    APPROVED = "approved"
    """Approved and encumbered; may be received and invoiced against."""
    PENDING_APPROVAL = "pending_approval"
    """A change order raised what an approved order commits (a total, a unit price, a quantity, a new line): the
    new version waits for approval by someone other than its author, with a funds check. Meanwhile it keeps what
    was approved encumbered and takes no receipts, and invoices against it are held ``po_not_approved``."""
    CLOSED = "closed"
    """Closed for new activity; may be reopened."""
    FINALLY_CLOSED = "finally_closed"
    """Closed for good, remaining encumbrance liquidated; never reopens."""


ENCUMBERING_PO_STATUSES = frozenset({POStatus.APPROVED, POStatus.PENDING_APPROVAL})
"""Orders that keep money encumbered: approved, or approved with a raising change waiting for approval."""


class ReceiptStatus(enum.Enum):
    """The life of a receipt (corrections are new negative receipts, never edits)."""

    DRAFT = "draft"
    """Being counted at the dock; does not count yet."""
    POSTED = "posted"
    """Counted: its quantities enter the match context."""


class InvoiceStatus(enum.Enum):
    """The life of a vendor invoice."""

    ENTERED = "entered"
    """Keyed or imported, not yet matched."""
    HELD = "held"
    """Matched with at least one hold; does not count as billed."""
    MATCHED = "matched"
    """Matched clean (or every hold released); counts as billed."""
    APPROVED = "approved"
    """Approved for payment; counts as billed."""
    PAID = "paid"
    """Its payment was sent (the rail accepted it); counts as billed. A return or a rejection reopens it."""
    RETURNED = "returned"
    """Returned to the vendor as improper; does not count."""
    CANCELLED = "cancelled"
    """Withdrawn; does not count."""


class CreditMemoStatus(enum.Enum):
    """The life of a vendor credit memo."""

    ENTERED = "entered"
    """Keyed or imported; does not reduce billed yet."""
    APPLIED = "applied"
    """Accepted; reduces billed quantity and amount."""
    CANCELLED = "cancelled"
    """Withdrawn; never counted."""


_ALLOWED: Mapping[type[enum.Enum], Mapping[enum.Enum, frozenset[enum.Enum]]] = {
    VendorStatus: {
        VendorStatus.PENDING: frozenset({VendorStatus.ACTIVE, VendorStatus.INACTIVE}),
        VendorStatus.ACTIVE: frozenset({VendorStatus.ON_HOLD, VendorStatus.INACTIVE}),
        VendorStatus.ON_HOLD: frozenset({VendorStatus.ACTIVE, VendorStatus.INACTIVE}),
        VendorStatus.INACTIVE: frozenset({VendorStatus.ACTIVE}),
    },
    POStatus: {
        POStatus.DRAFT: frozenset({POStatus.APPROVED}),
        POStatus.APPROVED: frozenset({POStatus.CLOSED, POStatus.FINALLY_CLOSED, POStatus.PENDING_APPROVAL}),
        POStatus.PENDING_APPROVAL: frozenset({POStatus.APPROVED, POStatus.CLOSED, POStatus.FINALLY_CLOSED}),
        POStatus.CLOSED: frozenset({POStatus.APPROVED, POStatus.FINALLY_CLOSED}),
        POStatus.FINALLY_CLOSED: frozenset(),
    },
    ReceiptStatus: {
        ReceiptStatus.DRAFT: frozenset({ReceiptStatus.POSTED}),
        ReceiptStatus.POSTED: frozenset(),
    },
    InvoiceStatus: {
        InvoiceStatus.ENTERED: frozenset(
            {InvoiceStatus.HELD, InvoiceStatus.MATCHED, InvoiceStatus.RETURNED, InvoiceStatus.CANCELLED}
        ),
        InvoiceStatus.HELD: frozenset({InvoiceStatus.MATCHED, InvoiceStatus.RETURNED, InvoiceStatus.CANCELLED}),
        # A re-match (a return to vendor, a duplicate found later) may put a matched or approved invoice back.
        InvoiceStatus.MATCHED: frozenset({InvoiceStatus.APPROVED, InvoiceStatus.HELD, InvoiceStatus.CANCELLED}),
        InvoiceStatus.APPROVED: frozenset({InvoiceStatus.PAID, InvoiceStatus.HELD, InvoiceStatus.CANCELLED}),
        # A payment the bank returned or refused after it was sent: approved and unpaid again (with a hold).
        InvoiceStatus.PAID: frozenset({InvoiceStatus.APPROVED}),
        InvoiceStatus.RETURNED: frozenset(),
        InvoiceStatus.CANCELLED: frozenset(),
    },
    CreditMemoStatus: {
        CreditMemoStatus.ENTERED: frozenset({CreditMemoStatus.APPLIED, CreditMemoStatus.CANCELLED}),
        CreditMemoStatus.APPLIED: frozenset(),
        CreditMemoStatus.CANCELLED: frozenset(),
    },
}


class TransitionNotAllowed(Conflict):
    """The document is not in a state from which it may move to the requested one."""

    code = "transition_not_allowed"

    def __init__(self, current: enum.Enum, target: enum.Enum) -> None:
        kind = type(current).__name__
        super().__init__(
            f"A {kind} may not go from {current.value!r} to {target.value!r}.",
            kind=kind,
            current=current.value,
            target=target.value,
        )


def allowed_targets(current: enum.Enum) -> frozenset[enum.Enum]:
    return _ALLOWED[type(current)][current]

_E = TypeVar("_E", bound=enum.Enum)

def transition(current: _E, target: _E) -> _E:
    """Return ``target`` if a document in ``current`` may move there, else raise ``TransitionNotAllowed``.

    Staying put is not a transition: a caller that would "move" to the same state has nothing to write.
    """
    if type(target) is not type(current) or target not in allowed_targets(current):
        raise TransitionNotAllowed(current, target)
    return target


# Which documents count toward the cumulative billed quantity of a PO line. A held, returned, cancelled or
# merely entered invoice does not count: it is not a claim we have accepted, and letting it count would let
# a rejected invoice block a good one. A credit memo counts (reduces billed) once applied.
BILLED_INVOICE_STATUSES = frozenset({InvoiceStatus.MATCHED, InvoiceStatus.APPROVED, InvoiceStatus.PAID})
COUNTED_CREDIT_STATUSES = frozenset({CreditMemoStatus.APPLIED})


def counts_as_billed(status: InvoiceStatus) -> bool:
    return status in BILLED_INVOICE_STATUSES


# --- line attributes ----------------------------------------------------------------------------------


class LineKind(enum.Enum):
    """What a PO line buys."""

    GOODS = "goods"
    """Physical items, received at a dock."""
    SERVICES = "services"
    """Work performed; usually matched 2-way."""


class MatchLevel(enum.IntEnum):
    """How many documents an invoice line is matched against."""

    TWO_WAY = 2
    """Invoice against PO: ordered quantity and price."""
    THREE_WAY = 3
    """Invoice against PO and receipts: also billed <= received."""
    FOUR_WAY = 4
    """Invoice against PO, receipts and inspection: also billed <= accepted."""


# --- documents ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiversityCertification:
    """A small/minority/women/veteran-owned certification, valid over a closed date range."""

    kind: str
    certifier: str
    valid_from: date
    valid_to: date

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    legal_name: str
    status: VendorStatus
    terms: str
    is_1099: bool = False
    certifications: tuple[DiversityCertification, ...] = ()
    # A natural person (a sole proprietor, a juror, a refund to a resident): open data names no person.
    is_individual: bool = False

    def certifications_valid_on(self, day: date) -> tuple[DiversityCertification, ...]:
        return tuple(c for c in self.certifications if c.is_valid_on(day))


@dataclass(frozen=True, slots=True)
class AccountCoding:
    """Where spend is charged: the dimensions the ledger reports by."""

    fund: str
    department: str
    object_code: str


@dataclass(frozen=True, slots=True)
class POLine:
    line_no: int
    item: str
    quantity: Decimal
    unit_of_measure: str
    unit_price_minor: Decimal
    coding: AccountCoding
    kind: LineKind = LineKind.GOODS
    match_level: MatchLevel = MatchLevel.THREE_WAY
    category: str | None = None
    # Derived once at construction (the line becomes money here), not an input.
    amount_minor: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount_minor", extend_minor(self.quantity, self.unit_price_minor))


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    id: str
    vendor_id: str
    currency: str
    lines: tuple[POLine, ...]
    status: POStatus = POStatus.DRAFT
    version: int = 1
    # A not-to-exceed ceiling (blanket orders); None means the sum of the line amounts.
    max_total_minor: int | None = None

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)

    @property
    def ceiling_minor(self) -> int:
        return self.total_minor if self.max_total_minor is None else self.max_total_minor

    def line(self, line_no: int) -> POLine | None:
        return next((line for line in self.lines if line.line_no == line_no), None)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """Quantities received and, after inspection, accepted; both negative on a return to vendor."""

    po_line_no: int
    quantity_received: Decimal
    # None until inspected: nothing counts as accepted for 4-way matching before then.
    quantity_accepted: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    po_id: str
    received_on: date
    lines: tuple[ReceiptLine, ...]
    status: ReceiptStatus = ReceiptStatus.POSTED
    # The date the government accepted the goods or services, when recorded (prompt-pay clock input).
    accepted_on: date | None = None

    @property
    def is_return(self) -> bool:
        return any(line.quantity_received < _ZERO for line in self.lines)


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_no: int
    po_id: str | None
    po_line_no: int | None
    quantity: Decimal
    unit_price_minor: Decimal
    description: str = ""
    unit_of_measure: str | None = None
    # Derived once at construction, as the repository stores it; matching sums it, never recomputes it.
    amount_minor: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount_minor", extend_minor(self.quantity, self.unit_price_minor))


@dataclass(frozen=True, slots=True)
class Invoice:
    """A vendor's bill. One invoice may span several POs; a PO line may be billed over several invoices."""

    id: str
    vendor_id: str
    invoice_number: str
    invoice_date: date | None
    currency: str
    lines: tuple[InvoiceLine, ...]
    # The date the designated billing office received it; None when nobody annotated it.
    received_on: date | None = None
    terms: str = ""
    # The total the vendor printed; None when the invoice shows none (a defect: no extended total).
    stated_total_minor: int | None = None
    remit_to: str = ""
    defect_contact: str = ""
    file_digest: str | None = None
    status: InvoiceStatus = InvoiceStatus.ENTERED

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)

    @property
    def po_ids(self) -> tuple[str, ...]:
        return tuple(sorted({line.po_id for line in self.lines if line.po_id is not None}))


@dataclass(frozen=True, slots=True)
class CreditMemoLine:
    """A credit against a PO line: quantity (0 for a price-only credit) and amount, both positive."""

    po_id: str
    po_line_no: int
    quantity: Decimal
    amount_minor: int


@dataclass(frozen=True, slots=True)
class CreditMemo:
    id: str
    vendor_id: str
    memo_number: str
    memo_date: date
    currency: str
    lines: tuple[CreditMemoLine, ...]
    status: CreditMemoStatus = CreditMemoStatus.ENTERED
    invoice_id: str | None = None

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)
