"""Idempotency-Key on every POST that creates or moves money (DESIGN.md §5).

Same key and body: the first response is replayed. Same key, different body: 409. A key still in
flight: 409, until its lease runs out (its holder died mid-request); then the next retry takes the claim over and
runs the handler again, but only on a route that says it is safe to (``rerun_safe``: the use case is idempotent by
itself, e.g. :submit finishes the run's open submission after asking the rail, and a run is created once per key).
Elsewhere (a ledger post without an id would post twice) the retry gets 409 ``idempotency_key_abandoned``: the
effect of the interrupted request is unknown, look it up before retrying with a new key. The scope is the caller
plus the route, so two users cannot collide on a key.

A route whose step is done once per person and leaves its mark (a release names its releaser, a cancelled run's
payments name who cancelled it, a resolved exception its resolver) passes ``on_takeover``: it looks for that mark
and answers with the state it finds, as the interrupted request would have; finding none (the interrupted request
rolled back), the handler runs. Without it a retry would be refused for a step it had itself already taken
(``already_released_by_you``, ``illegal_transition``).
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
                   handler: Callable[[], tuple[int, Any]], *, rerun_safe: bool = False,
                   on_takeover: Callable[[], tuple[int, Any] | None] | None = None) -> Response:
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
    if state == "taken_over" and not (rerun_safe or on_takeover):
        response = problem(409, "idempotency_key_abandoned", "the request with this Idempotency-Key was interrupted "
                           "before it answered and its effect is unknown: look it up, then retry with a new key")
        return answer(store, scope, key, holder, response)
    try:
        found = on_takeover() if state == "taken_over" and on_takeover else None
        status, result = found if found is not None else handler()
    except Exception as exc:
        code = status_for(exc)
        if code >= 500:
            store.release(scope, key, holder)
            raise
        # A refusal is an answer too: replaying it keeps a retried bad request from succeeding later by surprise.
        return answer(store, scope, key, holder,
                      problem(code, getattr(exc, "code", "error"), getattr(exc, "message", str(exc))))
    encoded = json.dumps(jsonable_encoder(result)).encode()
    return answer(store, scope, key, holder, Response(encoded, status_code=status, media_type="application/json"))


def answer(store: Any, scope: str, key: str, holder: str, response: Response) -> Response:
    """Record ``response`` as the key's answer and give it, if this request still holds the claim. A request that
    ran past its lease lost the claim to a retry, which ran the handler again: one key has one answer, the one
    recorded, so the late request gives that (or 409 in flight, until the retry records it), never its own."""
    if store.finish(scope, key, holder, response.status_code, bytes(response.body)):
        return response
    recorded = store.answer(scope, key)
    if recorded is None:
        return problem(409, "idempotency_key_in_flight", "a request with this Idempotency-Key is still being processed")
    replay = Response(recorded[1], status_code=recorded[0], media_type="application/json")
    replay.headers["Idempotent-Replayed"] = "true"
    return replay
