"""Optional OpenTelemetry tracing: a server span per HTTP request, off unless asked for and installed.

Nothing here is a dependency. ``DISBURSE_OTEL_TRACING=1`` turns it on, and then only if ``opentelemetry-api`` can
be imported; without the SDK the API's spans are no-ops, so a deployment that wants traces installs
``opentelemetry-sdk`` and ``opentelemetry-exporter-otlp`` and sets the standard ``OTEL_*`` variables
(``OTEL_SERVICE_NAME``, ``OTEL_EXPORTER_OTLP_ENDPOINT``), or runs under ``opentelemetry-instrument``, which
configures the provider itself. A caller's ``traceparent`` header is honoured, so a span joins the caller's trace.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

log = logging.getLogger("disburse.tracing")


class RequestTracer:
    """Starts and ends the request's span; the request middleware calls it (``adapters/http/request_context.py``)."""

    def __init__(self, tracer: Any, propagate: Any) -> None:
        self._tracer = tracer
        self._propagate = propagate

    def start(self, scope: dict[str, Any]) -> Any:
        from opentelemetry import trace

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        span = self._tracer.start_span(f"{scope.get('method', '')} request", context=self._propagate.extract(carrier),
                                       kind=trace.SpanKind.SERVER)
        span.set_attribute("http.request.method", scope.get("method", ""))
        return span

    def end(self, span: Any, route: str, status: int) -> None:
        # Named by the route template, never the raw path (paths hold ids); set at the end, once routing is known.
        span.update_name(f"{span.name.split(' ')[0]} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        from adapters.request_ids import request_id

        if rid := request_id.get():
            span.set_attribute("disburse.request_id", rid)
        span.end()


def request_tracer(enabled: bool) -> RequestTracer | None:
    """The tracer for the app, or None: tracing is off, or OpenTelemetry is not installed (said once, in the log)."""
    if not enabled:
        return None
    try:
        from opentelemetry import propagate, trace
    except ImportError:
        log.warning("DISBURSE_OTEL_TRACING is on but opentelemetry-api is not installed: no traces")
        return None
    _configure_sdk(trace)
    return RequestTracer(trace.get_tracer("disburse"), propagate)


def _configure_sdk(trace: Any) -> None:
    """With the SDK and the OTLP exporter installed and no provider set yet, export spans by OTLP (OTEL_* variables)."""
    try:  # by name: none of these is a dependency, nor known to the type checker
        otlp = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
        resources = importlib.import_module("opentelemetry.sdk.resources")
        sdk = importlib.import_module("opentelemetry.sdk.trace")
        export = importlib.import_module("opentelemetry.sdk.trace.export")
    except ImportError:
        return  # the API alone, or a provider configured by opentelemetry-instrument
    if type(trace.get_tracer_provider()).__name__ != "ProxyTracerProvider":
        return
    name = os.environ.get("OTEL_SERVICE_NAME", "disburse")
    provider = sdk.TracerProvider(resource=resources.Resource.create({"service.name": name}))
    provider.add_span_processor(export.BatchSpanProcessor(otlp.OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
