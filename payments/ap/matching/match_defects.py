"""What makes an invoice improper (5 CFR 1315.9(b)), each defect in words a vendor can act on.

An improper invoice does not start the prompt-pay clock; it must be returned within 7 days listing EVERY
defect, so the checks below never stop at the first. Checks that need the PO (an unknown PO reference, a
different unit of measure) are made by matching, which has the PO facts; the rest read the invoice alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from payments.ap.documents import Invoice
from payments.ap.amounts import format_money
from payments.ap.terms import TermsNotUnderstood, parse_terms

_ZERO = Decimal(0)


class Defect(enum.Enum):
    """A reason an invoice is not a proper invoice."""

    NO_LINES = "no_lines"
    """The invoice bills nothing."""
    MISSING_INVOICE_NUMBER = "missing_invoice_number"
    """No invoice number."""
    MISSING_INVOICE_DATE = "missing_invoice_date"
    """No invoice date."""
    INVOICE_DATED_AFTER_RECEIPT = "invoice_dated_after_receipt"
    """Dated later than the day we received it."""
    MISSING_PO_REFERENCE = "missing_po_reference"
    """A line names no purchase order and line."""
    UNKNOWN_PO_REFERENCE = "unknown_po_reference"
    """A line names a purchase order or line we do not have."""
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    """A line bills zero or a negative quantity (credits belong on a credit memo)."""
    UNIT_PRICE_NEGATIVE = "unit_price_negative"
    """A line has a negative unit price."""
    UNIT_OF_MEASURE_DIFFERS = "unit_of_measure_differs"
    """A line bills in a different unit from the PO line, so quantities cannot be compared."""
    MISSING_TOTAL = "missing_total"
    """No invoice total."""
    TOTAL_DOES_NOT_ADD_UP = "total_does_not_add_up"
    """The printed total is not the sum of the lines."""
    TERMS_NOT_UNDERSTOOD = "terms_not_understood"
    """The payment terms cannot be read."""
    MISSING_REMIT_TO = "missing_remit_to"
    """No name and address to send payment to."""
    MISSING_DEFECT_CONTACT = "missing_defect_contact"
    """No person to contact about a defective invoice."""


_TEXT = {
    Defect.NO_LINES: "The invoice lists nothing to pay for.",
    Defect.MISSING_INVOICE_NUMBER: "The invoice has no invoice number.",
    Defect.MISSING_INVOICE_DATE: "The invoice has no invoice date.",
    Defect.INVOICE_DATED_AFTER_RECEIPT: "The invoice is dated {actual}, after the day we received it ({expected}).",
    Defect.MISSING_PO_REFERENCE: "Line {line} does not say which purchase order and PO line it bills.",
    Defect.UNKNOWN_PO_REFERENCE: "Line {line} refers to {actual}, which is not a purchase order line we issued to you.",
    Defect.QUANTITY_NOT_POSITIVE: "Line {line} bills a quantity of {actual}; please send credits as a credit memo.",
    Defect.UNIT_PRICE_NEGATIVE: "Line {line} has a negative unit price ({actual}).",
    Defect.UNIT_OF_MEASURE_DIFFERS: "Line {line} bills per {actual}, but the purchase order line is per {expected}.",
    Defect.MISSING_TOTAL: "The invoice does not show a total amount.",
    Defect.TOTAL_DOES_NOT_ADD_UP: "The invoice total is {actual}, but its lines add up to {expected}.",
    Defect.TERMS_NOT_UNDERSTOOD: "We cannot read the payment terms {actual!r}.",
    Defect.MISSING_REMIT_TO: "The invoice does not say where to send payment.",
    Defect.MISSING_DEFECT_CONTACT: "The invoice does not name a person to contact about problems with it.",
}


# Defects whose expected/actual are minor units, shown to people as money.
_AMOUNT_DEFECTS = frozenset({Defect.TOTAL_DOES_NOT_ADD_UP, Defect.UNIT_PRICE_NEGATIVE})


@dataclass(frozen=True, slots=True)
class InvoiceDefect:
    """One defect, where it is, and the values that show it."""

    defect: Defect
    line_no: int | None = None
    expected: str = ""
    actual: str = ""

    @property
    def subject(self) -> str:
        return f"defect:{self.defect.value}" + ("" if self.line_no is None else f"/invoice_line:{self.line_no}")

    def explain(self, currency: str) -> str:
        expected, actual = self.expected, self.actual
        if self.defect in _AMOUNT_DEFECTS:
            expected, actual = (format_money(Decimal(v), currency) if v else v for v in (expected, actual))
        return _TEXT[self.defect].format(line=self.line_no, expected=expected, actual=actual)


def intrinsic_defects(invoice: Invoice) -> list[InvoiceDefect]:
    """Every defect visible on the invoice alone, in a stable order."""
    total = invoice.total_minor
    found: list[InvoiceDefect] = []
    if not invoice.lines:
        found.append(InvoiceDefect(Defect.NO_LINES))
    if not invoice.invoice_number.strip():
        found.append(InvoiceDefect(Defect.MISSING_INVOICE_NUMBER))
    if invoice.invoice_date is None:
        found.append(InvoiceDefect(Defect.MISSING_INVOICE_DATE))
    elif invoice.received_on is not None and invoice.invoice_date > invoice.received_on:
        found.append(
            InvoiceDefect(
                Defect.INVOICE_DATED_AFTER_RECEIPT,
                expected=invoice.received_on.isoformat(),
                actual=invoice.invoice_date.isoformat(),
            )
        )
    for line in invoice.lines:
        if line.po_id is None or line.po_line_no is None:
            found.append(InvoiceDefect(Defect.MISSING_PO_REFERENCE, line.line_no))
        if line.quantity <= _ZERO:
            found.append(InvoiceDefect(Defect.QUANTITY_NOT_POSITIVE, line.line_no, actual=str(line.quantity)))
        if line.unit_price_minor < _ZERO:
            found.append(InvoiceDefect(Defect.UNIT_PRICE_NEGATIVE, line.line_no, actual=str(line.unit_price_minor)))
    if invoice.stated_total_minor is None:
        found.append(InvoiceDefect(Defect.MISSING_TOTAL))
    elif invoice.stated_total_minor != total:
        found.append(
            InvoiceDefect(
                Defect.TOTAL_DOES_NOT_ADD_UP,
                expected=str(total),
                actual=str(invoice.stated_total_minor),
            )
        )
    if invoice.terms.strip():
        try:
            parse_terms(invoice.terms)
        except TermsNotUnderstood:
            found.append(InvoiceDefect(Defect.TERMS_NOT_UNDERSTOOD, actual=invoice.terms))
    if not invoice.remit_to.strip():
        found.append(InvoiceDefect(Defect.MISSING_REMIT_TO))
    if not invoice.defect_contact.strip():
        found.append(InvoiceDefect(Defect.MISSING_DEFECT_CONTACT))
    return found
