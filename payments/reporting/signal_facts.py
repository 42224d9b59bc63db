"""The facts the assist signals read (payments/reporting/signals.py): vendors, their bank accounts and contact
changes, invoices and payments, as plain values. The SQL read port and the planted year
(tests/signals_planted.py) both produce these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class VendorFact:
    vendor_id: str
    created_on: dt.date


@dataclass(frozen=True, slots=True)
class BankAccountFact:
    vendor_id: str
    account_id: str
    fingerprint: str  # keyed hash of routing and number: equal fingerprints are one bank account
    created_on: dt.date
    status: str = "active"  # a rejected one was never paid: no payment follows it, though it stays on file


@dataclass(frozen=True, slots=True)
class ContactChangeFact:
    vendor_id: str
    change_id: str
    on: dt.date


@dataclass(frozen=True, slots=True)
class InvoiceFact:
    invoice_id: str
    vendor_id: str
    number: str  # normalized (payments.ap: number_normalized)
    invoice_date: dt.date
    amount_minor: int
    as_written: str = ""  # the number as the vendor wrote it, for people (``number`` is what is compared)

    @property
    def shown(self) -> str:
        return self.as_written or self.number


@dataclass(frozen=True, slots=True)
class PaymentFact:
    payment_id: str
    vendor_id: str
    on: dt.date  # the effective date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class SignalFacts:
    vendors: tuple[VendorFact, ...] = ()
    bank_accounts: tuple[BankAccountFact, ...] = ()
    contact_changes: tuple[ContactChangeFact, ...] = ()
    invoices: tuple[InvoiceFact, ...] = ()
    payments: tuple[PaymentFact, ...] = field(default=())
