"""Where an invoice stands, in the vendor's words, saying only what has happened (issue 11, defect 5). Pure.

"scheduled for D" while its payment waits in a run; "sent, expected D" once the rail took it; "paid" only when a
statement shows it settled or its effective date has passed with no return (and it says which); "cancelled:
duplicate of your invoice X" for a duplicate we cancelled. A payment is named by what the vendor's bank shows: the
ACH trace number, or a credit transfer's EndToEndId (an ISO 20022 payment has no trace).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from payments.ap.ap_records import HoldRecord, InvoiceRecord
from payments.ap.documents import InvoiceStatus
from payments.ap.matching.match_findings import Hold
from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord
from payments.disbursements.payment_states import PaymentStatus
from payments.portal.portal_messages import VendorContext
from payments.portal.portal_ports import PaymentFacts

_SCHEDULED = frozenset({PaymentStatus.SCHEDULED, PaymentStatus.SUBMITTED})
_WITHDRAWN = frozenset({PaymentStatus.FAILED, PaymentStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class PaidWith:
    """A payment that carried this invoice, and this invoice's line of its remittance."""

    payment: PaymentRecord
    item: PaymentItemRecord
    facts: PaymentFacts


def payment_reference(p: PaymentRecord) -> tuple[str, str]:
    """What the vendor's bank shows for a payment: the ACH trace number, or for a credit transfer (ISO 20022,
    which has no trace) its EndToEndId."""
    return ("trace_number", p.trace_number) if p.trace_number else ("end_to_end_id", p.external_id)


def reference_words(p: PaymentRecord) -> str:
    kind, value = payment_reference(p)
    return f"trace number {value}" if kind == "trace_number" else f"end-to-end reference {value}"


def arrived(p: PaidWith, today: dt.date) -> bool:
    """The money is taken to have arrived: a statement showed it settled, or its effective date has passed and no
    return came back."""
    if p.facts.settled_on is not None or p.payment.status is PaymentStatus.SETTLED:
        return True
    return p.payment.status is PaymentStatus.SENT and p.payment.effective_date < today


def current(paid_with: Sequence[PaidWith]) -> PaidWith | None:
    """The payment that speaks for the invoice now: the latest, and of two made at the same moment (a run cancelled
    and made again within one clock tick) the one still in force, not the withdrawn or failed one."""
    return max(paid_with, key=lambda p: (p.payment.created_at, p.payment.status not in _WITHDRAWN), default=None)


def vendor_status(record: InvoiceRecord, paid_with: Sequence[PaidWith], today: dt.date | None = None) -> str:
    """The invoice's status in the vendor's words: received, held, matched, approved, scheduled (in a run not yet
    sent), sent (the rail took it; not yet settled), paid (settled, or its effective date passed with no return),
    returned (its payment came back), returned_to_vendor (improper, sent back), cancelled."""
    status = record.invoice.status
    if status is InvoiceStatus.ENTERED:
        return "received"
    if status is InvoiceStatus.RETURNED:
        return "returned_to_vendor"
    if status in (InvoiceStatus.HELD, InvoiceStatus.MATCHED, InvoiceStatus.CANCELLED):
        return str(status.value)
    latest = current(paid_with)
    if latest is None or latest.payment.status in _WITHDRAWN:
        return "approved"
    if latest.payment.status in _SCHEDULED:
        return "scheduled"
    if latest.payment.status is PaymentStatus.RETURNED:
        return "returned"
    if today is not None and not arrived(latest, today):
        return "sent"
    return "paid"


def status_words(status: str, record: InvoiceRecord, paid_with: Sequence[PaidWith], holds: Sequence[HoldRecord],
                 ctx: VendorContext, today: dt.date) -> str:
    """The status as a sentence that claims nothing that has not happened."""
    latest = current(paid_with)
    when = latest.payment.effective_date.isoformat() if latest else ""
    if status == "scheduled":
        return f"scheduled for {when}"
    if status == "sent":
        return f"sent, expected {when}"
    if status == "paid" and latest is not None:
        if latest.facts.settled_on is not None:
            return f"paid: settled {latest.facts.settled_on.isoformat()}"
        if latest.payment.status is PaymentStatus.SETTLED:
            return f"paid: settled, effective {when}"
        return f"paid: {when} has passed and your bank has returned nothing"
    if status == "cancelled":
        duplicate = _duplicate_of(holds, ctx)
        return f"cancelled: duplicate of your invoice {duplicate}" if duplicate else "cancelled: it will not be paid"
    return status.replace("_", " ")


def _duplicate_of(holds: Sequence[HoldRecord], ctx: VendorContext) -> str | None:
    """The vendor's number of the invoice a cancelled duplicate repeated (its duplicate hold names it)."""
    for h in holds:
        if h.hold == Hold.DUPLICATE_SUSPECTED.value and h.release_kind == "cancel":
            for other in (h.finding or {}).get("related_ids") or ():
                if other in ctx.own_invoices:
                    return str(ctx.own_invoices[other][0])
    return None
