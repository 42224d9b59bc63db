"""Refusals of the accounts-payable use cases, each with a stable code (the HTTP table maps them)."""

from __future__ import annotations

from payments.errors import Conflict, Forbidden, InvalidInput, NotFound
from payments.errors import StaleState as StaleState  # re-exported: the AP code and its tests name it here too


class DocumentNotFound(NotFound):
    code = "not_found"

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} {object_id} does not exist.", kind=kind, object_id=object_id)


class DocumentExistsWithDifferentBody(Conflict):
    """A create named a client id that already exists with different content."""

    code = "document_exists_with_different_body"

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} {object_id} already exists with different content.", kind=kind,
                         object_id=object_id)


class CreatedConcurrently(Conflict):
    """Another request created a document with the same client-chosen id at the same moment; retrying replays it
    (or says its content differs)."""

    code = "created_concurrently"

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} {object_id} was created by another request at the same time; retry to see it.",
                         kind=kind, object_id=object_id)


class TinStorageUnavailable(InvalidInput):
    """A TIN was given but no field cipher is configured to store it encrypted."""

    code = "tin_storage_unavailable"

    def __init__(self) -> None:
        super().__init__("no field cipher is configured to store a TIN")


class DuplicateNumber(Conflict):
    """A purchase order (or a vendor's credit memo) number is already taken."""

    code = "duplicate_number"

    def __init__(self, kind: str, number: str, *, field: str | None = None) -> None:
        where = {"field": field} if field is not None else {}
        super().__init__(f"{kind} number {number!r} is already used.", kind=kind, number=number, **where)


class InsufficientFunds(Conflict):
    """Approving would encumber more than the budget line has available."""

    code = "insufficient_funds"

    def __init__(self, coding: str, needed_minor: int, available_minor: int, currency: str) -> None:
        super().__init__(
            f"{coding} has {available_minor} {currency} (minor units) available, but {needed_minor} is needed.",
            coding=coding, needed_minor=needed_minor, available_minor=available_minor, currency=currency,
        )


class UnknownCoding(InvalidInput):
    """A line is charged to a fund, department and object code that has no budget accounts (``field``, when given,
    names the document's line that carries it)."""

    code = "unknown_coding"

    def __init__(self, coding: str, *, field: str | None = None) -> None:
        where = {"field": field} if field is not None else {}
        super().__init__(f"No budget accounts exist for {coding}; set a budget for it first.", coding=coding, **where)


class UnknownFund(InvalidInput):
    code = "unknown_fund"

    def __init__(self, fund: str) -> None:
        super().__init__(f"Fund {fund} has no chart of accounts.", fund=fund)


class VendorNotActive(Conflict):
    """Orders and invoices need an active vendor."""

    code = "vendor_not_active"

    def __init__(self, vendor_id: str, status: str) -> None:
        super().__init__(f"Vendor {vendor_id} is {status}, not active.", vendor_id=vendor_id, status=status)


class PONotOpen(Conflict):
    """Receipts and change orders need an open (draft or approved) purchase order."""

    code = "po_not_open"

    def __init__(self, po_id: str, status: str) -> None:
        super().__init__(f"Purchase order {po_id} is {status}.", po_id=po_id, status=status)


class LineHasActivity(Conflict):
    """A change order would remove or shrink a PO line below what was already received or billed."""

    code = "po_line_has_activity"

    def __init__(self, po_id: str, line_no: int, why: str) -> None:
        super().__init__(f"Purchase order {po_id} line {line_no}: {why}.", po_id=po_id, line_no=line_no)


class InvalidDocument(InvalidInput):
    """A document's content breaks a rule about itself (field named in ``field``)."""

    code = "invalid_document"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code, field=field)


class InvoiceNotReady(Conflict):
    """Only an invoice matched clean (or with every hold released) may be approved."""

    code = "invoice_not_ready"

    def __init__(self, invoice_id: str, status: str) -> None:
        super().__init__(f"Invoice {invoice_id} is {status}; only a matched invoice may be approved.",
                         invoice_id=invoice_id, status=status)


class InvoiceInPayment(Conflict):
    """An invoice a live payment carries cannot be cancelled: cancel the payment first."""

    code = "invoice_in_payment"

    def __init__(self, invoice_id: str) -> None:
        super().__init__(f"Invoice {invoice_id} is in a payment that is still live; cancel that payment first.",
                         invoice_id=invoice_id)


