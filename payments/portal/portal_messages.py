"""What a vendor is told about a hold, in words it can act on, built from the finding's facts alone.

Matching writes an ``explanation`` for staff too, and it names things a vendor must not see: the tolerance we
would have accepted ("we can accept up to …"), another vendor's purchase order or invoice, a vendor id. So the
portal never shows that sentence; it writes its own from the finding's structured fields, one message per hold
code, and shows a purchase order or another invoice only when it belongs to the vendor asking. A finding about
a purchase order that is not the vendor's says only that: the quantities and prices on it are someone else's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from payments.people.bank_account_records import BANK_ACCOUNT_SHARED
from payments.people.bank_accounts import BANK_ACCOUNT_UNVERIFIED
from payments.reconciliation.bank_notices import vendor_reason
from payments.ap.amounts import format_money
from payments.ap.matching.match_defects import Defect, InvoiceDefect
from payments.ap.matching.match_findings import Hold
from payments.ap.prompt_pay_records import DISPUTE_HOLD

PAYMENT_RETURNED = "payment_returned"
PAYMENT_FAILED = "payment_failed"
OVER_RAIL_LIMIT = "over_rail_limit"

_SIGNALS = {
    "same_number": "it has the same invoice number",
    "same_amount_near_date": "it is for the same amount and dated within a few days of it",
    "same_file": "it is the very same file",
}


@dataclass(frozen=True, slots=True)
class VendorContext:
    """What the portal may name for this vendor: its own purchase orders (id -> number) and invoices
    (id -> (number, invoice date)). Anything not in here is somebody else's and is never named."""

    currency: str
    po_numbers: Mapping[str, str]
    own_invoices: Mapping[str, tuple[str, str | None]]

    def po(self, po_id: Any) -> str | None:
        return self.po_numbers.get(po_id) if isinstance(po_id, str) else None


