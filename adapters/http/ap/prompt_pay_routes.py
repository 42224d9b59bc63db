"""What staff record for prompt payment beside the documents (issue 18):

- ``/v1/invoices/{id}/disputes`` (+ ``/{dispute_id}:resolve``): a dispute noticed to the vendor holds the invoice
  (``invoice_disputed``) until it is resolved for the agency or the vendor; the answer says whether the notice was
  in time under the invoice's act and by when it had to be.
- ``/v1/invoices/{id}/clock-stops`` (+ ``/{stop_id}:end``): a reason the invoice's act names that takes the payment
  out of the act or pauses its clock.
- ``/v1/vendors/{id}/prompt-pay``: the payee's kind (``government``, ``state_agency``, ``employee``) and the rule set
  its contracts follow; ``/v1/purchase-orders/{id}/prompt-pay``: federal or grant money, the day it arrived, and
  the contract's rule set. A ``PUT`` names the ``expected_version`` it read (0 when none was set).

Disputes and stops: ``invoice.dispute`` (approvers); vendors' terms: ``vendor.update``; orders': ``po.approve``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.ap.ap_io import Amount, Text, day, major, minor, services, stamp
from adapters.http.auth import require
from adapters.http.idempotency import run_idempotent
from payments.ap.invoice_disputes import DisputeResolution, DisputeView, NewClockStop, NewDispute
from payments.ap.prompt_pay_records import ClockStopRecord, POPromptPay, ResolvedFor, VendorPromptPay
from payments.ap.prompt_pay_terms import POTerms, VendorTerms
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1", tags=["prompt pay"])

RuleSetName = Field(default=None, min_length=1, max_length=40, description="a prompt-payment rule set, e.g. texas")


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    noticed_on: dt.date = Field(description="the day the vendor was notified of the dispute")
    reason: Text = Field(description="what is disputed, as told to the vendor")
    disputed_amount: Amount | None = Field(default=None, description="the amount disputed, major units")


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolved_for: ResolvedFor
    resolved_on: dt.date
    resolution: Text = ""
    corrected_invoice_received_on: dt.date | None = Field(
        default=None, description="the day the corrected invoice arrived (an act that restarts the clock needs it)")


class ClockStopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=40, description="a stop the invoice's rule set names")
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    note: Text = ""


class StopEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: dt.date


class VendorTermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payee_kind: str | None = Field(default=None, max_length=20,
                                   description="government, state_agency, employee, or null for a business")
    rule_set: str | None = RuleSetName
    expected_version: int = Field(ge=0, le=2**31 - 1, description="the version read; 0 when none was set")


class POTermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    federally_funded: bool = False
    funds_received_on: dt.date | None = Field(default=None, description="the day the federal or grant money arrived")
    rule_set: str | None = RuleSetName
    expected_version: int = Field(ge=0, le=2**31 - 1, description="the version read; 0 when none was set")


def dispute_out(v: DisputeView, currency: str = "USD") -> dict[str, Any]:
    d = v.dispute
    return {"id": d.id, "invoice_id": d.invoice_id, "status": d.status.value, "noticed_on": day(d.noticed_on),
            "reason": d.reason, "disputed_amount": major(d.disputed_minor, currency), "disputed_minor": d.disputed_minor,
            "hold_id": d.hold_id, "opened": stamp(d.opened), "rule": v.rule,
            "notice_deadline": day(v.notice_deadline), "noticed_in_time": v.in_time,
            "resolved_for": d.resolved_for.value if d.resolved_for else None, "resolved_on": day(d.resolved_on),
            "corrected_invoice_received_on": day(d.corrected_received_on),
            "corrected_due_date": day(d.corrected_due_date), "resolution": d.resolution, "resolved": stamp(d.resolved)}


def stop_out(s: ClockStopRecord) -> dict[str, Any]:
    return {"id": s.id, "invoice_id": s.invoice_id, "reason": s.reason, "from": day(s.from_day), "to": day(s.to_day),
            "note": s.note, "recorded": stamp(s.recorded), "ended": stamp(s.ended)}


def vendor_terms_out(t: VendorPromptPay) -> dict[str, Any]:
    return {"vendor_id": t.vendor_id, "payee_kind": t.payee_kind, "rule_set": t.rule_set, "version": t.version,
            "updated": stamp(t.updated)}


def po_terms_out(t: POPromptPay) -> dict[str, Any]:
    return {"po_id": t.po_id, "federally_funded": t.federally_funded, "funds_received_on": day(t.funds_received_on),
            "rule_set": t.rule_set, "version": t.version, "updated": stamp(t.updated)}


def _currency(request: Request, invoice_id: str) -> str:
    return str(services(request).invoices.view(invoice_id).record.invoice.currency)


# -- disputes ------------------------------------------------------------------------------------------------

@router.post("/invoices/{invoice_id}/disputes", status_code=201)
def open_dispute(request: Request, invoice_id: str, body: DisputeIn, p: Principal = require(Action.INVOICE_DISPUTE)):
    def handler() -> tuple[int, dict[str, Any]]:
        currency = _currency(request, invoice_id)
        view = services(request).disputes.open(p, invoice_id, NewDispute(body.noticed_on, body.reason,
                                                                         minor(body.disputed_amount, currency)))
        return 201, dispute_out(view, currency)
    return run_idempotent(request, p, {"invoice_id": invoice_id, **body.model_dump(mode="json")}, handler)


@router.get("/invoices/{invoice_id}/disputes")
def list_disputes(request: Request, invoice_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict[str, Any]:
    currency = _currency(request, invoice_id)
    return {"items": [dispute_out(v, currency) for v in services(request).disputes.disputes(invoice_id)]}


@router.post("/invoices/{invoice_id}/disputes/{dispute_id}:resolve")
def resolve_dispute(request: Request, invoice_id: str, dispute_id: str, body: ResolutionIn,
                    p: Principal = require(Action.INVOICE_DISPUTE)):
    def handler() -> tuple[int, dict[str, Any]]:
        view = services(request).disputes.resolve(p, invoice_id, dispute_id, DisputeResolution(
            body.resolved_for, body.resolved_on, body.resolution, body.corrected_invoice_received_on))
        return 200, dispute_out(view, _currency(request, invoice_id))
    payload = {"invoice_id": invoice_id, "dispute_id": dispute_id, **body.model_dump(mode="json")}
    return run_idempotent(request, p, payload, handler)


# -- clock stops ---------------------------------------------------------------------------------------------

@router.post("/invoices/{invoice_id}/clock-stops", status_code=201)
def record_stop(request: Request, invoice_id: str, body: ClockStopIn, p: Principal = require(Action.INVOICE_DISPUTE)):
    def handler() -> tuple[int, dict[str, Any]]:
        stop = services(request).disputes.record_stop(p, invoice_id, NewClockStop(body.reason, body.from_, body.to,
                                                                                  body.note))
        return 201, stop_out(stop)
    return run_idempotent(request, p, {"invoice_id": invoice_id, **body.model_dump(mode="json", by_alias=True)},
                          handler)


@router.get("/invoices/{invoice_id}/clock-stops")
def list_stops(request: Request, invoice_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict[str, Any]:
    return {"items": [stop_out(s) for s in services(request).disputes.stops(invoice_id)]}


@router.post("/invoices/{invoice_id}/clock-stops/{stop_id}:end")
def end_stop(request: Request, invoice_id: str, stop_id: str, body: StopEndIn,
             p: Principal = require(Action.INVOICE_DISPUTE)) -> dict[str, Any]:
    return stop_out(services(request).disputes.end_stop(p, invoice_id, stop_id, body.to))


# -- vendors' and purchase orders' terms ---------------------------------------------------------------------

@router.get("/vendors/{vendor_id}/prompt-pay")
def vendor_terms(request: Request, vendor_id: str, _p: Principal = require(Action.VENDOR_READ)) -> dict[str, Any]:
    return vendor_terms_out(services(request).prompt_pay_terms.vendor(vendor_id))


@router.put("/vendors/{vendor_id}/prompt-pay")
def set_vendor_terms(request: Request, vendor_id: str, body: VendorTermsIn,
                     p: Principal = require(Action.VENDOR_UPDATE)) -> dict[str, Any]:
    terms = services(request).prompt_pay_terms.set_vendor(p, vendor_id, VendorTerms(body.payee_kind, body.rule_set),
                                                          expected_version=body.expected_version)
    return vendor_terms_out(terms)


@router.get("/purchase-orders/{po_id}/prompt-pay")
def po_terms(request: Request, po_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict[str, Any]:
    return po_terms_out(services(request).prompt_pay_terms.po(po_id))


@router.put("/purchase-orders/{po_id}/prompt-pay")
def set_po_terms(request: Request, po_id: str, body: POTermsIn,
                 p: Principal = require(Action.PO_APPROVE)) -> dict[str, Any]:
    terms = services(request).prompt_pay_terms.set_po(
        p, po_id, POTerms(body.federally_funded, body.funds_received_on, body.rule_set),
        expected_version=body.expected_version)
    return po_terms_out(terms)
