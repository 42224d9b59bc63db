"""/v1/purchase-orders (+ :approve, :close, :reopen, versions) and /v1/receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.ap.ap_io import (Amount, Code, Currency, Quantity, Text, UnitPrice, after, created, day, listing, major,
                                 minor, po_line_out, price_minor, qty, services, stamp)
from adapters.http.json_numbers import ExactNumberRoute
from adapters.http.auth import require
from adapters.http.fields import Identifier40, Name200
from adapters.http.idempotency import run_idempotent
from payments.ap.ap_records import PORecord, POVersion, ReceiptRecord
from payments.ap.documents import AccountCoding, LineKind, MatchLevel, ReceiptLine
from payments.identity import Action, Principal
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import ChangeOrder, NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt

router = APIRouter(prefix="/v1", tags=["purchase orders and receipts"], route_class=ExactNumberRoute)


class POLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=9999)
    item: Name200
    quantity: Quantity
    unit_of_measure: str = Field(min_length=1, max_length=20)
    unit_price: UnitPrice = Field(description="major units, may carry fractions of a cent: '120.00', '0.004'")
    fund: Code
    department: Code
    object_code: Code
    kind: Literal["goods", "services"] = "goods"
    match_level: Literal[2, 3, 4] | None = Field(default=None, description="default: 2 for services, 3 for goods")
    category: str | None = Field(default=None, max_length=40)

    def line(self, currency: str) -> NewPOLine:
        return NewPOLine(self.line_no, self.item, Decimal(self.quantity), self.unit_of_measure,
                         price_minor(self.unit_price, currency),
                         AccountCoding(self.fund, self.department, self.object_code), LineKind(self.kind),
                         MatchLevel(self.match_level) if self.match_level else None, self.category)


class POIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="po_<ULID>: makes the create idempotent by id")
    number: Identifier40
    vendor_id: str = Field(min_length=1, max_length=40)
    currency: Currency = "USD"
    description: Text = ""
    max_total: Amount | None = Field(default=None, description="a not-to-exceed ceiling (blanket orders)")
    fiscal_year: int | None = Field(default=None, ge=1901, le=2999,
                                    description="the appropriation year charged; default: the year it is entered in")
    lines: list[POLineIn] = Field(min_length=1, max_length=500)


class ChangeOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=500)
    max_total: Amount | None = None
    lines: list[POLineIn] = Field(min_length=1, max_length=500)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)
    final: bool = Field(default=False, description="finally closed: never reopens")


def po_out(r: PORecord) -> dict:
    po = r.po
    return {"id": po.id, "number": r.number, "vendor_id": po.vendor_id, "currency": po.currency,
            "status": po.status.value, "version": po.version, "description": r.description,
            "total": major(po.total_minor, po.currency), "total_minor": po.total_minor,
            "max_total_minor": po.max_total_minor, "fiscal_year": r.fiscal_year,
            "encumbered_minor": sum(b.encumbered_minor for b in r.budget.values()),
            "lines": [po_line_out(line, po.currency, r.budget.get(line.line_no)) for line in po.lines],
            "created": stamp(r.created), "updated": stamp(r.updated), "approved": stamp(r.approved),
            "closed": stamp(r.closed), "close_reason": r.close_reason}


def version_out(v: POVersion) -> dict:
    return {"version": v.version, "reason": v.reason, "total_minor": v.total_minor,
            "max_total_minor": v.max_total_minor, "lines": list(v.lines), "changed": stamp(v.changed),
            "entry_id": v.entry_id}


@router.post("/purchase-orders", status_code=201)
def create_po(request: Request, body: POIn, principal: Principal = require(Action.PO_CREATE)):
    def handler() -> tuple[int, dict]:
        cmd = NewPurchaseOrder(body.number, body.vendor_id, body.currency,
                               tuple(line.line(body.currency) for line in body.lines),
                               minor(body.max_total, body.currency), body.description, body.fiscal_year)
        return created(services(request).purchase_orders.create(principal, cmd, id=body.id), po_out)
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.get("/purchase-orders")
def list_pos(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
             vendor_id: str | None = None, status: str | None = None,
             _p: Principal = require(Action.INVOICE_READ)) -> dict:
    rows = services(request).purchase_orders.list(after=after(cursor), limit=limit + 1, vendor_id=vendor_id,
                                                  status=status)
    return listing(rows, limit, lambda r: r.po.id, po_out)


@router.get("/purchase-orders/{po_id}")
def get_po(request: Request, po_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    return po_out(services(request).purchase_orders.get(po_id))


@router.post("/purchase-orders/{po_id}:approve")
def approve_po(request: Request, po_id: str, principal: Principal = require(Action.PO_APPROVE)):
    return run_idempotent(request, principal, {"po_id": po_id}, lambda: (
        200, po_out(services(request).purchase_orders.approve(principal, po_id))))


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


@router.post("/purchase-orders/{po_id}:reopen")
def reopen_po(request: Request, po_id: str, body: ReopenIn, principal: Principal = require(Action.PO_APPROVE)):
    return run_idempotent(request, principal, {"po_id": po_id, **body.model_dump(mode="json")}, lambda: (
        200, po_out(services(request).purchase_orders.reopen(principal, po_id, reason=body.reason))))


@router.post("/purchase-orders/{po_id}:close")
def close_po(request: Request, po_id: str, body: CloseIn, principal: Principal = require(Action.PO_CLOSE)):
    return run_idempotent(request, principal, {"po_id": po_id, **body.model_dump(mode="json")}, lambda: (
        200, po_out(services(request).purchase_orders.close(principal, po_id, final=body.final, reason=body.reason))))


@router.get("/purchase-orders/{po_id}/versions")
def list_versions(request: Request, po_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    return {"items": [version_out(v) for v in services(request).purchase_orders.versions(po_id)]}


@router.post("/purchase-orders/{po_id}/versions", status_code=201)
def change_po(request: Request, po_id: str, body: ChangeOrderIn, principal: Principal = require(Action.PO_CREATE)):
    def handler() -> tuple[int, dict]:
        po = services(request).purchase_orders.get(po_id).po
        cmd = ChangeOrder(body.expected_version, tuple(line.line(po.currency) for line in body.lines), body.reason,
                          minor(body.max_total, po.currency))
        return 201, po_out(services(request).purchase_orders.change(principal, po_id, cmd))
    return run_idempotent(request, principal, {"po_id": po_id, **body.model_dump(mode="json")}, handler)


# -- receipts ----------------------------------------------------------------------------------------------

class ReceiptLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    po_line_no: int = Field(ge=1, le=9999)
    quantity_received: Quantity = Field(description="negative for a return to the vendor")
    quantity_accepted: Quantity | None = Field(default=None, description="after inspection (4-way)")


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="rct_<ULID>: makes the create idempotent by id")
    po_id: str = Field(min_length=1, max_length=40)
    received_on: dt.date
    accepted_on: dt.date | None = None
    number: Identifier40 | None = Field(default=None, description="packing slip or dock number")
    note: Text = ""
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)


def receipt_out(r: ReceiptRecord) -> dict:
    rc = r.receipt
    return {"id": rc.id, "po_id": rc.po_id, "number": r.number, "received_on": day(rc.received_on),
            "accepted_on": day(rc.accepted_on), "status": rc.status.value, "note": r.note, "is_return": rc.is_return,
            "lines": [{"po_line_no": x.po_line_no, "quantity_received": qty(x.quantity_received),
                       "quantity_accepted": qty(x.quantity_accepted),
                       "accrued_minor": r.amounts_minor.get(x.po_line_no, 0)} for x in rc.lines],
            "entry_id": r.entry_id, "created": stamp(r.created)}


@router.post("/receipts", status_code=201)
def create_receipt(request: Request, body: ReceiptIn, principal: Principal = require(Action.RECEIPT_CREATE)):
    def handler() -> tuple[int, dict]:
        lines = tuple(ReceiptLine(x.po_line_no, Decimal(x.quantity_received),
                                  None if x.quantity_accepted is None else Decimal(x.quantity_accepted))
                      for x in body.lines)
        cmd = NewReceipt(body.po_id, body.received_on, lines, body.accepted_on, body.number, body.note)
        return created(services(request).receipts.create(principal, cmd, id=body.id), receipt_out)
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.get("/receipts")
def list_receipts(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                  po_id: str | None = None, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    rows = services(request).receipts.list(after=after(cursor), limit=limit + 1, po_id=po_id)
    return listing(rows, limit, lambda r: r.receipt.id, receipt_out)


@router.get("/receipts/{receipt_id}")
def get_receipt(request: Request, receipt_id: str, _p: Principal = require(Action.INVOICE_READ)) -> dict:
    return receipt_out(services(request).receipts.get(receipt_id))
