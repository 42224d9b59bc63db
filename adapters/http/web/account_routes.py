"""Signing in and out on the web, and the language switch: plain forms, POST-redirect-GET, no script needed.

Sign-in calls the same ``AuthService.sign_in`` as ``POST /v1/auth/sign-in`` (argon2id, lock-out, rate limit) and
sets the same HttpOnly session cookie and CSRF cookie. The sign-in form carries its own token (a signed
double-submit bound to no session yet), so another site cannot sign a visitor in as someone else. Sign-out needs
the session's CSRF token: a link or a forged form elsewhere cannot end someone's session.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.auth import public
from adapters.http.authn import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, clear_session_cookies, set_session_cookies
from adapters.http.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.security import apply_page_headers, safe_next
from adapters.http.web.viewer import optional_viewer
from payments.people.users import SignInFailed, SignInRateLimited

router = web_router()

SIGN_IN_COOKIE = "disburse_signin"
_SIGN_IN_BINDING = "sign-in-form"  # what the pre-session token is bound to (there is no session yet)
_MAX_USERNAME, _MAX_PASSWORD = 64, 1024
_YEAR_S = 365 * 24 * 3600


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sign_in_form(request: Request, *, status: int = 200, error: str | None = None, username: str = "",
                  next_url: str = "/", retry_after_s: int | None = None) -> Response:
    """The form with a fresh sign-in token (in the form and in a cookie only this path receives)."""
    state = request.app.state
    token = state.csrf.issue(_SIGN_IN_BINDING)
    response = render(request, "sign_in.html", status=status, error=error, username=username, next_url=next_url,
                      form_token=token, ended=request.query_params.get("ended") == "1",
                      signed_out=request.query_params.get("signed_out") == "1", retry_after_s=retry_after_s)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="strict", path="/sign-in",
                        secure=state.settings.secure_cookies, max_age=3600)
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(retry_after_s)
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/", _: None = public()) -> Response:  # noqa: A002
    next_url = safe_next(next)
    if optional_viewer(request) is not None:
        return redirect(next_url)
    return _sign_in_form(request, next_url=next_url)


@router.post("/sign-in")
async def sign_in(request: Request, _: None = public()) -> Response:
    form = await request.form()
    fields: dict[str, str] = {k: v for k, v in form.items() if isinstance(v, str)}
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    next_url = safe_next(fields.get("next"))
    state = request.app.state

    def again(status: int, error: str, **kw: Any) -> Any:
        return run_in_threadpool(_sign_in_form, request, status=status, error=error, username=username[:_MAX_USERNAME],
                                 next_url=next_url, **kw)

    if not state.csrf.verify(_SIGN_IN_BINDING, cookie_token=request.cookies.get(SIGN_IN_COOKIE),
                             submitted_token=fields.get("form_token")):
        return await again(400, "form_expired")
    if not username or not password:
        return await again(422, "missing")
    if len(username) > _MAX_USERNAME or len(password) > _MAX_PASSWORD:
        return await again(401, "failed")
    try:
        signed_in = await run_in_threadpool(state.auth.sign_in, username, password, client=_client(request))
    except SignInRateLimited as exc:
        return await again(429, "rate_limited", retry_after_s=int(exc.details["retry_after_s"]))
    except SignInFailed:
        return await again(401, "failed")
    response = redirect(next_url)
    set_session_cookies(response, secret=signed_in.secret, csrf_token=state.csrf.issue(signed_in.session_hash),
                        expires_at=signed_in.expires_at, now=state.clock.now(), secure=state.settings.secure_cookies)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in", secure=state.settings.secure_cookies, httponly=True,
                           samesite="strict")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, _: None = public()) -> Response:
    """Ends the session named by the cookie, given the session's CSRF token; without a live session there is
    nothing to end (the cookies are cleared all the same)."""
    state = request.app.state
    secret = request.cookies.get(SESSION_COOKIE)
    found = await run_in_threadpool(state.auth.authenticate_session, secret) if secret else None
    if found is not None:
        submitted = (await request.form()).get(CSRF_FIELD)
        if not state.csrf.verify(found[1], cookie_token=request.cookies.get(CSRF_COOKIE),
                                 submitted_token=submitted if isinstance(submitted, str) else None):
            return await run_in_threadpool(error_page, request, 403, "csrf_failed")
        await run_in_threadpool(state.auth.sign_out, secret)
    response = redirect("/sign-in?signed_out=1")
    clear_session_cookies(response, secure=state.settings.secure_cookies)
    return response


@router.get("/language/{code}")
def switch_language(request: Request, code: str, next: str = "/", _: None = public()) -> Response:  # noqa: A002
    """A link on every page: remember the language (a cookie, a year) and go back to the page it was on."""
    state = request.app.state
    if code not in LANGUAGES:
        return error_page(request, 404, "not_found")
    response = redirect(safe_next(next))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=_YEAR_S, path="/", samesite="lax", httponly=True,
                        secure=state.settings.secure_cookies)
    return apply_page_headers(response)
