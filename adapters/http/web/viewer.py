"""Who is looking at a page: the signed-in person, found exactly as the API finds a caller, plus what the layout
shows about them (name, when the session ends, the CSRF token its forms echo back).

``page(Action.X)`` is the dependency of every signed-in page: it runs the API's own ``require(Action.X)`` (the
same authenticator, the same authorization table, the same CSRF check on a POST) and then describes the viewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from adapters.http.auth import require
from adapters.http.authn import CSRF_COOKIE, SESSION_COOKIE
from payments.identity import Action, Principal, Role, is_allowed
from payments.people.auth_service import hash_session


@dataclass(frozen=True, slots=True)
class Viewer:
    principal: Principal
    username: str
    display_name: str
    expires_at: dt.datetime | None  # when the web session ends; None for a bearer token
    csrf_token: str | None  # the session's CSRF token, which every form posts back as ``csrf_token``

    def may(self, action: Action) -> bool:
        """Whether to show a button: the table the server enforces, asked ahead (the server still checks)."""
        return any(is_allowed(role, action) for role in self.principal.roles)

    @property
    def is_vendor(self) -> bool:
        return Role.VENDOR in self.principal.roles


def describe(request: Request, principal: Principal) -> Viewer:
    """The viewer behind an authenticated request; also kept on ``request.state.viewer`` for the layout."""
    state = request.app.state
    secret = request.cookies.get(SESSION_COOKIE) if "authorization" not in request.headers else None
    with state.uow(read_only=True) as uow:
        user = uow.users.get(principal.user_id)
        session = uow.sessions.by_hash(hash_session(secret)) if secret else None
    viewer = Viewer(principal, user.username if user else principal.user_id,
                    user.display_name if user else principal.user_id,
                    session.expires_at if session else None,
                    request.cookies.get(CSRF_COOKIE) if session else None)
    request.state.viewer = viewer
    return viewer


def page(action: Action) -> Any:
    """Dependency for a signed-in page or form: ``viewer: Viewer = page(Action.INVOICE_READ)``.

    No session → the page redirects to sign-in; a role without ``action`` → a 403 page; a POST without the
    session's CSRF token → a 403 page (``pages.WebRoute`` turns the API's errors into pages).
    """

    def dependency(request: Request, principal: Principal = require(action)) -> Viewer:
        return describe(request, principal)

    return Depends(dependency)


def optional_viewer(request: Request) -> Viewer | None:
    """For a public page that shows more when someone is signed in (the home page). Reads only: never a POST."""
    if request.method not in ("GET", "HEAD"):
        raise ValueError("optional_viewer is for pages that only read")
    authenticator = getattr(request.app.state, "authenticator", None)
    if authenticator is None or not (request.cookies.get(SESSION_COOKIE) or "authorization" in request.headers):
        return None
    principal = authenticator.authenticate(request)
    return describe(request, principal) if principal is not None else None
