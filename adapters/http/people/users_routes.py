"""/v1/users: user administration and API tokens (``users.manage``). A token's secret is in one response only.

No route here lets an administrator act as someone else: a token is minted only for its caller, nobody's password
is set (a one-time link goes to the person's address on file instead), and a user or role added waits for a
second administrator (``…/approve``).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.auth import require
from adapters.http.pagination import decode_cursor, page
from payments.identity import Action, Principal, Role
from payments.people.users import TokenRecord, User

router = APIRouter(tags=["users"])
_NO_STORE = {"Cache-Control": "no-store"}


class StaffUserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    email: str | None = Field(default=None, max_length=200, description="where the invitation link goes")


class VendorUserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=200, description="where the invitation link goes")


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[Role] = Field(min_length=1, max_length=len(Role))


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=100)
    ttl_days: int | None = Field(default=None, ge=1, le=3650)


class NoBody(BaseModel):
    """An action with nothing to say; a body, if sent, must be empty (so no field is ever silently dropped)."""

    model_config = ConfigDict(extra="forbid")


def user_out(u: User) -> dict:
    return {"id": u.user_id, "username": u.username, "display_name": u.display_name,
            "roles": sorted(r.value for r in u.roles), "vendor_id": u.vendor_id, "status": u.status.value,
            "email": u.email, "pending_roles": sorted(r.value for r in u.pending_roles)
            if u.pending_roles is not None else None, "pending_by": u.pending_by,
            "has_password": u.password_hash is not None, "locked_until": u.locked_until.isoformat()
            if u.locked_until else None, "created_at": u.created_at.isoformat(), "created_by": u.created_by}


def token_out(t: TokenRecord) -> dict:
    return {"id": t.token_id, "user_id": t.user_id, "hint": t.hint, "name": t.name,
            "created_at": t.created_at.isoformat(), "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None}


def _users(request: Request):  # noqa: ANN202
    return request.app.state.users


@router.get("/v1/users")
def list_users(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
               p: Principal = require(Action.USERS_MANAGE)) -> dict:
    rows = _users(request).list(p, after=decode_cursor(cursor).get("after"), limit=limit + 1)
    result = page(rows, limit, lambda u: {"after": u.user_id})
    result["items"] = [user_out(u) for u in result["items"]]
    return result


@router.post("/v1/users", status_code=201)
def add_staff_user(request: Request, body: StaffUserIn, p: Principal = require(Action.USERS_MANAGE)) -> dict:
    """Added ``pending``: it signs in only once a second administrator approves it (``…/approve``)."""
    return user_out(_users(request).add(p, username=body.username, display_name=body.display_name,
                                        roles=body.roles, email=body.email))


@router.post("/v1/vendors/{vendor_id}/users", status_code=201)
def add_vendor_user(request: Request, vendor_id: str, body: VendorUserIn,
                    p: Principal = require(Action.USERS_MANAGE)) -> dict:
    """A vendor's portal user; the vendor comes from the path, never from a body."""
    return user_out(_users(request).add(p, username=body.username, display_name=body.display_name,
                                        roles=[Role.VENDOR], vendor_id=vendor_id, email=body.email))


@router.get("/v1/users/{user_id}")
def get_user(request: Request, user_id: str, p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return user_out(_users(request).get(p, user_id))


@router.post("/v1/users/{user_id}/disable")
def disable_user(request: Request, user_id: str, _b: NoBody | None = None,
                 p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return user_out(_users(request).disable(p, user_id))


@router.post("/v1/users/{user_id}/enable")
def enable_user(request: Request, user_id: str, _b: NoBody | None = None,
                p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return user_out(_users(request).enable(p, user_id))


@router.post("/v1/users/{user_id}/unlock")
def unlock_user(request: Request, user_id: str, _b: NoBody | None = None,
                p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return user_out(_users(request).unlock(p, user_id))


@router.put("/v1/users/{user_id}/roles")
def set_roles(request: Request, user_id: str, body: RolesIn, p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return user_out(_users(request).set_roles(p, user_id, body.roles))


@router.post("/v1/users/{user_id}/approve")
def approve_user(request: Request, user_id: str, _b: NoBody | None = None,
                 p: Principal = require(Action.USERS_MANAGE)) -> dict:
    """A second administrator lets a pending user in (its invitation link is sent) or grants its pending roles."""
    return user_out(_users(request).approve(p, user_id))


@router.post("/v1/users/{user_id}/password-reset", status_code=202)
def send_password_reset(request: Request, user_id: str, _b: NoBody | None = None,
                        p: Principal = require(Action.USERS_MANAGE)) -> dict:
    """Send the person a one-time link to their address on file and end their sessions; the link is in no
    response, log or audit event."""
    sent_to = _users(request).send_reset(p, user_id)
    local, _, domain = sent_to.partition("@")
    return {"user_id": user_id, "sent_to": f"{local[:1]}***@{domain}"}


@router.get("/v1/users/{user_id}/tokens")
def list_tokens(request: Request, user_id: str, p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return {"items": [token_out(t) for t in _users(request).list_tokens(p, user_id)]}


@router.post("/v1/users/{user_id}/tokens", status_code=201)
def issue_token(request: Request, user_id: str, body: TokenIn, p: Principal = require(Action.USERS_MANAGE)):
    """Mint a token: ``token`` is in this response and nowhere else, ever (not even replayed)."""
    issued = _users(request).issue_token(p, user_id, name=body.name, ttl_days=body.ttl_days)
    return JSONResponse({**token_out(issued.record), "token": issued.secret}, status_code=201, headers=_NO_STORE)


@router.post("/v1/users/{user_id}/tokens/{token_id}/revoke")
def revoke_token(request: Request, user_id: str, token_id: str, _b: NoBody | None = None,
                 p: Principal = require(Action.USERS_MANAGE)) -> dict:
    return token_out(_users(request).revoke_token(p, user_id, token_id))
