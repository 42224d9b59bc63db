"""What is stored about a vendor's bank accounts beside the change request: the account row and the contact on file.

The account row holds the full number only as ciphertext (sealed to its row id and column); everything here is
what may be shown: routing number, type, last four, a keyed fingerprint, and where the account stands.
"""

from __future__ import annotations

from typing import Any
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from payments.people.bank_accounts import (BANK_ACCOUNT_UNVERIFIED, DepositAccountType, BankAccountChange, BankChangeStatus,
                                           payment_hold_for)

ACCOUNT_NUMBER_COLUMN = "account_number"
"""The column name bound into every account-number ciphertext as associated data."""

BANK_ACCOUNT_SHARED = "bank_account_shared"
"""The hold a payment gets when its vendor's account (by fingerprint) is also on file for another vendor."""


class AccountStatus(StrEnum):
    """Where a stored bank account stands; it follows the change request that brought it."""

    PENDING = "pending"
    """Its change request is still being called back, approved, cooled off or prenoted."""
    ACTIVE = "active"
    """Payments go here; at most one per vendor."""
    SUPERSEDED = "superseded"
    """Was active until a newer account became active."""
    REJECTED = "rejected"
    """Its change request was rejected; never paid."""
    BLOCKED = "blocked"
    """Frozen on suspicion of fraud; never paid."""


# A change's status decides its account's status; anything before ACTIVE is still pending.
ACCOUNT_STATUS_FOR_CHANGE = {
    BankChangeStatus.ACTIVE: AccountStatus.ACTIVE,
    BankChangeStatus.REJECTED: AccountStatus.REJECTED,
    BankChangeStatus.BLOCKED: AccountStatus.BLOCKED,
}


@dataclass(frozen=True, slots=True)
class VendorContact:
    """The phone (and email) on file for a vendor: where call-backs go and where change notices are sent."""

    vendor_id: str
    phone: str
    email: str | None
    name: str | None
    updated_at: datetime
    updated_by: str

    def snapshot(self) -> dict[str, Any]:
        return {"vendor_id": self.vendor_id, "phone": self.phone, "email": self.email, "name": self.name}


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A vendor's bank account as it may be shown: never the full number."""

    account_id: str
    vendor_id: str
    routing_number: str
    account_type: DepositAccountType
    last4: str
    fingerprint: str
    status: AccountStatus
    change_id: str
    created_at: datetime
    activated_at: datetime | None = None

    @property
    def mask(self) -> str:
        return "****" + self.last4

    def snapshot(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "vendor_id": self.vendor_id, "routing_number": self.routing_number,
                "account_type": self.account_type.value, "mask": self.mask, "status": self.status.value,
                "change_id": self.change_id}


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A change request as stored: the domain record, the account it would activate, and fraud signals."""

    change: BankAccountChange
    bank_account_id: str
    shared_with_vendors: tuple[str, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        c = self.change
        return {"change_id": c.change_id, "vendor_id": c.vendor_id, "status": c.status.value,
                "account_mask": c.account_mask, "routing_number": c.routing_number,
                "requested_by": c.requested_by, "callback_by": c.callback.called_by if c.callback else None,
                "callback_outcome": c.callback.outcome.value if c.callback else None,
                "approved_by": c.approved_by,
                "cooling_off_until": c.cooling_off_until.isoformat() if c.cooling_off_until else None,
                "prenote_sent_at": c.prenote_sent_at.isoformat() if c.prenote_sent_at else None,
                "closed_by": c.closed_by, "close_reason": c.close_reason,
                "shared_with_vendors": list(self.shared_with_vendors)}


def payment_holds_of(vendor_id: str, record: ChangeRecord | None) -> list[str]:
    """Every hold on paying ``vendor_id`` at the account ``record``'s change brought: ``bank_account_unverified``
    when there is no such account, it is not active or it is another vendor's; else ``bank_account_shared`` while
    the account is also on file for another vendor and nobody has cleared that signal.

    The one rule both sides read: the vendor portal and staff views show these holds, and the payment run's
    bank-account source (``adapters/db/disbursements/payment_sources.py``) puts them on the account it would pay.
    """
    hold = payment_hold_for(vendor_id, record.change if record else None)
    if hold is not None or record is None:
        return [hold or BANK_ACCOUNT_UNVERIFIED]
    return [BANK_ACCOUNT_SHARED] if record.shared_with_vendors else []
