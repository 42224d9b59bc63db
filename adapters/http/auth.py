"""Who is asking, and may they: every route depends on ``require(Action.X)``.

The authenticator that turns a bearer token (or a session cookie) into a ``Principal`` is supplied by
the composition root on ``app.state.authenticator``; this module only enforces the table in
``payments.identity``. ``ROUTE_ACTIONS`` records each route's declared action so that a test can
fail any route that has none.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from payments.identity import Action, Principal, authorize


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")  # what an HTML form posts (an upload: multipart)


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Principal | None:
        """The principal behind the request's credentials, or None when there are none or they are invalid."""
        ...


async def current_principal(request: Request) -> Principal:
    authenticator: Authenticator | None = getattr(request.app.state, "authenticator", None)
    content_type = request.headers.get("content-type", "")
    if request.method not in ("GET", "HEAD", "OPTIONS") and content_type.startswith(_FORMS) \
            and "authorization" not in request.headers:
        # A plain HTML form (an upload too) cannot send a header, so its CSRF token is a field. Starlette caches
        # the parsed form on the request, where FastAPI and the route find it again; only an async dependency
        # can await it.
        csrf_field = (await request.form()).get("csrf_token")
        request.state.csrf_form_token = csrf_field if isinstance(csrf_field, str) else None
    # The body guard (body_guard.py) already checked a bearer token or a session with its CSRF header.
    principal = getattr(request.state, "authenticated", None)
    if principal is None:
        principal = await run_in_threadpool(authenticator.authenticate, request) if authenticator else None
    if principal is None:
        raise HTTPException(status_code=401, detail="a valid bearer token or session is required")
    request.state.principal = principal
    return principal


def require(action: Action) -> Any:
    """Dependency: authenticate, then check the authorization table for ``action``.

    Used as a parameter's default (``p: Principal = require(...)``), as FastAPI's ``Depends`` is; like it, typed
    ``Any`` so that the parameter keeps the type of what the dependency gives."""

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        authorize(principal, action)
        return principal

    dependency.disburse_action = action  # type: ignore[attr-defined]
    return Depends(dependency)


def public() -> Any:
    """Marks a route that needs no credentials (health, sign-in); the route-table test accepts only these."""

    def dependency() -> None:
        return None

    dependency.disburse_public = True  # type: ignore[attr-defined]
    return Depends(dependency)


def route_action(route) -> Action | str | None:  # noqa: ANN001
    """The action a route declared (or 'public'), found in its dependencies."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        dep = stack.pop()
        call = dep.call
        if getattr(call, "disburse_action", None) is not None:
            return call.disburse_action
        if getattr(call, "disburse_public", False):
            return "public"
        stack.extend(dep.dependencies)
    return None
