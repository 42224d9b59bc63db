"""/v1/invoices (+ match result, holds, :release-hold, :override-duplicate, :approve, :return, :cancel) and
/v1/credit-memos."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.ap.ap_io import (Amount, Currency, Quantity, Text, UnitPrice, after, created, day, hold_out, listing,
                                 major, match_out, minor, price_major, price_minor, qty, services, stamp)
from adapters.http.ap.invoice_staff import staff_extras
from adapters.http.json_numbers import ExactNumberRoute
from adapters.http.auth import require
from adapters.http.fields import Identifier80
from adapters.http.idempotency import run_idempotent
from payments.ap.ap_records import CreditMemoRecord, InvoiceRecord
from payments.ap.credit_memo_service import NewCreditMemo, NewCreditMemoLine
from payments.ap.documents import InvoiceStatus
from payments.identity import Action, Principal
from payments.ap.invoice_service import InvoiceView, NewInvoice, NewInvoiceLine

router = APIRouter(prefix="/v1", tags=["invoices and credit memos"], route_class=ExactNumberRoute)


class InvoiceLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=9999)
    po_id: str | None = Field(default=None, max_length=40)
    po_line_no: int | None = Field(default=None, ge=1, le=9999)
    quantity: Quantity
    unit_price: UnitPrice
    description: Text = ""
    unit_of_measure: str | None = Field(default=None, max_length=20)


class InvoiceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice_number: Identifier80
    invoice_date: dt.date | None = None
    received_on: dt.date | None = Field(default=None, description="the day the billing office received it")
    currency: Currency = "USD"
    terms: str = Field(default="", max_length=40)
    total: Amount | None = Field(default=None, description="the total the vendor printed, major units")
    remit_to: Text = ""
    defect_contact: Text = ""
    file_digest: str | None = Field(default=None, description="SHA-256 hex of the submitted file")
    lines: list[InvoiceLineIn] = Field(default_factory=list, max_length=1000)

    def command(self, vendor_id: str) -> NewInvoice:
        c = self.currency
        return NewInvoice(vendor_id, self.invoice_number, self.invoice_date, c,
                          tuple(NewInvoiceLine(x.line_no, x.po_id, x.po_line_no, Decimal(x.quantity),
                                               price_minor(x.unit_price, c), x.description, x.unit_of_measure)
                                for x in self.lines),
                          self.received_on, self.terms, minor(self.total, c), self.remit_to, self.defect_contact,
                          self.file_digest)


class InvoiceIn(InvoiceFields):
    id: str | None = Field(default=None, description="inv_<ULID>: makes the create idempotent by id")
    vendor_id: str = Field(min_length=1, max_length=40)


class InvoiceCorrectionIn(InvoiceFields):
    expected_version: int = Field(ge=1, le=2**31 - 1)


class ReleaseHoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hold_id: str = Field(min_length=1, max_length=40)
    reason: str = Field(max_length=500)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)


def invoice_out(rec: InvoiceRecord, view: InvoiceView | None = None) -> dict:
    inv, c = rec.invoice, rec.invoice.currency
    out = {
        "id": inv.id, "vendor_id": inv.vendor_id, "invoice_number": inv.invoice_number,
        "invoice_date": day(inv.invoice_date), "received_on": day(inv.received_on), "currency": c, "terms": inv.terms,
        "total": major(inv.total_minor, c), "total_minor": inv.total_minor, "stated_total_minor": inv.stated_total_minor,
        "status": inv.status.value, "ready_for_approval": inv.status is InvoiceStatus.MATCHED,
        "version": rec.version, "file_digest": inv.file_digest, "remit_to": inv.remit_to,
        "defect_contact": inv.defect_contact,
        "lines": [{"line_no": x.line_no, "po_id": x.po_id, "po_line_no": x.po_line_no, "quantity": qty(x.quantity),
                   "unit_price": price_major(x.unit_price_minor, c), "amount": major(x.amount_minor, c),
                   "amount_minor": x.amount_minor, "description": x.description,
                   "unit_of_measure": x.unit_of_measure} for x in inv.lines],
        "match": {"id": rec.match_result_id, "digest": rec.match_digest, "policy_version": rec.policy_version},
        "prompt_pay": {"acceptance_date": day(rec.prompt_pay.acceptance_date),
                       "receipt_date": day(rec.prompt_pay.receipt_date), "due_date": day(rec.prompt_pay.due_date),
                       "policy_version": rec.prompt_pay.policy_version, "rule": rec.prompt_pay.rule},
        "improper": None if rec.defects is None else {"defects": list(rec.defects), "return_by": day(rec.return_by)},
        "entered": stamp(rec.entered), "last_changed": stamp(rec.last_changed), "returned": stamp(rec.returned),
        "approval_entry_id": rec.approval_entry_id, "approved_at": rec.approved_at,
    }
    if view is not None:
        out["holds"] = [hold_out(h) for h in view.holds if h.status == "open"]
        out["approvals"] = [{"approver_id": who, "approved_at": at.isoformat()} for who, at in view.approvals]
        out["approvals_required"] = view.approvals_required
    return out


def view_out(view: InvoiceView) -> dict:
    return invoice_out(view.record, view)


@router.post("/invoices", status_code=201)
def create_invoice(request: Request, body: InvoiceIn, principal: Principal = require(Action.INVOICE_CREATE)):
    def handler() -> tuple[int, dict]:
        rec, is_new = services(request).invoices.create(principal, body.command(body.vendor_id), id=body.id)
        return (201 if is_new else 200), view_out(services(request).invoices.view(rec.invoice.id))
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.get("/invoices")
def list_invoices(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                  status: str | None = None, vendor_id: str | None = None, po_id: str | None = None,
                  _p: Principal = require(Action.INVOICE_READ)) -> dict:
    rows = services(request).invoices.list(after=after(cursor), limit=limit + 1, status=status, vendor_id=vendor_id,
                                           po_id=po_id)
    return listing(rows, limit, lambda r: r.invoice.id, invoice_out)


@router.get("/invoices/{invoice_id}")
def get_invoice(request: Request, invoice_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    view = services(request).invoices.view(invoice_id)
    return view_out(view) | staff_extras(request, view)


@router.put("/invoices/{invoice_id}")
def correct_invoice(request: Request, invoice_id: str, body: InvoiceCorrectionIn,
                    principal: Principal = require(Action.INVOICE_CREATE)):
    def handler() -> tuple[int, dict]:
        ap = services(request)
        vendor_id = ap.invoices.view(invoice_id).record.invoice.vendor_id  # a correction never changes the vendor
        ap.invoices.correct(principal, invoice_id, body.command(vendor_id), expected_version=body.expected_version)
        return 200, view_out(ap.invoices.view(invoice_id))
    return run_idempotent(request, principal, {"invoice_id": invoice_id, **body.model_dump(mode="json")}, handler)


@router.get("/invoices/{invoice_id}/match-result")
def match_result(request: Request, invoice_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    view = services(request).invoices.view(invoice_id)
    return {"invoice_id": invoice_id, "status": view.record.invoice.status.value, "result": match_out(view.match)}


@router.get("/invoices/{invoice_id}/holds")
def list_holds(request: Request, invoice_id: str, status: str | None = None,
               _p: Principal = require(Action.INVOICE_READ)) -> dict:
    holds = services(request).invoices.view(invoice_id).holds
    return {"items": [hold_out(h) for h in holds if status is None or h.status == status]}


@router.post("/invoices/{invoice_id}:release-hold")
def release_hold(request: Request, invoice_id: str, body: ReleaseHoldIn,
                 principal: Principal = require(Action.INVOICE_RELEASE_HOLD)):
    return run_idempotent(request, principal, {"invoice_id": invoice_id, **body.model_dump(mode="json")}, lambda: (
        200, view_out(services(request).approvals.release_hold(principal, invoice_id, body.hold_id, body.reason))))


@router.post("/invoices/{invoice_id}:override-duplicate")
def override_duplicate(request: Request, invoice_id: str, body: ReasonIn,
                       principal: Principal = require(Action.INVOICE_RELEASE_HOLD)):
    return run_idempotent(request, principal, {"invoice_id": invoice_id, **body.model_dump(mode="json")}, lambda: (
        200, view_out(services(request).approvals.override_duplicate(principal, invoice_id, body.reason))))


@router.post("/invoices/{invoice_id}:override-budget")
def override_budget(request: Request, invoice_id: str, body: ReasonIn,
                    principal: Principal = require(Action.BUDGET_MANAGE)) -> dict:
    """A treasurer allows an approval that would overrun its budget line (the ``insufficient_funds`` hold), with a
    reason kept in the audit trail."""
    return view_out(services(request).approvals.override_budget(principal, invoice_id, body.reason))


@router.post("/invoices/{invoice_id}:approve")
def approve_invoice(request: Request, invoice_id: str, principal: Principal = require(Action.INVOICE_APPROVE)):
    def handler() -> tuple[int, dict]:
        outcome = services(request).approvals.approve(principal, invoice_id)
        return 200, {**view_out(outcome.view), "fully_approved": outcome.fully_approved,
                     "entry_id": outcome.entry_id}
    return run_idempotent(request, principal, {"invoice_id": invoice_id}, handler)


@router.post("/invoices/{invoice_id}:return")
def return_invoice(request: Request, invoice_id: str, principal: Principal = require(Action.INVOICE_CREATE)):
    return run_idempotent(request, principal, {"invoice_id": invoice_id}, lambda: (
        200, invoice_out(services(request).invoices.return_to_vendor(principal, invoice_id))))


@router.post("/invoices/{invoice_id}:cancel")
def cancel_invoice(request: Request, invoice_id: str, body: ReasonIn, principal: Principal = require(Action.INVOICE_CREATE)):
    """Void an invoice; an approved one also needs approval authority (its posting is undone)."""
    return run_idempotent(request, principal, {"invoice_id": invoice_id, **body.model_dump(mode="json")}, lambda: (
        200, invoice_out(services(request).cancellations.cancel(principal, invoice_id, body.reason))))


# -- credit memos ------------------------------------------------------------------------------------------

class CreditLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    po_id: str = Field(min_length=1, max_length=40)
    po_line_no: int = Field(ge=1, le=9999)
    quantity: Quantity = Field(description="0 for a price-only credit")
    amount: Amount


class CreditMemoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="cm_<ULID>: makes the create idempotent by id")
    vendor_id: str = Field(min_length=1, max_length=40)
    memo_number: Identifier80
    memo_date: dt.date
    currency: Currency = "USD"
    invoice_id: str | None = Field(default=None, max_length=40)
    reason: Text = ""
    lines: list[CreditLineIn] = Field(min_length=1, max_length=500)


def memo_out(r: CreditMemoRecord) -> dict:
    m = r.memo
    return {"id": m.id, "vendor_id": m.vendor_id, "memo_number": m.memo_number, "memo_date": day(m.memo_date),
            "currency": m.currency, "status": m.status.value, "invoice_id": m.invoice_id,
            "total": major(m.total_minor, m.currency), "total_minor": m.total_minor, "reason": r.reason,
            "lines": [{"po_id": x.po_id, "po_line_no": x.po_line_no, "quantity": qty(x.quantity),
                       "amount": major(x.amount_minor, m.currency), "amount_minor": x.amount_minor} for x in m.lines],
            "entry_id": r.entry_id, "created": stamp(r.created)}


@router.post("/credit-memos", status_code=201)
def create_memo(request: Request, body: CreditMemoIn, principal: Principal = require(Action.CREDIT_MEMO_CREATE)):
    def handler() -> tuple[int, dict]:
        c = body.currency
        cmd = NewCreditMemo(body.vendor_id, body.memo_number, body.memo_date, c,
                            tuple(NewCreditMemoLine(x.po_id, x.po_line_no, Decimal(x.quantity), minor(x.amount, c))
                                  for x in body.lines), body.invoice_id, body.reason)
        return created(services(request).credit_memos.create(principal, cmd, id=body.id), memo_out)
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.get("/credit-memos")
def list_memos(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
               vendor_id: str | None = None, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    rows = services(request).credit_memos.list(after=after(cursor), limit=limit + 1, vendor_id=vendor_id)
    return listing(rows, limit, lambda r: r.memo.id, memo_out)


@router.get("/credit-memos/{memo_id}")
def get_memo(request: Request, memo_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    return memo_out(services(request).credit_memos.get(memo_id))
