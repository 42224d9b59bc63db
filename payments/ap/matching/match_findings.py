"""What matching says: findings, the holds they raise, and a replayable result.

A ``MatchResult`` lists EVERY finding, each naming the rule that failed, the expected and actual values,
the most that would have passed (``limit``), the hold it raises and a sentence a vendor can read. Its
``digest()`` is SHA-256 over a canonical JSON of the findings and the policy version, so the ledger can carry
the decision and anyone can recompute it from the same inputs and policy.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from payments.ap.amounts import format_quantity

# Bumped if the canonical form below ever changes, so an old digest is never compared with a new form.
DIGEST_FORMAT = 1

Value = Decimal | int | str


class Hold(enum.Enum):
    """A named reason an invoice may not be paid yet."""

    QTY_ORDERED = "qty_ordered"
    """More billed in total than was ordered."""
    QTY_RECEIVED = "qty_received"
    """More billed in total than has been received (3- and 4-way)."""
    QTY_ACCEPTED = "qty_accepted"
    """More billed in total than has passed inspection (4-way)."""
    PRICE = "price"
    """Unit price above the PO's."""
    AMOUNT_ORDERED = "amount_ordered"
    """More money billed on a PO line in total than it was ordered for."""
    MAX_TOTAL = "max_total"
    """More money billed on a PO in total than its ceiling."""
    PO_NOT_APPROVED = "po_not_approved"
    """The PO is still a draft."""
    PO_CLOSED = "po_closed"
    """The PO is closed or finally closed."""
    CURRENCY_MISMATCH = "currency_mismatch"
    """The invoice is in another currency than the PO."""
    DUPLICATE_SUSPECTED = "duplicate_suspected"
    """The invoice looks like one we already have."""
    VENDOR_MISMATCH = "vendor_mismatch"
    """The PO was issued to another vendor."""
    INVOICE_NOT_PROPER = "invoice_not_proper"
    """The invoice lacks something a proper invoice must have (5 CFR 1315.9)."""


# The hold names matching raises, and so may release when the facts clear them. Other modules put holds of
# their own on invoices (reconciliation's ``payment_returned``); those are released by a person only.
MATCH_HOLDS = frozenset(h.value for h in Hold)


class Rule(enum.Enum):
    """A matching rule; a failed rule is a finding."""

    BILLED_QTY_WITHIN_ORDERED = "billed_qty_within_ordered"
    """Cumulative net billed quantity <= ordered (+ tolerance)."""
    BILLED_QTY_WITHIN_RECEIVED = "billed_qty_within_received"
    """Cumulative net billed quantity <= received (+ tolerance)."""
    BILLED_QTY_WITHIN_ACCEPTED = "billed_qty_within_accepted"
    """Cumulative net billed quantity <= accepted (+ tolerance)."""
    UNIT_PRICE_WITHIN_PO = "unit_price_within_po"
    """Invoice unit price <= PO unit price (+ tolerance)."""
    BILLED_AMOUNT_WITHIN_ORDERED = "billed_amount_within_ordered"
    """Cumulative net billed amount of a PO line <= its ordered amount (+ tolerance)."""
    BILLED_TOTAL_WITHIN_CEILING = "billed_total_within_ceiling"
    """Cumulative net billed amount of a PO <= its ceiling (+ tolerance)."""
    PO_APPROVED = "po_approved"
    """The PO has been approved."""
    PO_OPEN = "po_open"
    """The PO is not closed."""
    SAME_CURRENCY = "same_currency"
    """Invoice and PO share a currency."""
    SAME_VENDOR = "same_vendor"
    """Invoice and PO name the same vendor."""
    NOT_A_DUPLICATE = "not_a_duplicate"
    """No earlier invoice looks like this one."""
    PROPER_INVOICE = "proper_invoice"
    """The invoice carries what a proper invoice must."""


def canonical_value(value: Value | None) -> Any:
    """Numbers without float: ints stay JSON ints, Decimals become normalized strings ("10", "2.5")."""
    if isinstance(value, Decimal):
        return format_quantity(value)
    return value


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed rule. ``subject`` says what it is about ("po:PO-7/line:1", "invoice_line:3", ...)."""

    rule: Rule
    hold: Hold
    subject: str
    expected: Value
    actual: Value
    explanation: str
    limit: Value | None = None
    po_id: str | None = None
    po_line_no: int | None = None
    invoice_line_nos: tuple[int, ...] = ()
    related_ids: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across re-matches: the same hold, rule and subject is the same hold instance."""
        return (self.hold.value, self.rule.value, self.subject)

    def canonical(self) -> dict[str, Any]:
        # The explanation is left out: rewording a sentence must not change a recorded decision.
        return {
            "rule": self.rule.value,
            "hold": self.hold.value,
            "subject": self.subject,
            "expected": canonical_value(self.expected),
            "actual": canonical_value(self.actual),
            "limit": canonical_value(self.limit),
            "po_id": self.po_id,
            "po_line_no": self.po_line_no,
            "invoice_line_nos": list(self.invoice_line_nos),
            "related_ids": list(self.related_ids),
            "detail": list(self.detail),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical finding: changes when any number in it changes."""
        return hashlib.sha256(canonical_json(self.canonical())).hexdigest()


def _order(finding: Finding) -> tuple[Any, ...]:
    return (finding.key, finding.invoice_line_nos, finding.related_ids, finding.detail)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Every finding for one invoice under one policy version; findings are kept in a canonical order."""

    invoice_id: str
    findings: tuple[Finding, ...]
    policy_version: str

    @classmethod
    def of(cls, invoice_id: str, findings: list[Finding], policy_version: str) -> MatchResult:
        return cls(invoice_id, tuple(sorted(findings, key=_order)), policy_version)

    @property
    def is_clean(self) -> bool:
        return not self.findings

    @property
    def holds(self) -> frozenset[Hold]:
        return frozenset(f.hold for f in self.findings)

    @property
    def hold_keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(f.key for f in self.findings)

    def canonical(self) -> dict[str, Any]:
        return {
            "digest_format": DIGEST_FORMAT,
            "policy_version": self.policy_version,
            "findings": [f.canonical() for f in self.findings],
        }

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the findings and the policy version."""
        return hashlib.sha256(canonical_json(self.canonical())).hexdigest()
