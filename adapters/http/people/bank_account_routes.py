"""Staff bank-account routes: the contact on file, change requests and their call-back, approval, rejection and
blocking, masked listings, and the audited reveal of a full account number.

Bodies never carry ``vendor_id``, ``status``, ``approved_by`` or a verification flag: the vendor comes from the
path (or, on the portal, from the caller), and states change only through these steps.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.auth import require
from adapters.http.fields import Email, Name200, Phone
from adapters.http.pagination import decode_cursor, page
from payments.people.bank_account_records import BankAccount, ChangeRecord, VendorContact
from payments.people.bank_accounts import BankChangeStatus, CallbackOutcome
from payments.people.contact_changes import ContactChange
from payments.identity import Action, Principal

router = APIRouter(tags=["bank accounts"])


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone
    email: Email | None = None
    name: Name200 | None = None


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    routing_number: str = Field(min_length=9, max_length=9, description="ABA routing number (nine digits)")
    # repr=False: a debug print or a logged model must not carry the number.
    account_number: str = Field(min_length=4, max_length=40, repr=False,
                                description="stored encrypted; shown only masked")
    account_type: Literal["checking", "savings"]


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number_called: Phone = Field(description="must be the phone number on file")
    outcome: CallbackOutcome
    note: str = Field(default="", max_length=500)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class NoBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


def contact_out(c: VendorContact) -> dict:
    return {"vendor_id": c.vendor_id, "phone": c.phone, "email": c.email, "name": c.name,
            "updated_at": c.updated_at.isoformat(), "updated_by": c.updated_by}


def contact_change_out(c: ContactChange) -> dict:
    return {"id": c.change_id, "vendor_id": c.vendor_id, "status": c.status.value, "phone": c.phone,
            "email": c.email, "name": c.name, "previous": {"phone": c.previous.phone, "email": c.previous.email},
            "requested_by": c.requested_by, "requested_at": _iso(c.requested_at), "approved_by": c.approved_by,
            "approved_at": _iso(c.approved_at), "cooling_off_until": _iso(c.cooling_off_until),
            "closed_by": c.closed_by, "close_reason": c.close_reason}


def account_out(a: BankAccount) -> dict:
    return {"id": a.account_id, "vendor_id": a.vendor_id, "routing_number": a.routing_number,
            "account_type": a.account_type.value, "account_mask": a.mask, "status": a.status.value,
            "change_id": a.change_id, "created_at": a.created_at.isoformat(),
            "activated_at": a.activated_at.isoformat() if a.activated_at else None}


def _iso(moment) -> str | None:  # noqa: ANN001
    return moment.isoformat() if moment else None


def change_out(r: ChangeRecord, *, for_vendor: bool = False) -> dict:
    """A change as staff see it; a vendor sees its timeline without who inside the agency did what."""
    c = r.change
    out = {"id": c.change_id, "vendor_id": c.vendor_id, "bank_account_id": r.bank_account_id,
           "status": c.status.value, "routing_number": c.routing_number, "account_type": c.account_type.value,
           "account_mask": c.account_mask, "requested_at": _iso(c.requested_at),
           "approved_at": _iso(c.approved_at), "cooling_off_until": _iso(c.cooling_off_until),
           "prenote_sent_at": _iso(c.prenote_sent_at), "activated_at": _iso(c.activated_at),
           "closed_at": _iso(c.closed_at)}
    if for_vendor:
        return out
    cb = c.callback
    return {**out, "requested_by": c.requested_by, "phone_on_file": c.phone_on_file,
            "callback": {"called_by": cb.called_by, "called_at": _iso(cb.called_at),
                         "number_called": cb.number_called, "outcome": cb.outcome.value, "note": cb.note}
            if cb else None,
            "approved_by": c.approved_by, "closed_by": c.closed_by, "close_reason": c.close_reason,
            "fraud_signals": {"shared_with_vendors": list(r.shared_with_vendors)}}


def _svc(request: Request):  # noqa: ANN202
    return request.app.state.bank_accounts


@router.get("/v1/vendors/{vendor_id}/contact")
def get_contact(request: Request, vendor_id: str, p: Principal = require(Action.VENDOR_READ)) -> dict:
    return contact_out(_svc(request).get_contact(p, vendor_id))


@router.put("/v1/vendors/{vendor_id}/contact", responses={202: {"description": "a change request, not yet on file"}})
def put_contact(request: Request, vendor_id: str, body: ContactIn,
                p: Principal = require(Action.VENDOR_UPDATE)) -> JSONResponse:
    """The phone on file is where every call-back goes. A vendor's first contact is on file at once (200); any
    later one is a change request (202) that a second person approves, that tells the previous contact, and that
    cools off before call-backs use it."""
    out = _svc(request).set_contact(p, vendor_id, phone=body.phone, email=body.email, name=body.name)
    if isinstance(out, ContactChange):
        return JSONResponse(contact_change_out(out), status_code=202)
    return JSONResponse(contact_out(out))


@router.get("/v1/vendors/{vendor_id}/contact-changes")
def list_contact_changes(request: Request, vendor_id: str, p: Principal = require(Action.VENDOR_READ)) -> dict:
    return {"items": [contact_change_out(c) for c in _svc(request).contacts.changes(p, vendor_id)]}


@router.post("/v1/vendor-contact-changes/{change_id}/approve")
def approve_contact_change(request: Request, change_id: str, _b: NoBody | None = None,
                           p: Principal = require(Action.VENDOR_CONTACT_APPROVE)) -> dict:
    """Someone other than the requester puts the new contact on file; the previous contact is told."""
    return contact_change_out(_svc(request).contacts.approve(p, change_id))


@router.post("/v1/vendor-contact-changes/{change_id}/reject")
def reject_contact_change(request: Request, change_id: str, body: ReasonIn,
                          p: Principal = require(Action.VENDOR_CONTACT_APPROVE)) -> dict:
    return contact_change_out(_svc(request).contacts.reject(p, change_id, reason=body.reason))


@router.get("/v1/vendors/{vendor_id}/bank-accounts")
def list_vendor_accounts(request: Request, vendor_id: str, p: Principal = require(Action.VENDOR_READ)) -> dict:
    return {"items": [account_out(a) for a in _svc(request).list_accounts(p, vendor_id)]}


@router.post("/v1/vendors/{vendor_id}/bank-account-changes", status_code=201)
def request_change(request: Request, vendor_id: str, body: ChangeIn,
                   p: Principal = require(Action.BANK_ACCOUNT_REQUEST)) -> dict:
    record = _svc(request).request_change(p, vendor_id, routing_number=body.routing_number,
                                          account_number=body.account_number, account_type=body.account_type)
    return change_out(record)


@router.get("/v1/bank-account-changes")
def list_changes(request: Request, vendor_id: str | None = None, status: BankChangeStatus | None = None,
                 cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                 p: Principal = require(Action.VENDOR_READ)) -> dict:
    rows = _svc(request).list_changes(p, vendor_id=vendor_id, status=status,
                                      after=decode_cursor(cursor).get("after"), limit=limit + 1)
    result = page(rows, limit, lambda r: {"after": r.change.change_id})
    result["items"] = [change_out(r) for r in result["items"]]
    return result


@router.get("/v1/bank-account-changes/{change_id}")
def get_change(request: Request, change_id: str, p: Principal = require(Action.VENDOR_READ)) -> dict:
    return change_out(_svc(request).get_change(p, change_id))


@router.post("/v1/bank-account-changes/{change_id}/callback")
def record_callback(request: Request, change_id: str, body: CallbackIn,
                    p: Principal = require(Action.BANK_ACCOUNT_CALLBACK)) -> dict:
    return change_out(_svc(request).record_callback(p, change_id, number_called=body.number_called,
                                                    outcome=body.outcome, note=body.note))


@router.post("/v1/bank-account-changes/{change_id}/approve")
def approve_change(request: Request, change_id: str, _b: NoBody | None = None,
                   p: Principal = require(Action.BANK_ACCOUNT_APPROVE)) -> dict:
    return change_out(_svc(request).approve(p, change_id))


@router.post("/v1/bank-account-changes/{change_id}/reject")
def reject_change(request: Request, change_id: str, body: ReasonIn,
                  p: Principal = require(Action.BANK_ACCOUNT_APPROVE)) -> dict:
    return change_out(_svc(request).reject(p, change_id, reason=body.reason))


@router.post("/v1/bank-account-changes/{change_id}/block")
def block_change(request: Request, change_id: str, body: ReasonIn,
                 p: Principal = require(Action.BANK_ACCOUNT_APPROVE)) -> dict:
    return change_out(_svc(request).block(p, change_id, reason=body.reason))


@router.post("/v1/bank-account-changes/{change_id}/clear-shared-signal")
def clear_shared_signal(request: Request, change_id: str, body: ReasonIn,
                        p: Principal = require(Action.BANK_ACCOUNT_APPROVE)) -> dict:
    return change_out(_svc(request).clear_shared_signal(p, change_id, reason=body.reason))


@router.post("/v1/bank-accounts/{account_id}/reveal")
def reveal(request: Request, account_id: str, body: ReasonIn,
           p: Principal = require(Action.BANK_ACCOUNT_REVEAL)) -> JSONResponse:
    """The full number, once, to a vendor admin with a reason: a POST because every reveal is an audit event."""
    account, number = _svc(request).reveal(p, account_id, reason=body.reason)
    return JSONResponse({**account_out(account), "account_number": number},
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