def _money(value: Any, currency: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return str(value)


def _lines(finding: Mapping[str, Any], verb: str) -> str:
    """'Line 1 of this invoice bills', 'Lines 1, 3 of this invoice bill', 'This invoice bills'."""
    nos = [str(n) for n in finding.get("invoice_line_nos") or ()]
    if len(nos) > 1:
        return "Lines " + ", ".join(nos) + f" of this invoice {verb}"
    return (f"Line {nos[0]} of this invoice" if nos else "This invoice") + f" {verb}s"


def _po_line(number: str, finding: Mapping[str, Any]) -> str:
    line = finding.get("po_line_no")
    return f"purchase order {number}" + (f" line {line}" if line is not None else "")


_QTY = {
    Hold.QTY_ORDERED.value: ("{billed} have now been billed, but {cap} were ordered.",
                             "Please send a credit memo or a corrected invoice for the excess."),
    Hold.QTY_RECEIVED.value: ("{billed} have now been billed, but we have received {cap} so far.",
                              "We will pay once the rest has been delivered and received; nothing is needed from "
                              "you if it is on its way."),
    Hold.QTY_ACCEPTED.value: ("{billed} have now been billed, but {cap} have passed our inspection.",
                              "We will pay once the rest passes inspection, or on a credit memo for what was "
                              "rejected."),
}


def _po_finding(code: str, f: Mapping[str, Any], po: str, currency: str) -> str | None:
    where = _po_line(po, f)
    if code in _QTY:
        fact, remedy = _QTY[code]
        return (f"{_lines(f, 'bill')} {where}. Counting earlier invoices and credits, "
                + fact.format(billed=f.get("actual"), cap=f.get("expected")) + " " + remedy)
    if code == Hold.PRICE.value:
        return (f"{_lines(f, 'bill')} a unit price of {_money(f.get('actual'), currency)}, but {where} sets "
                f"{_money(f.get('expected'), currency)}. Please send a corrected invoice, or ask your buyer to "
                "amend the purchase order.")
    if code == Hold.AMOUNT_ORDERED.value:
        return (f"{where[0].upper()}{where[1:]} was ordered for {_money(f.get('expected'), currency)}; counting this "
                f"invoice, earlier invoices and credits, {_money(f.get('actual'), currency)} has been billed against "
                "it. Please send a credit memo or a corrected invoice for the excess.")
    if code == Hold.MAX_TOTAL.value:
        return (f"Purchase order {po} allows {_money(f.get('expected'), currency)} in total; counting this invoice, "
                f"earlier invoices and credits, {_money(f.get('actual'), currency)} has been billed against it. "
                "Please send a credit memo, or ask your buyer to raise the purchase order's limit.")
    if code == Hold.PO_NOT_APPROVED.value:
        return (f"Purchase order {po} has not been approved yet, so we cannot pay against it. Nothing is needed "
                "from you: we will match this invoice again once it is approved.")
    if code == Hold.PO_CLOSED.value:
        return f"Purchase order {po} is closed and cannot be billed any more. Please contact your buyer."
    if code == Hold.CURRENCY_MISMATCH.value:
        return (f"This invoice is in {f.get('actual')}, but purchase order {po} is in {f.get('expected')}. "
                f"Please send a corrected invoice in {f.get('expected')}.")
    return None


NOT_YOUR_PO = ("A line of this invoice refers to a purchase order that was not issued to you. Please check the "
               "purchase order number and send a corrected invoice.")


def _duplicate(f: Mapping[str, Any], ctx: VendorContext) -> str:
    reasons = " and ".join(_SIGNALS[s] for s in f.get("detail") or () if s in _SIGNALS)
    others = [ctx.own_invoices[i] for i in f.get("related_ids") or () if i in ctx.own_invoices]
    if others:
        number, dated = others[0]
        like = f"your invoice {number}" + (f" dated {dated}" if dated else "")
        why = f": {reasons}" if reasons else ""
        return (f"This invoice looks like {like}, which we already have{why}. We will not pay the same bill "
                "twice; if this is a different bill, tell us and we will check.")
    return ("This invoice looks like one we already have. We will not pay the same bill twice; if this is a "
            "different bill, tell us and we will check.")


def _defect_text(f: Mapping[str, Any], currency: str) -> str:
    detail = list(f.get("detail") or ())
    lines = list(f.get("invoice_line_nos") or ())
    try:
        defect = Defect(detail[0])
    except (IndexError, ValueError):
        return "The invoice is missing something a proper invoice must have."
    return InvoiceDefect(defect, lines[0] if lines else None, str(f.get("expected") or ""),
                         str(f.get("actual") or "")).explain(currency)


def improper_message(findings: Sequence[Mapping[str, Any]], currency: str) -> str:
    """Every defect of an improper invoice, in one message (the law asks us to list them all at once)."""
    texts = [_defect_text(f, currency) for f in findings]
    return ("We cannot pay this invoice as sent: it is missing information a proper invoice must have. "
            + " ".join(texts) + " Please send a corrected invoice.")


def payment_returned_message(reason_code: str, trace_number: str | None = None) -> str:
    which = f"our payment (trace number {trace_number})" if trace_number else "our payment"
    return f"Your bank returned {which} with reason {reason_code}. {vendor_reason(reason_code)}"


BANK_HOLD_MESSAGES = {
    BANK_ACCOUNT_UNVERIFIED: (
        "We do not have a verified bank account for you yet, so we cannot send this payment. If you have asked "
        "to change your bank details, the change is being verified: we call you back on the phone number we have "
        "on file and wait a short period before the first payment. Otherwise, please send us your bank details "
        "through the portal."),
    # Said without the reason (an account on file for another vendor too): that would be another vendor's fact.
    BANK_ACCOUNT_SHARED: (
        "Before we can pay, our accounts payable staff need to confirm your bank details with you; they will call "
        "you on the phone number we have on file."),
}


def vendor_code(code: str, finding: Mapping[str, Any], ctx: VendorContext) -> str:
    """The hold's code as the vendor sees it: any finding about a purchase order that is not the vendor's reads as
    ``vendor_mismatch``, so that not even the kind of finding (a price, a quantity) tells of another's order."""
    po_id = finding.get("po_id")
    own_kinds = (Hold.INVOICE_NOT_PROPER.value, PAYMENT_RETURNED, PAYMENT_FAILED, OVER_RAIL_LIMIT)
    if po_id is not None and ctx.po(po_id) is None and code not in own_kinds:
        return Hold.VENDOR_MISMATCH.value
    return code


def hold_message(code: str, finding: Mapping[str, Any], ctx: VendorContext) -> str:
    """The sentence a vendor sees for one hold (``invoice_not_proper`` findings are grouped by ``improper_message``)."""
    if code == Hold.INVOICE_NOT_PROPER.value:
        return improper_message([finding], ctx.currency)
    if code == Hold.DUPLICATE_SUSPECTED.value:
        return _duplicate(finding, ctx)
    if vendor_code(code, finding, ctx) == Hold.VENDOR_MISMATCH.value:
        return NOT_YOUR_PO
    if code == PAYMENT_RETURNED:
        return payment_returned_message(str(finding.get("reason_code") or ""), finding.get("trace_number"))
    if code == PAYMENT_FAILED:
        return ("Our bank could not send the payment for this invoice. Nothing left our account; we will pay it in a "
                "coming payment run.")
    if code == OVER_RAIL_LIMIT:  # the limit itself is our bank's arrangement, not the vendor's concern
        return ("This payment is larger than we send in one electronic payment; our treasury staff are arranging to "
                "pay it another way and will contact you if they need anything.")
    if code in BANK_HOLD_MESSAGES:
        return BANK_HOLD_MESSAGES[code]
    if code == DISPUTE_HOLD:
        return (f"On {finding.get('noticed_on')} we told you we dispute this invoice: {finding.get('reason')}. We will "
                "pay it once the dispute is resolved.")
    po = ctx.po(finding.get("po_id"))
    if po is not None:
        text = _po_finding(code, finding, po, ctx.currency)
        if text is not None:
            return text
    return ("Our accounts payable staff are reviewing this invoice before it can be paid; they will contact you "
            "if they need anything.")
