"""What the vendor portal reads, and the port its queries implement (``adapters/db/portal/portal_queries.py``).

Every query that takes a ``vendor_id`` filters by it in the query itself: an object of another vendor is not
found, exactly like one that does not exist. Nothing here relies on ids being hard to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from payments.ap.ap_ports import InvoiceRepository
from payments.ap.ap_records import HoldRecord
from payments.ap.prompt_pay_records import PromptPayRecords
from payments.disbursements.payment_ports import PaymentStore
from payments.people.identity_ports import IdentityUnitOfWork


@dataclass(frozen=True, slots=True)
class MatchStep:
    """One run of matching on an invoice: when, and whether it left the invoice held or matched."""

    match_id: str
    matched_at: str
    status_after: str


@dataclass(frozen=True, slots=True)
class ReturnFact:
    """A payment the receiving bank sent back: its reason code, the day the bank returned it, when we learned."""

    reason_code: str
    returned_on: dt.date
    recorded_at: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """What happened to a payment after it was planned, from the ledger and reconciliation."""

    updated_at: str | None = None
    sent_at: str | None = None  # when the rail accepted it (the payment_sent entry was recorded)
    settled_on: dt.date | None = None  # the bank statement's booking date
    returned: ReturnFact | None = None


class PortalQueries(Protocol):
    def invoice_ids(self, vendor_id: str, *, after: str | None, limit: int,
                    invoice_number: str | None = None) -> list[str]:
        """This vendor's invoice ids in id order, after ``after`` (only those numbered ``invoice_number``)."""
        ...

    def owns_invoice(self, vendor_id: str, invoice_id: str) -> bool:
        ...

    def match_steps(self, invoice_id: str) -> list[MatchStep]:
        """Every match result of the invoice, oldest first."""
        ...

    def payment_ids_for_invoice(self, invoice_id: str) -> list[str]:
        """Every payment (live or not) that carried the invoice, oldest first."""
        ...

    # A page of invoices is read with one statement per kind of fact for the whole page, never one per invoice
    # (a page of 25 took 342 statements that way): each of these answers for every id given, an id without any
    # maps to an empty list.
    def match_steps_of(self, invoice_ids: Iterable[str]) -> Mapping[str, list[MatchStep]]:
        """``match_steps`` of each invoice."""
        ...

    def holds_of(self, invoice_ids: Iterable[str]) -> Mapping[str, list[HoldRecord]]:
        """Every hold of each invoice, open or released, in id order."""
        ...

    def payment_ids_of_invoices(self, invoice_ids: Iterable[str]) -> Mapping[str, list[str]]:
        """``payment_ids_for_invoice`` of each invoice."""
        ...

    def payment_ids(self, vendor_id: str, *, before: str | None, limit: int, status: str | None = None) -> list[str]:
        """This vendor's payment ids, newest first, before ``before`` (only those in ``status``)."""
        ...

    def owns_payment(self, vendor_id: str, payment_id: str) -> bool:
        ...

    def payment_facts(self, payment_ids: Iterable[str]) -> Mapping[str, PaymentFacts]:
        ...

    def po_numbers(self, vendor_id: str, po_ids: Iterable[str]) -> Mapping[str, str]:
        """Numbers of those purchase orders that were issued to this vendor (others are left out)."""
        ...

    def po_id_by_number(self, vendor_id: str, number: str) -> str | None:
        """This vendor's purchase order with that number, or None (also when it is another vendor's)."""
        ...

    def invoice_labels(self, vendor_id: str, invoice_ids: Iterable[str]) -> Mapping[str, tuple[str, str | None]]:
        """(number, invoice date) of those invoices that are this vendor's."""
        ...

    def account_last4(self, vendor_id: str, account_ids: Iterable[str]) -> Mapping[str, str]:
        """The last four digits of those bank accounts that are this vendor's."""
        ...


class PortalUnitOfWork(IdentityUnitOfWork, Protocol):
    """The unit of work the portal reads in: its own vendor-scoped queries, the invoices, the payments, and the
    vendor's bank accounts (what holds its payments)."""

    portal: PortalQueries
    invoices: InvoiceRepository
    prompt_pay: PromptPayRecords  # what an invoice's act weighs besides its dates (disputes, payee kind, ...)
    payments: PaymentStore
