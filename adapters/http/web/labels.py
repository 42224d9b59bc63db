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
    "pending_approval": N_("Changed, waiting for approval"),
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


RUN_STATUSES = {
    "draft": N_("Draft, waiting to be released"),
    "released": N_("Released, waiting to be sent"),
    "submitted": N_("Handed to the bank"),
    "sent": N_("Sent"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}

SKIP_REASONS = {
    "held": N_("On hold"),
    "not_yet_due": N_("Not yet due"),
    "bank_account_unverified": N_("No verified bank account"),
    "bank_account_shared": N_("Bank account also on file for another vendor"),
    "prenote_pending": N_("Prenote not yet cleared"),
    "currency_mismatch": N_("Another currency than the run"),
    "amount_not_positive": N_("Nothing owed after discounts and credits"),
    "over_rail_limit": N_("Over the payment rail's limit"),
}


EXCEPTION_KINDS = {
    "unmatched_line": N_("Statement line matching nothing"),
    "amount_mismatch": N_("Amount differs from our payment"),
    "duplicate_line": N_("Second line for a settled payment"),
    "reference_unknown": N_("Reference naming nothing we sent"),
    "date_out_of_window": N_("Booked before the payment could leave"),
    "ambiguous_match": N_("Several payments fit"),
    "unsettled_payment": N_("Payment not seen leaving the bank"),
    "return_unmatched": N_("Return of none of our payments"),
    "return_mismatch": N_("Return that differs from our payment"),
    "duplicate_return": N_("Second return for a payment"),
    "return_dispute": N_("Dishonored or contested return"),
    "noc_unmatched": N_("Notification of change for none of our payments"),
    "noc_not_applied": N_("Notification of change not applied"),
    "noc_refused": N_("Refused notification of change"),
    "payment_rejected": N_("Bank refused a payment we show settled"),
    "over_rail_limit": N_("Payment left out: over the rail's limit"),
}

EXCEPTION_STATUSES = {
    "open": N_("Open"),
    "resolved": N_("Resolved"),
    "written_off": N_("Written off"),
}


BANK_CHANGE_STATUSES = {
    "requested": N_("Waiting for a call-back"),
    "callback_recorded": N_("Called back, waiting for approval"),
    "cooling_off": N_("Approved, cooling off"),
    "prenote_pending": N_("Prenote sent, waiting for it to clear"),
    "active": N_("Active: payments go here"),
    "rejected": N_("Rejected"),
    "blocked": N_("Blocked"),
}

CALLBACK_OUTCOMES = {
    "confirmed": N_("Confirmed: the vendor's known contact asked for this change"),
    "denied": N_("Denied: the vendor's known contact did not ask for it"),
    "unreachable": N_("Nobody who could confirm was reached"),
}


ACCOUNT_TYPES = {
    "asset": N_("Assets"),
    "liability": N_("Liabilities"),
    "fund_balance": N_("Fund balance"),
    "revenue": N_("Revenues"),
    "expenditure": N_("Expenditures"),
    "budgetary": N_("Budgetary"),
}

BALANCE_GROUPS = {
    "fund": N_("Fund"),
    "department": N_("Department"),
    "object_code": N_("Object code"),
}


def label(table: dict[str, str], code: str | None) -> str:
    """The msgid for a code, or the code itself when the table has none (a code added later still shows)."""
    return table.get(code or "", code or "")
