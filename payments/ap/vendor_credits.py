"""A vendor's open credits: what a credit memo still owes us back, per fund, and where it sits in the ledger. Pure.

A credit memo takes money off what we owe the vendor. Applied, it posts Dr Vouchers payable, but never more than
the vendor's vouchers payable in that fund: ``split_credit`` sends the excess to Vendor credits receivable
(``<fund>-1310``, an asset), so Vouchers payable for a vendor never goes below zero. Either part is then cleared:

* by **offset**: a payment run deducts open credits from the vendor's next payment(s) in the same fund (the payable
  part first), and its remittance names the credit;
* the receivable part also by a **refund** the vendor sends, matched on a bank statement (Dr Cash), or by a
  **write-off** one person asks for and a second approves (Dr Expenditures).

The counters are guarded by the store (a payment claims what is still open, or re-plans), so a credit is never
taken twice; a payment that fails, is returned or is cancelled gives back exactly what it took.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

VENDOR_CREDITS_RECEIVABLE = "1310"
"""The chart account (per fund) that holds credits larger than what we owed the vendor."""


def vendor_credits_receivable(fund: str) -> str:
    return f"{fund}-{VENDOR_CREDITS_RECEIVABLE}"


class WriteOffStatus(enum.StrEnum):
    """Where a request to write off a credit's receivable part stands."""

    REQUESTED = "requested"
    """Asked for, with a reason; waits for a second person."""
    APPROVED = "approved"
    """Approved by someone other than the requester; posted."""


@dataclass(frozen=True, slots=True)
class VendorCredit:
    """One credit memo's credit in one fund and what is left of it (all minor units)."""

    credit_memo_id: str
    fund: str
    vendor_id: str
    currency: str
    memo_number: str
    memo_date: dt.date
    amount_minor: int
    receivable_minor: int = 0  # the part that exceeded the vendor's vouchers payable: in Vendor credits receivable
    applied_minor: int = 0  # the payable part taken by live payments
    offset_receivable_minor: int = 0  # the receivable part taken by live payments
    cleared_minor: int = 0  # the receivable part cleared by a refund or a write-off
    write_off_status: WriteOffStatus | None = None
    write_off_requested_by: str | None = None
    write_off_reason: str | None = None

    @property
    def payable_open_minor(self) -> int:
        """What is still open of the part posted against Vouchers payable."""
        return self.amount_minor - self.receivable_minor - self.applied_minor

    @property
    def receivable_open_minor(self) -> int:
        """What is still open in Vendor credits receivable."""
        return self.receivable_minor - self.offset_receivable_minor - self.cleared_minor

    @property
    def open_minor(self) -> int:
        return self.payable_open_minor + self.receivable_open_minor


def split_credit(amount_minor: int, payable_minor: int) -> tuple[int, int]:
    """(against Vouchers payable, to Vendor credits receivable) for a credit of ``amount_minor`` when the vendor's
    vouchers payable in the fund stand at ``payable_minor``: never below zero."""
    to_payable = max(0, min(amount_minor, payable_minor))
    return to_payable, amount_minor - to_payable


def to_receivable(credits: Iterable[VendorCredit], fund: str, shortfall_minor: int) -> list[tuple[VendorCredit, int]]:
    """When what the vendor is owed in ``fund`` falls below the payable part of its open credits (an approved
    invoice the credit was counted against is cancelled), that much moves from Vouchers payable to Vendor credits
    receivable: (credit, amount) pairs, newest credit first, together ``shortfall_minor`` at most."""
    out: list[tuple[VendorCredit, int]] = []
    left = shortfall_minor
    for credit in sorted((c for c in credits if c.fund == fund and c.payable_open_minor > 0),
                         key=lambda c: (c.memo_date, c.credit_memo_id), reverse=True):
        if left <= 0:
            break
        moved = min(credit.payable_open_minor, left)
        out.append((credit, moved))
        left -= moved
    return out


@dataclass(frozen=True, slots=True)
class CreditTaken:
    """What one payment takes of one credit: ``amount_minor`` in all, ``receivable_minor`` of it from the
    receivable part (the rest from the payable part)."""

    credit_memo_id: str
    fund: str
    memo_number: str
    memo_date: dt.date
    amount_minor: int
    receivable_minor: int = 0

    @property
    def payable_minor(self) -> int:
        return self.amount_minor - self.receivable_minor


def take(credits: Iterable[VendorCredit], fund: str, up_to_minor: int) -> list[CreditTaken]:
    """Open credits of ``fund``, oldest first, taken against up to ``up_to_minor``: the payable part of each
    before its receivable part."""
    out: list[CreditTaken] = []
    left = up_to_minor
    for credit in sorted((c for c in credits if c.fund == fund and c.open_minor > 0),
                         key=lambda c: (c.memo_date, c.credit_memo_id)):
        if left <= 0:
            break
        payable = min(credit.payable_open_minor, left)
        receivable = min(credit.receivable_open_minor, left - payable)
        if payable + receivable:
            out.append(CreditTaken(credit.credit_memo_id, fund, credit.memo_number, credit.memo_date,
                                   payable + receivable, receivable))
            left -= payable + receivable
    return out


class VendorCreditStore(Protocol):
    """Vendor credits as stored (``adapters/db/ap/vendor_credit_repo.py``); never commits."""

    def payable_minor(self, vendor_id: str, currency: str, fund: str) -> int:
        """What a credit may still take off the vendor's vouchers payable in ``fund`` and leave them at zero or more
        once every live payment is sent: approved invoices no live payment carries, less the payable part of its
        credits that no live payment has taken. (An invoice a live payment carries leaves Vouchers payable at its
        full amount less only the credits that payment took, so a credit that arrives meanwhile cannot be counted
        against it.) Below zero after an approved invoice is cancelled: see ``to_receivable``."""
        ...

    def move_to_receivable(self, credit_memo_id: str, fund: str, amount_minor: int) -> bool:
        """Guarded: move ``amount_minor`` of the credit's open payable part to its receivable part."""
        ...

    def clear_by_refund(self, credit_memo_id: str, fund: str, amount_minor: int) -> bool:
        """Guarded: clear ``amount_minor`` of the receivable part (the vendor refunded it) if it is still open."""
        ...

    def add(self, credits: Sequence[VendorCredit]) -> None:
        """Record a credit memo's credit per fund."""
        ...

    def for_vendors(self, vendor_ids: Iterable[str], currency: str | None = None, *,
                    open_only: bool = True) -> list[VendorCredit]:
        """The vendors' credits (by default only those with something open), oldest first."""
        ...

    def get(self, credit_memo_id: str, fund: str, *, for_update: bool = False) -> VendorCredit | None:
        ...

    def request_write_off(self, credit_memo_id: str, fund: str, *, by: str, reason: str, at: dt.datetime) -> bool:
        """Guarded: only when no write-off is pending; False otherwise."""
        ...

    def approve_write_off(self, credit_memo_id: str, fund: str, *, by: str, amount_minor: int, entry_id: str | None,
                          at: dt.datetime) -> bool:
        """Guarded: clear ``amount_minor`` of the receivable part if it is still open and a write-off is pending."""
        ...
