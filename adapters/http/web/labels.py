"""The words pages show for codes (statuses, holds, sort orders): msgids, translated where they are shown."""

from __future__ import annotations

from adapters.http.web.i18n import N_

INVOICE_STATUSES = {
    "entered": N_("Entered, not yet matched"),
    "held": N_("On hold"),
    "matched": N_("Matched, ready for approval"),
    "approved": N_("Approved"),
    "paid": N_("Paid"),
    "returned": N_("Returned to the vendor"),
    "cancelled": N_("Cancelled"),
}

HOLDS = {
    "qty_ordered": N_("More billed than ordered"),
    "qty_received": N_("More billed than received"),
    "qty_accepted": N_("More billed than accepted"),
    "price": N_("Price above the purchase order"),
    "amount_ordered": N_("More billed than the line was ordered for"),
    "max_total": N_("Purchase order limit reached"),
    "po_not_approved": N_("Purchase order not approved"),
    "po_closed": N_("Purchase order closed"),
    "currency_mismatch": N_("Currency differs from the purchase order"),
    "duplicate_suspected": N_("Possible duplicate"),
    "vendor_mismatch": N_("Purchase order of another vendor"),
    "invoice_not_proper": N_("Invoice missing information"),
    "payment_returned": N_("Payment returned by the bank"),
    "payment_failed": N_("Payment refused before it was sent"),
    "over_rail_limit": N_("Over the payment rail's limit"),
}

INVOICE_SORTS = {
    "received": N_("Order received"),
    "due": N_("Due date"),
    "total": N_("Total"),
    "number": N_("Invoice number"),
}

PO_STATUSES = {
    "draft": N_("Draft"),
    "approved": N_("Approved"),
    "closed": N_("Closed"),
    "finally_closed": N_("Finally closed"),
}

PAYMENT_STATUSES = {
    "scheduled": N_("Scheduled"),
    "submitted": N_("Submitted to the bank"),
    "sent": N_("Sent"),
    "settled": N_("Settled"),
    "returned": N_("Returned by the bank"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}

SEARCH_KINDS = {
    "vendor": N_("Vendor"),
    "purchase_order": N_("Purchase order"),
    "invoice": N_("Invoice"),
    "payment": N_("Payment"),
}

MATCHED_ON = {
    "number": N_("number"),
    "name": N_("name"),
    "amount": N_("amount"),
    "trace_number": N_("trace number"),
    "end_to_end_id": N_("EndToEndId"),
}


def label(table: dict[str, str], code: str | None) -> str:
    """The msgid for a code, or the code itself when the table has none (a code added later still shows)."""
    return table.get(code or "", code or "")
