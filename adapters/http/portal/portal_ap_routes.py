"""/v1/portal invoices and payments: a vendor's own invoices (status timeline, holds in plain words, prompt-pay
interest), the invoices it submits, and its payments with their remittance.

The vendor is the token's, never a path or body value; another vendor's invoice or payment answers the same 404
as a missing one (``payments.portal.portal_service``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.disbursements.payment_routes import bank_references  # as staff see them
from adapters.http.ap.ap_io import (Amount, Currency, Quantity, Text, UnitPrice, after, day, listing, major, minor,
                                 price_major, price_minor, qty)
from adapters.http.http_errors import UnknownQueryParameter
from adapters.http.json_numbers import ExactNumberRoute
from adapters.http.auth import require
from adapters.http.fields import Identifier80
from adapters.http.idempotency import run_idempotent
from adapters.http.pagination import decode_cursor, page
from adapters.http.portal.portal import portal_router
from payments.disbursements.payment_states import PaymentStatus
from payments.ap.prompt_pay_rules.agency import interest_in_words
from payments.identity import Action, Principal
from payments.portal.portal_messages import payment_returned_message
from payments.portal.portal_service import PaymentForVendor, VendorInvoice, VendorInvoiceLine, VendorPortal
from payments.disbursements.payment_records import PaymentRecord
from payments.portal.portal_status import payment_reference
from payments.portal.portal_timeline import AccruedInterest, InvoiceForVendor, TimelineEvent, parse_time

router = portal_router(route_class=ExactNumberRoute)


def _portal(request: Request) -> VendorPortal:
    return request.app.state.portal


def _time(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _event_out(e: TimelineEvent) -> dict:
    return {"event": e.event, "at": _time(e.at), "on": day(e.on), "message": e.message, **e.facts}


def _interest_out(i: AccruedInterest, currency: str) -> dict:
    return {"state": i.state, "as_of": day(i.as_of), "receipt_date": day(i.receipt_date), "due_date": day(i.due_date),
            "days_late": i.days_late,
            "annual_rate_pct": None if i.annual_rate is None else format((i.annual_rate * 100).normalize(), "f"),
            "accrued_interest": major(i.interest_minor, currency), "accrued_interest_minor": i.interest_minor,
            "payable_interest": major(i.payable_minor, currency), "payable_interest_minor": i.payable_minor,
            "rule": i.rule, "law": i.law}


def _reference(p: PaymentRecord) -> dict:
    """What the vendor's bank shows for the payment: an ACH trace number, or an ISO 20022 EndToEndId."""
    kind, value = payment_reference(p)
    return {"kind": kind, "value": value}


def invoice_summary(v: InvoiceForVendor) -> dict:
    inv, c = v.record.invoice, v.record.invoice.currency
    return {
        "id": inv.id, "invoice_number": inv.invoice_number, "invoice_date": day(inv.invoice_date),
        "received_on": day(inv.received_on), "currency": c, "total": major(inv.total_minor, c),
        "total_minor": inv.total_minor, "status": v.status, "status_text": v.status_text,
        "holds": [{"code": h.code, "message": h.message, "since": _time(h.since)} for h in v.holds],
        "prompt_pay": _interest_out(v.interest, c),
    }


def invoice_out(v: InvoiceForVendor) -> dict:
    inv, c = v.record.invoice, v.record.invoice.currency
    return {
        **invoice_summary(v),
        "terms": inv.terms, "remit_to": inv.remit_to, "defect_contact": inv.defect_contact,
        "lines": [{"line_no": x.line_no, "po_number": v.po_numbers.get(x.po_id or ""), "po_line_no": x.po_line_no,
                   "quantity": qty(x.quantity), "unit_price": price_major(x.unit_price_minor, c),
                   "amount": major(x.amount_minor, c), "amount_minor": x.amount_minor, "description": x.description,
                   "unit_of_measure": x.unit_of_measure} for x in inv.lines],
        "timeline": [_event_out(e) for e in v.events],
        "payments": [{"id": p.payment.id, "status": p.payment.status.value,
                      "expected_pay_date": p.payment.effective_date.isoformat(), "trace_number": p.payment.trace_number,
                      "end_to_end_id": p.payment.external_id, "bank_reference": _reference(p.payment),
                      "amount": major(p.item.paid_minor, c), "amount_minor": p.item.paid_minor} for p in v.payments],
    }


