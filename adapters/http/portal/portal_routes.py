"""/v1/portal bank-account routes: a vendor sees its own accounts (masked) and change requests, and asks for one."""

from __future__ import annotations

from fastapi import Request

from adapters.http.auth import require
from adapters.http.people.bank_account_routes import ChangeIn, account_out, change_out
from adapters.http.portal.portal import own_vendor, portal_router
from payments.identity import Action, Principal

router = portal_router()


def _vendor_view(item: dict) -> dict:
    return {k: v for k, v in item.items() if k != "vendor_id"}


@router.get("/bank-accounts")
def my_accounts(request: Request, p: Principal = require(Action.PORTAL_READ)) -> dict:
    own_vendor(p)
    return {"items": [_vendor_view(account_out(a)) for a in request.app.state.bank_accounts.list_accounts(p)]}


@router.get("/bank-account-changes")
def my_changes(request: Request, p: Principal = require(Action.PORTAL_READ)) -> dict:
    own_vendor(p)
    rows = request.app.state.bank_accounts.list_changes(p, limit=500)
    return {"items": [_vendor_view(change_out(r, for_vendor=True)) for r in rows]}


@router.get("/bank-account-changes/{change_id}")
def my_change(request: Request, change_id: str, p: Principal = require(Action.PORTAL_READ)) -> dict:
    # The service answers another vendor's change with the same 404 as a missing one.
    return _vendor_view(change_out(request.app.state.bank_accounts.get_change(p, change_id), for_vendor=True))


@router.post("/bank-account-changes", status_code=201)
def request_my_change(request: Request, body: ChangeIn,
                      p: Principal = require(Action.PORTAL_REQUEST_BANK_CHANGE)) -> dict:
    """Ask to be paid at a new account; staff call back the number already on file before anything changes."""
    record = request.app.state.bank_accounts.request_change(
        p, own_vendor(p), routing_number=body.routing_number, account_number=body.account_number,
        account_type=body.account_type)
    return _vendor_view(change_out(record, for_vendor=True))
