"""/metrics (Prometheus) and /readyz (ready for traffic); /healthz, in app.py, only says the process is alive.

/metrics is guarded by its own bearer token (``DISBURSE_METRICS_TOKEN``), not a user's: a scraper is no person and
holds no role, and the counts it reads (payments by status, exceptions open) are the agency's business. A token
works the same behind a load balancer, across hosts and with any number of workers on one port; a separate
metrics port would need a listener per worker and a network rule to keep it private. With no token configured
/metrics answers 404, as if it were not there.

/readyz is public, for load balancers, and says only what an operator needs to route traffic: whether the
database answers, whether its schema is the code's, whether the ledger's signing key is in the key store, and the
state of the scheduler. 503 while any of the first three is not so.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from adapters.http.auth import public

router = APIRouter(tags=["ops"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/metrics", include_in_schema=False)
def metrics_text(request: Request, _: None = public()) -> Response:
    from adapters import metrics

    expected = getattr(request.app.state.settings, "metrics_token", "") or ""
    given = request.headers.get("authorization", "")
    if not expected:
        return Response(status_code=404)
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return Response(status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(metrics.render(getattr(request.app.state, "metrics_collectors", ())), media_type=CONTENT_TYPE)


def readiness(state: Any) -> tuple[bool, dict[str, Any]]:
    """Each check with its finding; ready when the database, the schema and the signing key are all right."""
    checks: dict[str, Any] = dict(state.database_checks())
    if not checks.get("database", {}).get("ok"):
        return False, checks
    checks["signing_key"] = _signing_key(state)
    scheduler = getattr(state, "scheduler_state", None)
    checks["scheduler"] = {"this_process": scheduler() if callable(scheduler) else "off",
                           "last_fire": checks.pop("last_job_fire", None)}
    return all(checks[k]["ok"] for k in ("database", "migrations", "signing_key")), checks


def _signing_key(state: Any) -> dict[str, Any]:
    try:
        keys = [k for k in state.ledger.keys() if k.valid_to_sequence is None]
    except Exception as exc:  # noqa: BLE001 - a journal not initialized yet has no key to hold
        return {"ok": False, "error": getattr(exc, "code", type(exc).__name__)}
    if not keys:
        return {"ok": False, "error": "no_open_signing_key"}
    key_id = max(keys, key=lambda k: k.valid_from_sequence).key_id
    try:
        state.vault.signer(key_id)
    except Exception as exc:  # noqa: BLE001 - missing file, unreadable, wrong key: the process cannot post
        return {"ok": False, "key_id": key_id, "error": getattr(exc, "code", "signing_key_unreadable")}
    return {"ok": True, "key_id": key_id}


@router.get("/readyz", include_in_schema=False)
def ready(request: Request, _: None = public()) -> JSONResponse:
    ok, checks = readiness(request.app.state)
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)
