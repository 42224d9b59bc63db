"""What a request body must be before any route sees it: an ASGI middleware in front of the whole app.

1. **Authenticate before reading.** A request to a protected ``/v1/`` route without valid credentials is answered
   ``401`` from its headers alone; not a byte of its body is read (a 400 MiB body without a token costs nothing).
2. **A cap per route.** JSON and form bodies are capped at ``BodyLimits.json_bytes`` (1 MiB by default); a route
   marked ``@raw_body`` (the bank-file upload) at ``BodyLimits.upload_bytes``. A ``Content-Length`` over the cap is
   refused at once, and a chunked body is counted as it arrives: ``413 request_too_large`` either way.
3. **JSON says one thing.** A JSON object with the same key twice is refused (``duplicate_json_key``) instead of the
   last one silently winning, and so are ``NaN`` and ``Infinity``, which are not JSON; a string anywhere holding a
   NUL, another control character or a bidirectional override is refused too (``forbidden_character``, fields.py).
4. **An action with no body takes none.** A protected ``/v1/`` route that declares no body refuses a non-empty one
   (``unexpected_body``) instead of ignoring it; an empty body, ``{}``, or a form holding only the CSRF field pass.

Credentials are checked with the app's own authenticator; the principal found is left in the request's state so the
route's ``current_principal`` does not look it up again. A valid session whose CSRF token is missing is let through
here: the route refuses it with ``csrf_failed``, which may need the form field from the body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.auth import route_action
from adapters.http.problems import problem
from payments.errors import Forbidden
from payments.text_rules import find_forbidden

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM = "application/x-www-form-urlencoded"
_NO_BODY_FORM_FIELDS = frozenset({"csrf_token"})


@dataclass(frozen=True)
class BodyLimits:
    """Largest request bodies, in bytes (settings ``max_json_body_bytes`` and ``max_upload_body_bytes``)."""

    json_bytes: int = 1 * 2**20
    upload_bytes: int = 200 * 2**20


def raw_body(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a route that reads its raw body itself (a bank file): the upload cap applies, not the JSON one."""
    endpoint.disburse_raw_body = True  # type: ignore[attr-defined]
    return endpoint


@dataclass(frozen=True)
class _RouteRule:
    pattern: Any
    methods: frozenset[str]
    protected: bool  # a /v1/ route that is not public: credentials are checked before the body is read
    raw: bool
    takes_body: bool


