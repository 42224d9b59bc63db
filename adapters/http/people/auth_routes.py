"""/v1/auth: web sign-in (JSON or an HTML form) and sign-out. Both are public: they are how one gets a session."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from adapters.http.auth import public
from adapters.http.authn import (CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, clear_session_cookies,
                                 set_session_cookies)
from adapters.http.problems import problem
from payments.people.auth_service import hash_session
from payments.people.users import SignInRateLimited

router = APIRouter(prefix="/v1/auth", tags=["auth"])
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)


_SIGN_IN_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": SignInIn.model_json_schema()},
    "application/x-www-form-urlencoded": {"schema": SignInIn.model_json_schema()}}}}


async def _credentials(request: Request) -> SignInIn:
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        raw = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    else:
        try:
            raw = json.loads(await request.body() or b"null")
        except ValueError:
            raw = None
    return SignInIn.model_validate(raw if isinstance(raw, dict) else {})


async def _csrf_ok(request: Request, secret: str) -> bool:
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        submitted = field if isinstance(field, str) else None
    return request.app.state.csrf.verify(hash_session(secret), cookie_token=request.cookies.get(CSRF_COOKIE),
                                         submitted_token=submitted)


def _client(request: Request) -> str:
    # Behind a proxy this is the proxy's address unless the server is run with trusted forwarded headers.
    return request.client.host if request.client else "unknown"


def _foreign_origin(request: Request) -> bool:
    """A browser names the page a request comes from (``Origin``, else ``Referer``); another site's is refused,
    so a page elsewhere cannot sign a visitor in (login CSRF) or out. No header at all: not a browser's form."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return False
    return source == "null" or urlsplit(source).netloc.lower() != request.headers.get("host", "").lower()


_FOREIGN = "this request comes from another site's page; sign in and out on this site"


@router.post("/sign-in", openapi_extra=_SIGN_IN_BODY)
async def sign_in(request: Request, _: None = public()) -> Response:
    """Check a username and password; on success set the session cookie (HttpOnly) and the CSRF cookie."""
    if _foreign_origin(request):
        return problem(403, "foreign_origin", _FOREIGN)
    try:
        body = await _credentials(request)
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])), "reason": e["msg"], "type": e["type"]}
                  for e in exc.errors()]
        return problem(422, "invalid_request", "; ".join(f"{e['field']}: {e['reason']}" for e in errors),
                       errors=errors)
    state = request.app.state
    try:
        signed_in = await run_in_threadpool(state.auth.sign_in, body.username, body.password,
                                            client=_client(request))
    except SignInRateLimited as exc:
        response = problem(429, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.details["retry_after_s"])
        return response
    csrf_token = state.csrf.issue(signed_in.session_hash)
    principal = signed_in.principal
    response = JSONResponse({"user_id": principal.user_id, "username": signed_in.username,
                             "roles": sorted(r.value for r in principal.roles), "vendor_id": principal.vendor_id,
                             "expires_at": signed_in.expires_at.isoformat(), "csrf_token": csrf_token})
    set_session_cookies(response, secret=signed_in.secret, csrf_token=csrf_token, expires_at=signed_in.expires_at,
                        now=state.clock.now(), secure=state.settings.secure_cookies)
    response.headers["Cache-Control"] = "no-store"
    return response


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=100, repr=False)
    password: str = Field(min_length=1, max_length=1024, repr=False)


@router.post("/password-reset", status_code=204)
def complete_password_reset(request: Request, body: PasswordResetIn, _: None = public()) -> Response:
    """Spend a one-time link (from a reset or an invitation) to set one's own password; ends one's sessions."""
    request.app.state.users.resets.complete(body.token, body.password)
    return Response(status_code=204)


@router.post("/sign-out", status_code=204)
async def sign_out(request: Request, _: None = public()) -> Response:
    """End the session named by the cookie (if any) and clear both cookies; the session's CSRF token is needed
    (``X-CSRF-Token`` or the ``csrf_token`` form field), so another site cannot sign a visitor out."""
    secret = request.cookies.get(SESSION_COOKIE)
    if _foreign_origin(request):
        return problem(403, "foreign_origin", _FOREIGN)
    live = bool(secret) and await run_in_threadpool(request.app.state.auth.authenticate_session, secret) is not None
    if live and secret and not await _csrf_ok(request, secret):
        return problem(403, "csrf_failed", "signing out needs the session's CSRF token in the X-CSRF-Token header "
                                           "(or the csrf_token form field)")
    if secret:
        await run_in_threadpool(request.app.state.auth.sign_out, secret)
    response = Response(status_code=204)
    clear_session_cookies(response, secure=request.app.state.settings.secure_cookies)
    return response
