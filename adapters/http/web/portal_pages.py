"""The vendor portal's pages: my invoices with the plain-words timeline, my payments with their remittance
(printable, and as a PDF) and the proof that each is in the signed journal, sending an invoice, and asking for a
bank-account change.

Every read goes through ``VendorPortal`` (the service ``/v1/portal`` calls), scoped to the signed-in vendor in
SQL, so another vendor's invoice or payment is the same 404 page as one that does not exist. The words are
gettext's: the page says each step in the reader's language from the step's kind and facts; in English it adds
the service's own sentence, which names the purchase order, the quantities and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.disbursements.payment_routes import bank_references
from adapters.http.web.i18n import N_, language_of
from adapters.http.web.labels import HOLDS, PAYMENT_STATUSES
from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.remittance_pdf import remittance_pdf
from adapters.http.web.viewer import Viewer, page
from ledger.schedule import fingerprint
from payments.errors import DomainError
from payments.identity import Action
from payments.ledger_proofs import LedgerProofs
from payments.portal.portal_proofs import PaymentProof, PaymentProofs

router = web_router()
PAGE_SIZE = 25

VENDOR_STATUSES = {
    "received": N_("Received"),
    "held": N_("On hold"),
    "matched": N_("Matched, waiting for approval"),
    "approved": N_("Approved, waiting for a payment run"),
    "scheduled": N_("Scheduled for payment"),
    "sent": N_("Sent"),
    "paid": N_("Paid"),
    "returned": N_("Payment returned by your bank"),
    "returned_to_vendor": N_("Sent back to you"),
    "cancelled": N_("Cancelled"),
}
VENDOR_HOLDS = {
    **HOLDS,
    "bank_account_unverified": N_("No verified bank account yet"),
    "bank_account_shared": N_("Bank details to confirm with us"),
    "other_po": N_("Purchase order is not one we issued to you"),
}
# What the vendor can do about each kind of hold, in its own language.
WHAT_TO_DO = {
    "qty_received": N_("We pay once the rest is delivered and received; nothing is needed from you if it is on its way."),
    "qty_ordered": N_("Please send a credit memo or a corrected invoice for the excess."),
    "qty_accepted": N_("We pay once the rest passes inspection, or on a credit memo for what was rejected."),
    "price": N_("Please send a corrected invoice at the purchase-order price, or a credit memo for the difference."),
    "duplicate_suspected": N_("It looks like an invoice we already have. If it is a different bill, tell our accounts payable office."),
    "invoice_not_proper": N_("Some required information is missing. Please send a corrected invoice."),
    "bank_account_unverified": N_("Send us your bank details through this portal; we verify them before the first payment."),
    "payment_returned": N_("Check your bank details; if they changed, ask for a bank-account change here."),
}
EVENTS = {
    "received": N_("Received"),
    "held": N_("On hold"),
    "hold_released": N_("Hold cleared"),
    "matched": N_("Matched to the purchase order and what we received"),
    "approved": N_("Approved for payment"),
    "scheduled": N_("Scheduled for payment"),
    "sent": N_("Sent"),
    "paid": N_("Paid"),
    "returned": N_("Returned by your bank"),
    "payment_failed": N_("Payment could not be sent"),
    "payment_cancelled": N_("Payment withdrawn before it was sent"),
    "returned_to_vendor": N_("Sent back to you"),
    "cancelled": N_("Cancelled"),
}
INTEREST_STATES = {
    "not_started": N_("The prompt-payment clock has not started yet."),
    "not_due": N_("Not due yet: no interest."),
    "accruing": N_("Paying late: interest is accruing."),
    "not_accruing": N_("Late, but no interest runs yet under the law that applies."),
    "on_hold": N_("On hold: interest is not counted here while it is held."),
    "scheduled": N_("The scheduled payment includes this interest."),
    "sent": N_("The scheduled payment includes this interest."),
    "paid": N_("Paid with this interest."),
    "no_rate": N_("Late; the interest rate for these days is not published yet."),
}


def _words(request: Request) -> dict[str, Any]:
    return {"statuses": VENDOR_STATUSES, "hold_words": VENDOR_HOLDS, "what_to_do": WHAT_TO_DO, "events": EVENTS,
            "interest_states": INTEREST_STATES, "payment_statuses": PAYMENT_STATUSES,
            "english": language_of(request).code == "en"}


@router.get("/portal/invoices")
def my_invoices(request: Request, after: str | None = None, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    rows = request.app.state.portal.list_invoices(viewer.principal, after=(after or None) and after[:40],
                                                  limit=PAGE_SIZE + 1)
    next_after = rows[PAGE_SIZE - 1].record.invoice.id if len(rows) > PAGE_SIZE else None
    return render(request, "portal_invoices.html", rows=rows[:PAGE_SIZE], next_after=next_after,
                  first_page=not after, **_words(request))


@router.get("/portal/invoices/{invoice_id}")
def my_invoice(request: Request, invoice_id: str, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    found = request.app.state.portal.invoice(viewer.principal, invoice_id)
    return render(request, "portal_invoice.html", v=found, sent=request.query_params.get("sent") == "1",
                  **_words(request))


@router.get("/portal/payments")
def my_payments(request: Request, before: str | None = None, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    rows = request.app.state.portal.list_payments(viewer.principal, before=(before or None) and before[:40],
                                                  limit=PAGE_SIZE + 1)
    next_before = rows[PAGE_SIZE - 1].payment.id if len(rows) > PAGE_SIZE else None
    return render(request, "portal_payments.html", rows=rows[:PAGE_SIZE], next_before=next_before,
                  first_page=not before, **_words(request))


@router.get("/portal/payments/{payment_id}")
def my_payment(request: Request, payment_id: str, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    found = request.app.state.portal.payment(viewer.principal, payment_id)  # its own payment, or not found
    bank_ref = bank_references(request, [found.payment]).get(found.payment.id)  # a credit transfer's, once known
    return render(request, "portal_payment.html", v=found, bank_ref=bank_ref, **_words(request))


@router.get("/portal/payments/{payment_id}/remittance.pdf")
def my_remittance_pdf(request: Request, payment_id: str, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    found = request.app.state.portal.payment(viewer.principal, payment_id)
    body = remittance_pdf(found, language_of(request), request.app.state.settings.timezone)
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="remittance-{payment_id}.pdf"'})


# -- the proof that a payment is in the signed journal (docs/ledger-format.md section 10) -------------------
# The bundle is the one GET /v1/portal/payments/{id}/proof serves; PaymentProofs asks VendorPortal.payment
# first, so another vendor's payment is the 404 page here too.

# Why there is no proof yet, by PaymentProof.reason, in the reader's language.
NOT_YET = {
    "not_sent": N_("There is no proof for this payment yet: it has not been sent, so nothing about it is in our "
                   "journal. Come back once it has been sent."),
    "no_checkpoint_yet": N_("There is no proof for this payment yet: it is in our journal, but we have not signed "
                            "the journal since it was added. We sign it every night; come back tomorrow."),
}


def _proof(request: Request, viewer: Viewer, payment_id: str) -> PaymentProof:
    return PaymentProofs(request.app.state.portal,
                         LedgerProofs(request.app.state.uow)).for_payment(viewer.principal, payment_id)


@router.get("/portal/payments/{payment_id}/proof")
def my_payment_proof(request: Request, payment_id: str, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    found = request.app.state.portal.payment(viewer.principal, payment_id)  # another vendor's: the 404 page
    proof = _proof(request, viewer, payment_id)
    signed = None
    if proof.bundle is not None:
        cp, key = proof.bundle["checkpoint"], proof.bundle["public_key"]
        signed = {"sequence": cp["sequence"], "entry": proof.bundle["entry"]["sequence"],
                  "at": dt.datetime.fromisoformat(cp["created_at"].replace("Z", "+00:00")), "public_key": key,
                  "fingerprint": fingerprint(bytes.fromhex(key))}
    return render(request, "portal_proof.html", v=found, proof=proof, signed=signed,
                  not_yet=NOT_YET.get(proof.reason or "", NOT_YET["not_sent"]), payment_statuses=PAYMENT_STATUSES,
                  file_name=f"proof-{payment_id}.json")


@router.get("/portal/payments/{payment_id}/proof.json")
def my_payment_proof_file(request: Request, payment_id: str, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    proof = _proof(request, viewer, payment_id)
    if proof.bundle is None:  # nothing to download yet: the page says why
        return redirect(f"/portal/payments/{payment_id}/proof")
    return Response(json.dumps(proof.bundle, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="proof-{payment_id}.json"'})


# -- asking for a bank-account change -----------------------------------------------------------------------

@router.get("/portal/bank-account")
def bank_account(request: Request, viewer: Viewer = page(Action.PORTAL_REQUEST_BANK_CHANGE)) -> Response:
    return _bank_page(request, viewer, values={}, errors=[])


def _bank_page(request: Request, viewer: Viewer, *, values: dict[str, str], errors: list[tuple[str, str]],
               status: int = 200, problem: str | None = None) -> Response:
    svc = request.app.state.bank_accounts
    return render(request, "portal_bank.html", status=status, values=values, errors=errors, problem=problem,
                  accounts=svc.list_accounts(viewer.principal), changes=svc.list_changes(viewer.principal, limit=50),
                  requested=request.query_params.get("requested") == "1")


@router.post("/portal/bank-account")
async def request_bank_change(request: Request, viewer: Viewer = page(Action.PORTAL_REQUEST_BANK_CHANGE)) -> Response:
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k in ("routing_number", "account_type")}
    account = form.get("account_number")
    account = account.strip() if isinstance(account, str) else ""
    return await run_in_threadpool(_request_change, request, viewer, values, account)


def _request_change(request: Request, viewer: Viewer, values: dict[str, str], account: str) -> Response:
    errors = []
    routing = values.get("routing_number", "")
    if not (len(routing) == 9 and routing.isdigit()):
        errors.append(("routing_number", N_("Enter the nine-digit routing number.")))
    if not (4 <= len(account) <= 17 and account.isdigit()):
        errors.append(("account_number", N_("Enter the account number: 4 to 17 digits.")))
    if values.get("account_type") not in ("checking", "savings"):
        errors.append(("account_type", N_("Choose checking or savings.")))
    if errors:  # the account number is never sent back into the page
        return _bank_page(request, viewer, values=values, errors=errors, status=422)
    try:
        request.app.state.bank_accounts.request_change(viewer.principal, viewer.principal.vendor_id or "",
                                                       routing_number=routing, account_number=account,
                                                       account_type=values["account_type"])
    except DomainError as exc:
        return _bank_page(request, viewer, values=values, errors=[], problem=exc.message, status=status_for(exc))
    return redirect("/portal/bank-account?requested=1")
