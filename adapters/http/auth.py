"""Who is asking, and may they: every route depends on ``require(Action.X)``.

The authenticator that turns a bearer token (or a session cookie) into a ``Principal`` is supplied by
the composition root on ``app.state.authenticator``; this module only enforces the table in
``payments.identity``. ``ROUTE_ACTIONS`` records each route's declared action so that a test can
fail any route that has none.
"""

from __future__ import annotations

from typing import Callable, Protocol

from fastapi import Depends, HTTPException, Request

from payments.identity import Action, Principal, authorize


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Principal | None:
        """The principal behind the request's credentials, or None when there are none or they are invalid."""
        ...


def current_principal(request: Request) -> Principal:
    authenticator: Authenticator | None = getattr(request.app.state, "authenticator", None)
    principal = authenticator.authenticate(request) if authenticator else None
    if principal is None:
        raise HTTPException(status_code=401, detail="a valid bearer token or session is required")
    request.state.principal = principal
    return principal


def require(action: Action) -> Callable[..., Principal]:
    """Dependency: authenticate, then check the authorization table for ``action``."""

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        authorize(principal, action)
        return principal

    dependency.disburse_action = action  # type: ignore[attr-defined]
    return Depends(dependency)


def public() -> object:
    """Marks a route that needs no credentials (health, sign-in); the route-table test accepts only these."""

    def dependency() -> None:
        return None

    dependency.disburse_public = True  # type: ignore[attr-defined]
    return Depends(dependency)


def route_action(route) -> Action | str | None:  # noqa: ANN001
    """The action a route declared (or 'public'), found in its dependencies."""
    stack = list(getattr(route, "dependant", None).dependencies if getattr(route, "dependant", None) else [])
    while stack:
        dep = stack.pop()
        call = dep.call
        if getattr(call, "disburse_action", None) is not None:
            return call.disburse_action
        if getattr(call, "disburse_public", False):
            return "public"
        stack.extend(dep.dependencies)
    return None
