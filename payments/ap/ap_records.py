"""What the AP repositories store and return: the domain documents plus who did what, when, and their state.

Documents themselves are ``payments.ap.documents``'s frozen dataclasses; a record wraps one with the bookkeeping
the use cases need (versions, actors, prompt-pay dates, budgetary state of PO lines).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ulid import ULID

from payments.ap.documents import CreditMemo, Invoice, PurchaseOrder, Receipt, Vendor

PREFIXES = {"vendor": "ven", "budget": "bud", "purchase_order": "po", "receipt": "rct", "invoice": "inv",
            "credit_memo": "cm", "match_result": "mr", "hold": "hold"}


def new_id(kind: str) -> str:
    """A prefixed ULID, e.g. ``inv_01J…`` (DESIGN.md §5)."""
    return f"{PREFIXES[kind]}_{ULID()}"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 10 bits -> two characters


def new_ids(kind: str, n: int) -> list[str]:
    """``n`` prefixed ULIDs in one go (a batch match makes one per invoice): this millisecond and fresh
    randomness in the first 86 bits, then a counter in the last 40 (the last eight characters), as ULID's
    monotonic mode counts within a millisecond. (Not ``ULID()`` as the base: python-ulid is monotonic itself,
    so its next id would be our second.)"""
    if n >= 1 << 40:
        raise ValueError("too many ids for one call")
    base = (int(time.time() * 1000) << 80) | (secrets.randbits(40) << 40)
    # 128 bits are 26 characters; the first 18 hold the time and randomness, the last 8 the counter
    head = PREFIXES[kind] + "_" + _encode(base)[:18]
    return [head + _PAIRS[(i >> 30) & 0x3FF] + _PAIRS[(i >> 20) & 0x3FF] + _PAIRS[(i >> 10) & 0x3FF]
            + _PAIRS[i & 0x3FF] for i in range(n)]


def _encode(value: int) -> str:
    """A 128-bit value as 26 Crockford base32 characters (130 bits, the top two zero)."""
    return "".join(_PAIRS[(value >> shift) & 0x3FF] for shift in range(120, -1, -10))


def valid_id(kind: str, value: str) -> bool:
    prefix, _, rest = value.partition("_")
    if prefix != PREFIXES[kind]:
        return False
    try:
        ULID.from_str(rest)
    except (ValueError, TypeError):
        return False
    return True


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, (str, int)):
        return value.value  # an enum
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def content_digest(doc: Any) -> str:
    """SHA-256 over a canonical JSON of a create command: tells a replay from a different request."""
    text = json.dumps(_plain(doc), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """Plain JSON-ready data (Decimals as strings, dates ISO, enums by value)."""
    return _plain(value)


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who did something and when (RFC 3339 UTC)."""

    by: str | None = None
    at: str | None = None


@dataclass(frozen=True, slots=True)
class VendorRecord:
    vendor: Vendor
    number: str | None
    tin_last4: str | None
    addresses: tuple[Mapping[str, str], ...]
    contacts: tuple[Mapping[str, str], ...]
    version: int
    created: Stamp
    updated: Stamp
    create_digest: str = ""


@dataclass(frozen=True, slots=True)
class BudgetRecord:
    id: str
    fiscal_year: int
    fund: str
    department: str
    object_code: str
    currency: str
    amount_minor: int
    entry_id: str | None
    version: int
    set: Stamp
    # What the year's purchase orders have encumbered and expended against it (kept with every AP posting,
    # from the split the journal entries carry: ``ap_postings.budget_effects``).
    encumbered_minor: int = 0
    expended_minor: int = 0

    @property
    def available_minor(self) -> int:
        return self.amount_minor - self.encumbered_minor - self.expended_minor


@dataclass(frozen=True, slots=True)
class LineBudget:
    """A PO line's budgetary state: what is still encumbered and what has been accrued against it."""

    encumbered_minor: int = 0
    accrued_minor: int = 0


@dataclass(frozen=True, slots=True)
class PORecord:
    po: PurchaseOrder
    number: str
    description: str
    created: Stamp
    updated: Stamp = Stamp()
    approved: Stamp = Stamp()
    closed: Stamp = Stamp()
    close_reason: str | None = None
    budget: Mapping[int, LineBudget] = field(default_factory=dict)
    create_digest: str = ""
    # The appropriation year it is charged to: its encumbrance, receipts, invoices, credits and release all
    # count against that year's budget line. None only for orders entered before fiscal years were kept.
    fiscal_year: int | None = None


@dataclass(frozen=True, slots=True)
class POVersion:
    po_id: str
    version: int
    reason: str
    total_minor: int
    max_total_minor: int | None
    lines: tuple[Mapping[str, Any], ...]
    changed: Stamp
    entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    receipt: Receipt
    number: str | None
    note: str
    created: Stamp
    entry_id: str | None = None
    amounts_minor: Mapping[int, int] = field(default_factory=dict)
    create_digest: str = ""


@dataclass(frozen=True, slots=True)
class PromptPayDates:
    acceptance_date: dt.date | None = None
    receipt_date: dt.date | None = None
    due_date: dt.date | None = None
    policy_version: str | None = None
    # The prompt-payment rule set the due date was computed under: "name@version[/category]" (issue 18).
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    invoice: Invoice
    version: int
    entered: Stamp
    last_changed: Stamp
    match_result_id: str | None = None
    match_digest: str | None = None
    policy_version: str | None = None
    prompt_pay: PromptPayDates = PromptPayDates()
    defects: tuple[Mapping[str, Any], ...] | None = None
    return_by: dt.date | None = None
    returned: Stamp = Stamp()
    approval_entry_id: str | None = None
    approved_at: str | None = None
    create_digest: str = ""


@dataclass(frozen=True, slots=True)
class CreditMemoRecord:
    memo: CreditMemo
    reason: str
    created: Stamp
    entry_id: str | None = None
    create_digest: str = ""


@dataclass(frozen=True, slots=True)
class MatchRecord:
    id: str
    invoice_id: str
    invoice_version: int
    matched_at: str
    trigger: str
    policy_version: str
    digest: str
    findings: tuple[Mapping[str, Any], ...]
    status_after: str


@dataclass(frozen=True, slots=True)
class HoldRecord:
    id: str
    invoice_id: str
    hold: str
    rule: str
    subject: str
    fingerprint: str
    finding: Mapping[str, Any]
    status: str
    raised_at: str
    match_result_id: str
    released_at: str | None = None
    released_by: str | None = None
    release_kind: str | None = None
    reason: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.hold, self.rule, self.subject)