def payment_out(v: PaymentForVendor, learned: dict[str, dict | None] | None = None) -> dict:
    p, c, f = v.payment, v.payment.currency, v.facts
    returned = None
    if f.returned is not None:
        returned = {"reason_code": f.returned.reason_code, "returned_on": day(f.returned.returned_on),
                    "message": payment_returned_message(f.returned.reason_code, p.trace_number)}
    items = [{"invoice_id": i.invoice_id if i.invoice_id in v.invoice_dates else None,
              "invoice_number": i.invoice_number, "invoice_date": day(i.invoice_date),
              "amount": major(i.amount_minor, c), "amount_minor": i.amount_minor,
              "discount": major(i.discount_minor, c), "discount_minor": i.discount_minor,
              "interest": major(i.interest_minor, c), "interest_minor": i.interest_minor,
              "interest_rule": i.interest_rule,
              # the remittance advice in words: the law the interest was paid under, by name (issue 18)
              "interest_law": interest_in_words(i.interest_rule, i.interest_minor, c)
              if i.interest_minor and i.interest_rule else None,
              "paid": major(i.paid_minor, c), "paid_minor": i.paid_minor} for i in p.items]
    totals = {k: sum(getattr(i, f"{k}_minor") for i in p.items) for k in ("amount", "discount", "interest", "paid")}
    return {
        "id": p.id, "status": p.status.value, "kind": p.kind.value, "currency": c,
        "amount": major(p.amount_minor, c), "amount_minor": p.amount_minor,
        "expected_pay_date": p.effective_date.isoformat(), "effective_entry_date": p.effective_date.isoformat(),
        "trace_number": p.trace_number, "end_to_end_id": p.external_id, "bank_reference": _reference(p),
        "bank_own_reference": (learned or {}).get(p.id),
        "account": f"****{v.account_last4}" if v.account_last4 else None,
        "sent_at": _time(parse_time(f.sent_at)), "settled_on": day(f.settled_on), "returned": returned,
        "remittance": items,
        "totals": {**{k: major(v_, c) for k, v_ in totals.items()}, **{f"{k}_minor": v_ for k, v_ in totals.items()}},
        # Our credits against you that this payment deducts: the remittance advice a CCD+ addenda points to.
        "credits": [{"memo_number": x.memo_number, "memo_date": day(x.memo_date), "amount": major(x.amount_minor, c),
                     "amount_minor": x.amount_minor} for x in p.credits],
        "credits_total_minor": sum(x.amount_minor for x in p.credits),
    }


class PortalInvoiceLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=9999)
    po_number: str | None = Field(default=None, max_length=40, description="the purchase order number we sent you")
    po_line_no: int | None = Field(default=None, ge=1, le=9999)
    quantity: Quantity
    unit_price: UnitPrice
    description: Text = ""
    unit_of_measure: str | None = Field(default=None, max_length=20)


class PortalInvoiceIn(BaseModel):
    """An invoice a vendor sends us. Its vendor is the caller's; the received date is the day we get it."""

    model_config = ConfigDict(extra="forbid")
    invoice_number: Identifier80
    invoice_date: dt.date | None = None
    currency: Currency = "USD"
    terms: str = Field(default="", max_length=40)
    total: Amount | None = Field(default=None, description="the invoice total, major units")
    remit_to: Text = ""
    defect_contact: Text = ""
    lines: list[PortalInvoiceLineIn] = Field(min_length=1, max_length=1000)

    def submission(self) -> VendorInvoice:
        c = self.currency
        return VendorInvoice(self.invoice_number, self.invoice_date, c, tuple(
            VendorInvoiceLine(x.line_no, x.po_number, x.po_line_no, Decimal(x.quantity), price_minor(x.unit_price, c),
                              x.description, x.unit_of_measure) for x in self.lines),
            self.terms, minor(self.total, c), self.remit_to, self.defect_contact)


def _known_params(request: Request, *names: str) -> None:
    """A filter this list does not have is refused by name, never silently ignored (the list would look filtered)."""
    unknown = sorted(set(request.query_params) - {"cursor", "limit", *names})
    if unknown:
        raise UnknownQueryParameter(f"this list has no parameter {', '.join(unknown)}; it takes cursor, limit"
                                    + "".join(f", {n}" for n in names), field=unknown[0])


@router.get("/invoices")
def my_invoices(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200),
                status: str | None = Query(None, max_length=30, description="received, held, matched, approved, "
                                           "scheduled, paid, returned, returned_to_vendor or cancelled"),
                invoice_number: str | None = Query(None, max_length=80, description="your invoice number, exactly"),
                p: Principal = require(Action.PORTAL_READ)) -> dict:
    _known_params(request, "status", "invoice_number")
    rows = _portal(request).list_invoices(p, after=after(cursor), limit=limit + 1, status=status,
                                          invoice_number=invoice_number)
    return listing(rows, limit, lambda v: v.record.invoice.id, invoice_summary)


@router.get("/invoices/{invoice_id}")
def my_invoice(request: Request, invoice_id: str, p: Principal = require(Action.PORTAL_READ)) -> dict:
    return invoice_out(_portal(request).invoice(p, invoice_id))


@router.post("/invoices", status_code=201)
def submit_invoice(request: Request, body: PortalInvoiceIn, p: Principal = require(Action.PORTAL_SUBMIT_INVOICE)):
    """Send us an invoice: it is received today and matched at once, like one our clerks enter."""
    return run_idempotent(request, p, body.model_dump(mode="json"), lambda: (
        201, invoice_out(_portal(request).submit_invoice(p, body.submission()))))


@router.get("/payments")
def my_payments(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200),
                status: PaymentStatus | None = None, p: Principal = require(Action.PORTAL_READ)) -> dict:
    _known_params(request, "status")
    before = decode_cursor(cursor).get("before")
    rows = _portal(request).list_payments(p, before=str(before) if before else None, limit=limit + 1,
                                          status=status.value if status else None)
    result = page(rows, limit, lambda v: {"before": v.payment.id})
    learned = bank_references(request, [v.payment for v in result["items"]])
    result["items"] = [payment_out(v, learned) for v in result["items"]]
    return result


@router.get("/payments/{payment_id}")
def my_payment(request: Request, payment_id: str, p: Principal = require(Action.PORTAL_READ)) -> dict:
    seen = _portal(request).payment(p, payment_id)
    return payment_out(seen, bank_references(request, [seen.payment]))