class _Refused(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class BodyGuard:
    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self.limits = limits or BodyLimits()
        self._rules: list[_RouteRule] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        rule = self._rule_for(scope)
        try:
            if rule is not None and rule.protected and not await self._authenticated(scope):
                await _send_problem(scope, receive, send, 401, "unauthenticated",
                                    "a valid bearer token or session is required", www_authenticate=True)
                return
            cap = self.limits.upload_bytes if rule is not None and rule.raw else self.limits.json_bytes
            _check_declared_length(scope, cap)
            if rule is not None and rule.raw:
                await self.app(scope, _counting(receive, cap), send)
                return
            body = await _read_capped(receive, cap)
            _check_body(scope, body, rule)
        except _Refused as refused:
            await _send_problem(scope, receive, send, refused.status, refused.code, refused.detail)
            return
        await self.app(scope, _replay(body, receive), send)

    def _rule_for(self, scope: Scope) -> _RouteRule | None:
        if self._rules is None:
            self._rules = _rules(scope["app"])
        path, method = scope["path"], scope["method"]
        for rule in self._rules:
            if method in rule.methods and rule.pattern.match(path):
                return rule
        return None

    async def _authenticated(self, scope: Scope) -> bool:
        authenticator = getattr(scope["app"].state, "authenticator", None)
        if authenticator is None:
            return False
        try:
            principal = await run_in_threadpool(authenticator.authenticate, Request(scope))
        except Forbidden:
            return True  # a live session without its CSRF token: the route refuses it (csrf_failed)
        if principal is None:
            return False
        scope.setdefault("state", {})["authenticated"] = principal
        return True


def _rules(app: Any) -> list[_RouteRule]:
    try:  # FastAPI 0.16x includes routers lazily: app.routes holds the included routers, not their routes
        from fastapi.routing import iter_route_contexts
        contexts = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI
        contexts = list(app.routes)
    out = []
    for ctx in contexts:
        if not isinstance(getattr(ctx, "original_route", ctx), APIRoute):
            continue
        path = str(ctx.path)
        pattern, _, _ = compile_path(path)
        methods = frozenset(ctx.methods or ()) & BODY_METHODS
        if not methods:
            continue
        protected = path.startswith("/v1/") and route_action(ctx) not in ("public", None)
        out.append(_RouteRule(pattern, methods, protected, bool(getattr(ctx.endpoint, "disburse_raw_body", False)),
                              getattr(ctx, "body_field", None) is not None))
    return out


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _too_large(cap: int) -> _Refused:
    return _Refused(413, "request_too_large", f"the request body is larger than this route accepts ({cap} bytes)")


def _check_declared_length(scope: Scope, cap: int) -> None:
    declared = _header(scope, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cap:
        raise _too_large(cap)


async def _read_capped(receive: Receive, cap: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _counting(receive: Receive, cap: int) -> Receive:
    """Counts a streamed upload; past the cap the route's read fails with 413 (HTTPException reaches the handler)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise HTTPException(413, f"the request body is larger than this route accepts ({cap} bytes)")
        return message

    return wrapped


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


def _check_body(scope: Scope, body: bytes, rule: _RouteRule | None) -> None:
    content_type = _header(scope, b"content-type") or ""
    if rule is not None and rule.protected and not rule.takes_body and body.strip():
        if content_type.lower().startswith(_FORM):
            fields = {k for k, _ in parse_qsl(body.decode("latin-1"), keep_blank_values=True)}
            if fields <= _NO_BODY_FORM_FIELDS:
                return
        elif _is_json(content_type) and body.strip() == b"{}":
            return
        raise _Refused(422, "unexpected_body", "this action takes no request body; send none (or {})")
    if body.strip() and _is_json(content_type):
        refusal = json_refusal(body)
        if refusal is not None:
            raise _Refused(422, *refusal)


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise ValueError(name)


def json_refusal(body: bytes) -> tuple[str, str] | None:
    """``(code, detail)`` for a JSON body that says two things (duplicate keys) or holds NaN/Infinity; None otherwise.

    A body that is not JSON at all is left to the route's own validation, which names where it breaks.
    """
    try:
        value = json.loads(body, object_pairs_hook=_pairs, parse_constant=_constant)
    except _Duplicate as dup:
        return "duplicate_json_key", f"the JSON object has the key {str(dup)[:64]!r} more than once"
    except ValueError as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            return "invalid_json", f"{exc} is not a JSON number"
        return None
    except RecursionError:
        return "invalid_json", "the JSON is nested too deeply"
    return _forbidden_text(value)


def _forbidden_text(value: Any) -> tuple[str, str] | None:
    """A string anywhere in the body (or a key) holding a control or bidirectional character (fields.py)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                stack.append((f"{path}.{key}" if path else key, inner))
                stack.append((f"{path} key", key))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", inner) for i, inner in enumerate(item))
        elif isinstance(item, str) and (bad := find_forbidden(item)) is not None:
            return "forbidden_character", f"{path[:200] or 'the body'} holds the control or bidirectional " \
                                          f"character {bad}, which no text here may carry"
    return None


async def _send_problem(scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str, *,
                        www_authenticate: bool = False) -> None:
    response = problem(status, code, detail)
    if www_authenticate:
        response.headers["WWW-Authenticate"] = "Bearer"
    if status == 413:
        response.headers["Connection"] = "close"  # the rest of the body is not read
    await response(scope, receive, send)
