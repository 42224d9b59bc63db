"""RFC 9457 problem details, and the one table that maps stable error codes to HTTP statuses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.request_ids import request_id
from ledger.errors import CodedError, LedgerError
from payments.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

PROBLEM_TYPE = "https://disburse.dev/problems/"

# Codes whose status differs from their class's default. The domain never sees this table.
STATUS_BY_CODE: dict[str, int] = {
    "entry_exists_with_different_body": 409,
    "entry_already_reversed": 409,
    "journal_not_initialized": 503,
    "journal_already_initialized": 409,
    "entry_not_found": 404,
    "checkpoint_does_not_cover_entry": 409,  # a proof waits for the next signed checkpoint
    "journal_does_not_extend_checkpoint": 409,
    "not_found": 404,
    "unauthenticated": 401,
    "idempotency_key_reused": 409,
    "idempotency_key_in_flight": 409,
    "idempotency_key_abandoned": 409,
    "insufficient_funds": 422,
    "stale_state": 409,
    "document_exists_with_different_body": 409,
    "duplicate_number": 409,
    "tin_storage_unavailable": 503,
    "sign_in_failed": 401,
    "sign_in_rate_limited": 429,
    "csrf_failed": 403,
}
STATUS_BY_CLASS: tuple[tuple[type, int], ...] = (
    (NotFound, 404), (Conflict, 409), (Forbidden, 403), (InvalidInput, 422), (DomainError, 422), (LedgerError, 422),
)


def status_for(exc: Exception) -> int:
    code = getattr(exc, "code", "")
    if code in STATUS_BY_CODE:
        return STATUS_BY_CODE[code]
    for cls, status in STATUS_BY_CLASS:
        if isinstance(exc, cls):
            return status
    return 500


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE + code, "title": code.replace("_", " "), "status": status, "detail": detail,
            "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    if (rid := request_id.get()) is not None:  # the id the logs of this request carry (request_context.py)
        body.setdefault("request_id", rid)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _safe_details(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if isinstance(v, (str, int, bool, list)) and k not in ("status",)}


def _json_error(error: dict[str, Any], document: Any) -> dict[str, Any]:
    """A body that is not JSON names the body and where it breaks, never the character offset as a "field"."""
    loc = error.get("loc", ())
    at = loc[-1] if loc and isinstance(loc[-1], int) else None
    why = (error.get("ctx") or {}).get("error") or "not valid JSON"
    where = ""
    if at is not None:
        text = document if isinstance(document, str) else ""
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        where = f" at line {line}, column {column} (character {at})"
    return {"field": "body", "reason": f"the request body is not valid JSON: {why}{where}", "type": "json_invalid"}


def install(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: CodedError) -> JSONResponse:
        return problem(status_for(exc), exc.code, exc.message, **_safe_details(getattr(exc, "details", {})))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_json_error(e, exc.body) if e.get("type") == "json_invalid" else
                  {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "reason": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors) or "invalid request"
        return problem(422, "invalid_request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "request_too_large"}.get(
            exc.status_code, "http_error")
        response = problem(exc.status_code, code, str(exc.detail))
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
