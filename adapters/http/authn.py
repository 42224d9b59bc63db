"""The HTTP authenticator: bearer API tokens for programs, session cookies (with CSRF) for the web.

Whatever fails — a malformed, unknown, revoked or expired token, an unknown or expired session, a disabled user —
the answer is ``None``, which ``auth.current_principal`` turns into one and the same 401 problem. A bearer header
that does not authenticate is never retried as a cookie: the caller said which credential it meant.

Cookie-authenticated requests that change state need the CSRF token (signed double-submit, bound to the
session): in the ``X-CSRF-Token`` header, or as the ``csrf_token`` field of an urlencoded HTML form.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Protocol

from fastapi import Request, Response

from payments.errors import Forbidden
from payments.identity import Principal

SESSION_COOKIE = "disburse_session"
CSRF_COOKIE = "disburse_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BEARER = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(f"this request changes state with a session cookie and needs the CSRF token in the "
                         f"{CSRF_HEADER} header (or the {CSRF_FIELD} form field)")


class Csrf(Protocol):
    def issue(self, session_id: str) -> str: ...

    def verify(self, session_id: str, *, cookie_token: str | None, submitted_token: str | None) -> bool: ...


class TokenAndSessionAuth(Protocol):
    def authenticate_token(self, presented: str) -> Principal | None: ...

    def authenticate_session(self, secret: str) -> tuple[Principal, str] | None: ...


class SessionAuthenticator:
    """``app.state.authenticator``: turns a request's credentials into a ``Principal`` or None."""

    def __init__(self, auth: TokenAndSessionAuth, csrf: Csrf) -> None:
        self._auth = auth
        self._csrf = csrf

    def authenticate(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization")
        if header is not None:
            match = _BEARER.fullmatch(header.strip())
            return self._auth.authenticate_token(match.group(1)) if match else None
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            return None
        found = self._auth.authenticate_session(secret)
        if found is None:
            return None
        principal, session_hash = found
        if request.method not in SAFE_METHODS:
            submitted = request.headers.get(CSRF_HEADER) or getattr(request.state, "csrf_form_token", None)
            if not self._csrf.verify(session_hash, cookie_token=request.cookies.get(CSRF_COOKIE),
                                     submitted_token=submitted):
                raise CsrfFailed()
        return principal


def set_session_cookies(response: Response, *, secret: str, csrf_token: str, expires_at: datetime,
                        now: datetime, secure: bool) -> None:
    """The session cookie is HttpOnly (scripts never see it); the CSRF cookie is readable so pages can echo it."""
    max_age = max(0, int((expires_at - now).total_seconds()))
    common: dict[str, Any] = {"max_age": max_age, "path": "/", "secure": secure, "samesite": "lax"}
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, **common)
    response.set_cookie(CSRF_COOKIE, csrf_token, httponly=False, **common)


def clear_session_cookies(response: Response, *, secure: bool) -> None:
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="lax")
