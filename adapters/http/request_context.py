"""Every request gets an id, an access log line and its metrics (and a trace span when tracing is on).

The id: a client's ``X-Request-ID`` is kept when it is well formed (1-64 of ``A-Z a-z 0-9 . _ : -``) and carries
nothing the log redactor would mask (a run of nine digits could be an account number: such an id is replaced, so
that what the logs say and what the header said are always the same string); otherwise a new ULID. It is echoed in
the response's ``X-Request-ID``, set in a context variable every log line of the request carries
(``adapters/log_format.py``), and put into problem bodies (``problems.problem``).

The access line names the route *template* and never the query string or the raw path: paths hold ids, and a query
may hold anything a client typed. Metrics use the same template (``adapters/metrics.py``); a path that matched no
route is counted as ``unmatched``, so probes for random paths cannot grow the label set.

A pure ASGI middleware (not ``BaseHTTPMiddleware``): the context variable it sets is seen by the route, by sync
routes in the thread pool (which copies the context) and by everything they log.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable

from ulid import ULID

from adapters.request_ids import request_id

log = logging.getLogger("disburse.http")
HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


_DIGIT_RUN = re.compile(r"\d(?:-?\d){8,}")  # nine digits or more, hyphens between: the redactor masks these


def plain_enough(value: str) -> bool:
    """The check used when the app is given none: no run of nine digits, no token prefix, no ``key:value``."""
    return not _DIGIT_RUN.search(value) and "dsb_" not in value and ":" not in value


def accepted_request_id(value: str | None, safe: Callable[[str], bool] = plain_enough) -> str:
    """The client's id when it is well formed and ``safe`` to log as it is (the composition root passes "the log
    redactor leaves it unchanged"), else a new ULID."""
    if value and _WELL_FORMED.fullmatch(value) and safe(value):
        return value
    return str(ULID())


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's path template (``/v1/payments/{payment_id}``), never the path the client sent."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestContext:
    """Wraps the whole app: id, timing, access log, metrics, and the optional tracing span."""

    def __init__(self, app: Any, tracer: Any = None, safe: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.tracer = tracer
        self.safe = safe or plain_enough

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from adapters import metrics

        headers = dict(scope.get("headers") or ())
        given = headers.get(HEADER.lower().encode())
        rid = accepted_request_id(given.decode("latin-1") if given else None, self.safe)
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        span = self.tracer.start(scope) if self.tracer else None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")  # here, with the request id; the server answers 500 after this
            raise
        finally:
            elapsed = time.perf_counter() - started
            method, route = scope.get("method", ""), route_template(scope)
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, route).observe(elapsed)
            if span is not None:
                self.tracer.end(span, route, status)
            # A load balancer's probes and a scraper's visits, every few seconds per host, at DEBUG while they pass.
            level = logging.DEBUG if route in _PROBES and status < 400 else logging.INFO
            log.log(level, "%s %s %d %.1f ms", method, route, status, elapsed * 1000,
                    extra={"http_method": method, "route": route, "status": status,
                           "duration_ms": round(elapsed * 1000, 2)})
            request_id.reset(token)
