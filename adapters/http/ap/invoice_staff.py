"""What staff see of an invoice beyond its record: everything the vendor sees, said for staff.

``GET /v1/invoices/{id}`` adds what stands in the way of paying it (its open holds and the vendor's bank-account
holds, ``bank_account_unverified`` or ``bank_account_shared``, each explained) and the payment plan: the due date,
the discount date, whether a run will take the discount, the first run date that pays it and when that payment
settles. A ``payment_returned`` hold says which payment came back, with which code, and what to do.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from payments.ap.documents import InvoiceStatus
from payments.people.bank_accounts import BANK_ACCOUNT_UNVERIFIED
from payments.people.bank_account_records import BANK_ACCOUNT_SHARED
from payments.reconciliation.bank_notices import is_account_level, return_family

BANK_HOLD_EXPLANATIONS = {
    BANK_ACCOUNT_UNVERIFIED: "The vendor has no active, verified bank account: a bank-account change must clear its "
                             "call-back, second approval, cooling-off and prenote before a run can pay this invoice.",
    BANK_ACCOUNT_SHARED: "The vendor's bank account is also on file for another vendor (a fraud signal): someone "
                         "who did not request the change must confirm it with the vendor and clear the signal.",
}
_PLANNED = frozenset({InvoiceStatus.MATCHED, InvoiceStatus.HELD, InvoiceStatus.APPROVED})


def payment_hold_explanation(hold: str, finding: dict[str, Any]) -> str | None:
    """The staff sentence for a hold the payment flow raised (a matching hold carries its own explanation)."""
    code, payment, message = finding.get("reason_code") or "", finding.get("payment_id") or "", finding.get("message")
    if hold == "payment_returned":
        what = ("the vendor's account is blocked until corrected bank details clear the quarantine; release this "
                "hold once they have" if is_account_level(code) else
                "release this hold, with a reason, once it is safe to pay again")
        return (f"Payment {payment} came back from the vendor's bank: return {code} "
                f"({return_family(code).value}). The invoice is approved and unpaid again; {what}."
                + (f" The vendor was told: {message}" if message else ""))
    if hold == "payment_failed":
        return f"Payment {payment} was refused before it moved money ({code}): {message or 'no reason given'}."
    return message


def staff_extras(request: Request, view: Any) -> dict[str, Any]:
    inv = view.record.invoice
    with request.app.state.uow(read_only=True) as uow:
        bank_holds = list(request.app.state.bank_accounts.payment_holds(uow, inv.vendor_id))
    plan = request.app.state.payments.pay_plan(inv.id) if inv.status in _PLANNED else None
    open_holds = sorted({h.hold for h in view.holds if h.status == "open"})
    return {
        "bank_account_holds": [{"hold": h, "explanation": BANK_HOLD_EXPLANATIONS.get(h, h)} for h in bank_holds],
        "stands_in_the_way": open_holds + [h for h in bank_holds if h not in open_holds],
        "payment_plan": plan.to_dict() if plan is not None else None,
    }
