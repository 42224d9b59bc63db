"""Generated from the app's route table, so that every route added later is held to the same rules:

* every route declares the action it performs (``require(Action.X)``) or is one of the few public ones;
* every request body model refuses unknown fields (mass assignment: nothing is silently accepted);
* every role, on every route: allowed exactly when the authorization table says so.
"""

from __future__ import annotations

import json
import typing

from pydantic import BaseModel

from payments.identity import Action, Role, is_allowed
from tests.e2e.people import People, client_for, sqlite_stack  # noqa: F401
from tests.e2e.routes import api_routes

# A public route needs no credentials at all: keep this list short, and say why each is on it.
PUBLIC = {
    "GET /healthz",  # load balancers
    "GET /readyz",  # load balancers: database, schema, signing key (adapters/http/ops_routes.py)
    "GET /metrics",  # Prometheus: its own bearer token (DISBURSE_METRICS_TOKEN), no user's; 404 without one
    "POST /v1/auth/sign-in",  # how one gets a session
    "POST /v1/auth/sign-out",  # ends whatever session the cookie names; harmless without one
    "POST /v1/auth/password-reset",  # spends a one-time link sent to the person's own address; nothing without it
}


def _app(stack):  # noqa: ANN001, ANN202
    import main

    return main.create_app(stack)


def test_every_route_declares_an_action_from_the_table_or_is_knowingly_public(sqlite_stack):
    routes = api_routes(_app(sqlite_stack))
    assert len(routes) > 30
    undeclared = [str(r) for r in routes if r.action is None]
    assert undeclared == [], "routes without require(Action.X) or public()"
    unknown = [str(r) for r in routes if r.action != "public" and not isinstance(r.action, Action)]
    assert unknown == []
    public = {str(r) for r in routes if r.action == "public"}
    assert public <= PUBLIC, f"unexpected public routes: {sorted(public - PUBLIC)}"


def _models(annotation) -> list[type[BaseModel]]:  # noqa: ANN001
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        nested = [m for f in annotation.model_fields.values() for m in _models(f.annotation)]
        return [annotation, *nested]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_every_request_body_model_forbids_unknown_fields(sqlite_stack):
    lax = []
    for route in api_routes(_app(sqlite_stack)):
        for param in route.route.dependant.body_params:
            for model in _models(param.field_info.annotation):
                if model.model_config.get("extra") != "forbid":
                    lax.append(f"{route}: {model.__name__}")
    assert lax == [], "request models must set model_config = ConfigDict(extra='forbid')"


def test_every_role_on_every_route_is_allowed_exactly_as_the_table_says(sqlite_stack):
    people = People(sqlite_stack)
    headers = {role: people.vendor("matrix-vendor", "ven_MATRIX") if role is Role.VENDOR
               else people.headers(f"matrix-{role.value.replace('_', '-')}", role) for role in Role}
    routes = [r for r in api_routes(_app(sqlite_stack)) if r.action != "public"]
    wrong, checked_writes = [], 0
    with client_for(sqlite_stack) as client:
        for route in routes:
            checked_writes += route.writes
            for role in Role:
                r = client.request(route.method, route.url(), headers=headers[role],
                                   json={} if route.writes else None)
                refused = r.status_code == 403 and r.json().get("code") == "action_not_allowed"
                if r.status_code == 401 or refused == is_allowed(role, route.action):
                    wrong.append(f"{route} as {role.value}: {r.status_code} {r.text[:120]}")
    assert wrong == []
    assert checked_writes >= 20  # every state-changing route, times every role


def test_no_credentials_is_the_same_401_on_every_protected_route(sqlite_stack):
    bodies = set()
    with client_for(sqlite_stack) as client:
        for route in api_routes(_app(sqlite_stack)):
            if route.action == "public":
                continue
            for headers in ({}, {"Authorization": "Bearer dsb_" + "A" * 43}, {"Authorization": "Basic eDp5"},
                            {"Cookie": "disburse_session=forged"}):
                r = client.request(route.method, route.url(), headers=headers, json={} if route.writes else None)
                assert r.status_code == 401, f"{route} {headers}: {r.status_code}"
                body = r.json()
                assert body.pop("request_id") == r.headers["x-request-id"]  # the request's own id, nothing more
                bodies.add(json.dumps(body, sort_keys=True))
    assert len(bodies) == 1  # one answer, whatever was wrong
