"""The open checkbook: every payment that left the agency, as the public may see it.

One row per invoice a payment paid (its coding is the invoice's: fund, department, object), in payment-date
order. What is published, and what never is:

* the payee's name, unless the vendor is a natural person (flagged ``is_individual``, or paid to a consumer
  account, SEC code PPD): then ``Redacted payee``, the amount and coding still shown, as state checkbooks do;
* never a bank account number, a TIN or an address: the read port does not even carry them;
* a payment the bank sent back stays in the data with status ``returned`` (the money came back; the row says so,
  rather than vanishing and leaving a reader to wonder);
* only payments that left: ``sent``, ``settled`` or ``returned``; never a scheduled, failed or cancelled one.

The body reads through ``CheckbookSource`` (an iterator: memory does not grow with the year) and writes through
``CheckbookWriter``; both are ports adapters implement. The job and ``disburse publish checkbook`` call
``publish_checkbook``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

REDACTED_PAYEE = "Redacted payee"


class CheckbookStatus(enum.StrEnum):
    """What became of a published payment."""

    PAID = "paid"
    """Sent to the payee's bank (settled or on its way)."""
    RETURNED = "returned"
    """Sent, then returned by the payee's bank: the money came back."""


@dataclass(frozen=True, slots=True)
class PaidItem:
    """One invoice a payment paid, as the read port finds it (no account number, TIN or address)."""

    payment_id: str
    payment_date: dt.date
    vendor_id: str
    vendor_name: str
    vendor_is_individual: bool
    sec_code: str
    rail: str
    payment_status: str
    invoice_id: str
    invoice_number: str
    currency: str
    amount_minor: int  # what the payment paid for this invoice: invoice amount less discount plus interest
    fund: str
    department: str | None
    object_code: str | None
    po_number: str | None
    po_description: str | None


@dataclass(frozen=True, slots=True)
class CheckbookRow:
    """One published row."""

    payment_id: str
    invoice_id: str
    payment_date: dt.date
    payee: str
    payee_redacted: bool
    amount_minor: int
    currency: str
    fund: str
    department: str | None
    object_code: str | None
    description: str | None
    method: str
    po_number: str | None
    invoice_number: str
    status: CheckbookStatus


class CheckbookSource(Protocol):
    def paid_items(self) -> Iterator[PaidItem]:
        """Every invoice of every payment that left (sent, settled, returned), ordered by payment date, payment id
        and invoice id; streamed, never loaded whole."""
        ...


@dataclass(frozen=True, slots=True)
class Publication:
    """What a publishing run wrote: rows, and whether any file changed (False: already up to date)."""

    rows: int
    changed: bool
    files: tuple[str, ...]


class CheckbookWriter(Protocol):
    def publish(self, rows: Iterable[CheckbookRow]) -> Publication:
        """Write the dataset (data files and their description) atomically; files whose bytes would not change are
        left untouched, so publishing twice is publishing once."""
        ...


# PPD is a consumer account: a person, whatever the vendor record says.
_PERSON_SEC_CODES = frozenset({"PPD"})


def method_of(rail: str, sec_code: str) -> str:
    """How the money moved, in words a reader knows: ACH for NACHA-shaped rails, else a credit transfer."""
    return "credit transfer" if rail == "iso20022" else "ACH"


def public_row(item: PaidItem) -> CheckbookRow:
    """The row the public sees for one paid invoice."""
    redacted = item.vendor_is_individual or item.sec_code in _PERSON_SEC_CODES
    status = CheckbookStatus.RETURNED if item.payment_status == "returned" else CheckbookStatus.PAID
    return CheckbookRow(
        payment_id=item.payment_id, invoice_id=item.invoice_id, payment_date=item.payment_date,
        payee=REDACTED_PAYEE if redacted else item.vendor_name, payee_redacted=redacted,
        amount_minor=item.amount_minor, currency=item.currency, fund=item.fund, department=item.department,
        object_code=item.object_code, description=item.po_description or None,
        method=method_of(item.rail, item.sec_code),
        # A person's invoice number can carry their name or case number: it goes with the name.
        po_number=item.po_number, invoice_number="" if redacted else item.invoice_number, status=status)


def publish_checkbook(source: CheckbookSource, writer: CheckbookWriter) -> Publication:
    """The scheduled job's body and ``disburse publish checkbook``: stream every paid item through redaction into
    the writer."""
    return writer.publish(public_row(item) for item in source.paid_items())
