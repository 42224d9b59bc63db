"""Vendor credits: staff see a vendor's credits and where each sits (Vouchers payable or Vendor credits receivable),
ask for a write-off of a receivable part and a second person approves it; the vendor sees its own in the portal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.ap.ap_io import major, services
from adapters.http.auth import require
from adapters.http.idempotency import run_idempotent
from adapters.http.portal.portal import own_vendor, portal_router
from payments.ap.vendor_credit_service import credit_view
from payments.ap.vendor_credits import VendorCredit
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1", tags=["credit memos"])
portal = portal_router()


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, description="why the vendor will not pay this credit back")


def credit_out(c: VendorCredit) -> dict[str, Any]:
    body = credit_view(c)
    for key in ("amount", "open", "receivable_open", "deducted"):
        body[key] = major(body[f"{key}_minor"], c.currency)
    return body


def _listing(credits: list[VendorCredit]) -> dict[str, Any]:
    by_currency: dict[str, dict[str, int]] = {}
    for c in credits:
        sums = by_currency.setdefault(c.currency, {"open_minor": 0, "receivable_open_minor": 0})
        sums["open_minor"] += c.open_minor
        sums["receivable_open_minor"] += c.receivable_open_minor
    return {"items": [credit_out(c) for c in credits],
            "totals": {cur: {**sums, "open": major(sums["open_minor"], cur),
                             "receivable_open": major(sums["receivable_open_minor"], cur)}
                       for cur, sums in sorted(by_currency.items())}}


@router.get("/vendors/{vendor_id}/credits")
def vendor_credits(request: Request, vendor_id: str, open_only: bool = False,
                   principal: Principal = require(Action.INVOICE_READ)) -> dict[str, Any]:
    return _listing(services(request).vendor_credits.for_vendor(principal, vendor_id, open_only=open_only))


@router.post("/credit-memos/{memo_id}/credits/{fund}:write-off")
def request_write_off(request: Request, memo_id: str, fund: str, body: WriteOffIn,
                      principal: Principal = require(Action.RECONCILIATION_WRITE_OFF)) -> Any:
    def handler() -> tuple[int, dict[str, Any]]:
        return 200, credit_out(services(request).vendor_credits.request_write_off(principal, memo_id, fund,
                                                                                   reason=body.reason))
    return run_idempotent(request, principal, {"memo_id": memo_id, "fund": fund, **body.model_dump()}, handler)


@router.post("/credit-memos/{memo_id}/credits/{fund}:approve-write-off")
def approve_write_off(request: Request, memo_id: str, fund: str,
                      principal: Principal = require(Action.RECONCILIATION_WRITE_OFF)) -> Any:
    def handler() -> tuple[int, dict[str, Any]]:
        return 200, credit_out(services(request).vendor_credits.approve_write_off(principal, memo_id, fund))
    return run_idempotent(request, principal, {"memo_id": memo_id, "fund": fund}, handler)


@portal.get("/credits")
def my_credits(request: Request, principal: Principal = require(Action.PORTAL_READ)) -> dict[str, Any]:
    """The caller's credits: what each credited, what was deducted from payments, and what is still open."""
    return _listing(services(request).vendor_credits.for_vendor(principal, own_vendor(principal)))
