"""The states of runs and payments and the reasons an invoice stays out of a run: the names every part of the
payments feature (planning, the store, submission, reconciliation, the portal) speaks. The transitions between
the states are one table in ``payment_rules``.
"""

from __future__ import annotations

import enum

from payments.people.bank_account_records import BANK_ACCOUNT_SHARED
from payments.people.bank_accounts import BANK_ACCOUNT_UNVERIFIED


class RunStatus(enum.StrEnum):
    """Where a payment run stands."""

    DRAFT = "draft"
    """Planned; waiting for a treasurer (or two) to release it."""
    RELEASED = "released"
    """Released for submission; the submit job will hand it to the rail."""
    SUBMITTED = "submitted"
    """Handed to the rail (or about to be); the rail's answer is not recorded yet."""
    SENT = "sent"
    """The rail accepted the batch; payment_sent is posted."""
    CLOSED = "closed"
    """Every payment reached a final state (settled, returned, failed or cancelled)."""

    CANCELLED = "cancelled"
    """Withdrawn by a person before submission, with a reason; its invoices were freed for a later run."""

class PaymentStatus(enum.StrEnum):
    """Where one payment stands."""

    SCHEDULED = "scheduled"
    """Planned in a run that has not been submitted."""
    SUBMITTED = "submitted"
    """Claimed for submission; the rail's answer is not recorded yet."""
    SENT = "sent"
    """Accepted by the rail."""
    SETTLED = "settled"
    """The bank statement shows it settled."""
    RETURNED = "returned"
    """The receiving bank sent it back (an ACH return)."""
    FAILED = "failed"
    """The rail or the bank refused it; nothing left the account."""
    CANCELLED = "cancelled"
    """Withdrawn before submission."""


# A live payment still holds its invoices: no second payment may be planned for them.
LIVE_PAYMENT_STATUSES = frozenset({PaymentStatus.SCHEDULED, PaymentStatus.SUBMITTED, PaymentStatus.SENT,
                                   PaymentStatus.SETTLED})
FINAL_PAYMENT_STATUSES = frozenset({PaymentStatus.SETTLED, PaymentStatus.RETURNED, PaymentStatus.FAILED,
                                    PaymentStatus.CANCELLED})


class PaymentKind(enum.StrEnum):
    """Whether a payment moves money."""

    LIVE = "live"
    """A real credit paying invoices."""
    PRENOTE = "prenote"
    """A zero-dollar prenotification (transaction code 23/33) testing a new account."""


class PayeeKind(enum.StrEnum):
    """Who is paid, which picks the SEC code."""

    BUSINESS = "business"
    """A company or government: CCD, CCD+ or CTX."""
    INDIVIDUAL = "individual"
    """A person's consumer account: PPD."""


class PayeeAccountStatus(enum.StrEnum):
    """Whether a vendor's bank account may receive payments."""

    ACTIVE = "active"
    """Verified and active."""
    PENDING = "pending"
    """A change is still being verified (call-back, cooling-off)."""
    BLOCKED = "blocked"
    """Frozen (suspected fraud, an R02/R03/R04 return)."""


class SkipReason(enum.StrEnum):
    """Why an approved invoice is not in this run."""

    HELD = "held"
    """It carries a hold (matching, duplicate, a person's hold)."""
    NOT_YET_DUE = "not_yet_due"
    """Its pay date is after the run date."""
    BANK_ACCOUNT_UNVERIFIED = BANK_ACCOUNT_UNVERIFIED
    """The vendor has no active bank account (or its prenote came back)."""
    BANK_ACCOUNT_SHARED = BANK_ACCOUNT_SHARED
    """The vendor's account is also on file for another vendor and nobody has cleared that fraud signal."""
    PRENOTE_PENDING = "prenote_pending"
    """The account's prenote has not cleared its waiting period yet."""
    CURRENCY_MISMATCH = "currency_mismatch"
    """The invoice is in another currency than the run."""
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    """After discounts the vendor is owed nothing in this run."""
    OVER_RAIL_LIMIT = "over_rail_limit"
    """The payment would exceed what the rail carries in one payment; someone must arrange it another way."""