class HoldNotOpen(Conflict):
    code = "hold_not_open"

    def __init__(self, hold_id: str) -> None:
        super().__init__(f"Hold {hold_id} is not open on this invoice.", hold_id=hold_id)


class InvoiceLocked(Conflict):
    """An approved, paid, returned or cancelled invoice can no longer be corrected."""

    code = "invoice_locked"

    def __init__(self, invoice_id: str, status: str) -> None:
        super().__init__(f"Invoice {invoice_id} is {status} and cannot be changed.", invoice_id=invoice_id,
                         status=status)


# -- ids, currencies and vendors named by a document (ap_deps) -------------------------------------------------------


class InvalidId(InvalidDocument):
    """A client-chosen id is not the kind's prefix and a ULID."""

    code = "invalid_id"


class UnknownDocumentCurrency(InvalidDocument):
    """A document's currency is not an ISO 4217 code we know."""

    code = "unknown_currency"


class UnknownVendor(InvalidDocument):
    """A document names a vendor that does not exist."""

    code = "unknown_vendor"


# -- approving invoices (invoice_approval) ---------------------------------------------------------------------------


class ResolveTheDispute(Conflict):
    """An invoice under an open dispute is not approved until the dispute is resolved."""

    code = "resolve_the_dispute"


class BudgetOverrideRequired(Forbidden):
    """Only a treasurer's override releases an insufficient-funds hold."""

    code = "budget_override_required"


class NoDuplicateHold(Conflict):
    """A duplicate was confirmed on an invoice that holds no open duplicate hold."""

    code = "no_duplicate_hold"


class NoBudgetHold(Conflict):
    """A budget override was asked for an invoice that holds no insufficient-funds hold."""

    code = "no_budget_hold"


class UncodedLine(InvalidDocument):
    """An invoice line without a fund, department and object code cannot be approved."""

    code = "uncoded_line"


# -- entering invoices (invoice_service) -----------------------------------------------------------------------------


class NotAVendor(InvalidDocument):
    """An invoice entered for a vendor by someone bound to another vendor."""

    code = "not_a_vendor"


class VendorFixed(InvalidDocument):
    """A correction may not move an invoice to another vendor."""

    code = "vendor_fixed"


class InvoiceIsProper(Conflict):
    """Only an invoice found improper is returned to its vendor as such."""

    code = "invoice_is_proper"


# -- order lines (po_lines, po_service) ------------------------------------------------------------------------------


class QuantityTooPrecise(InvalidDocument):
    """A quantity has more decimal places than the store keeps."""

    code = "quantity_too_precise"


class PriceTooPrecise(InvalidDocument):
    """A unit price has more decimal places than the currency's minor unit allows."""

    code = "price_too_precise"


class AmountTooLarge(InvalidDocument):
    """A line's amount is beyond what the ledger carries."""

    code = "amount_too_large"


class FiscalYearNotOpen(InvalidDocument):
    """An order is dated in a fiscal year whose budget is not open."""

    code = "fiscal_year_not_open"


# -- receipts (receipt_service) --------------------------------------------------------------------------------------


class UnknownPO(InvalidDocument):
    """A receipt names a purchase order that does not exist."""

    code = "unknown_po"


class UnknownPOLine(InvalidDocument):
    """A receipt names a line its purchase order does not have."""

    code = "unknown_po_line"


class ReturnExceedsReceived(InvalidDocument):
    """A return gives back more than was received on the line."""

    code = "return_exceeds_received"


class AcceptanceExceedsReceived(InvalidDocument):
    """An acceptance accepts more than was received on the line."""

    code = "acceptance_exceeds_received"


# -- vendors, credits and the worklist -------------------------------------------------------------------------------


class NoWriteOffRequested(Conflict):
    """A credit's write-off was approved with no write-off requested."""

    code = "no_write_off_requested"


class InvalidTIN(InvalidDocument):
    """A vendor's TIN is not nine digits of a valid EIN or SSN."""

    code = "invalid_tin"


class InvalidLimit(InvalidInput):
    """A list was asked for a page size outside what it serves."""

    code = "invalid_limit"
