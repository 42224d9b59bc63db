"""Idempotency-Key on every POST that creates or moves money (DESIGN.md §5).

Same key and body: the first response is replayed. Same key, different body: 409. A key still in
flight: 409, until its lease runs out (its holder died mid-request); then the next retry takes the claim over and
runs the handler again, but only on a route that says it is safe to (``rerun_safe``: the use case is idempotent by
itself, e.g. :submit finishes the run's open submission after asking the rail, and a run is created once per key).
Elsewhere (a ledger post without an id would post twice) the retry gets 409 ``idempotency_key_abandoned``: the
effect of the interrupted request is unknown, look it up before retrying with a new key. The scope is the caller
plus the route, so two users cannot collide on a key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from adapters.http.problems import problem, status_for
from payments.identity import Principal

MAX_KEY_LENGTH = 200


def run_idempotent(request: Request, principal: Principal, payload: Any,
                   handler: Callable[[], tuple[int, Any]], *, rerun_safe: bool = False) -> Response:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body = handler()
        return JSONResponse(jsonable_encoder(body), status_code=status)
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return problem(422, "invalid_idempotency_key", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")
    store = request.app.state.idempotency
    scope = f"{principal.user_id} {request.method} {request.url.path}"
    digest = hashlib.sha256(json.dumps(jsonable_encoder(payload), sort_keys=True).encode()).hexdigest()
    state, status, body, holder = store.begin(scope, key, digest)
    if state == "replay":
        response = Response(body, status_code=status, media_type="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        return response
    if state == "conflict":
        return problem(409, "idempotency_key_reused", "this Idempotency-Key was used with a different request body")
    if state == "in_flight":
        return problem(409, "idempotency_key_in_flight", "a request with this Idempotency-Key is still being processed")
    if state == "taken_over" and not rerun_safe:
        response = problem(409, "idempotency_key_abandoned", "the request with this Idempotency-Key was interrupted "
                           "before it answered and its effect is unknown: look it up, then retry with a new key")
        store.finish(scope, key, holder, 409, response.body)
        return response
    try:
        status, result = handler()
    except Exception as exc:
        code = status_for(exc)
        if code >= 500:
            store.release(scope, key, holder)
            raise
        # A refusal is an answer too: replaying it keeps a retried bad request from succeeding later by surprise.
        response = problem(code, getattr(exc, "code", "error"), getattr(exc, "message", str(exc)))
        store.finish(scope, key, holder, code, response.body)
        return response
    encoded = json.dumps(jsonable_encoder(result)).encode()
    store.finish(scope, key, holder, status, encoded)
    return Response(encoded, status_code=status, media_type="application/json")
