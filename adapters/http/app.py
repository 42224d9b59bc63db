"""The FastAPI application: routers, problem details, and the services the composition root hands in."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from adapters.http import problems
from adapters.http.ap import prompt_pay_routes
from adapters.http.ap import invoice_routes, po_routes, vendor_credit_routes, vendor_routes
from adapters.http.disbursements import payment_routes
from adapters.http.ledger import audit_routes, ledger_routes
from adapters.http.people import auth_routes, bank_account_routes, users_routes
from adapters.http.portal import portal_ap_routes, portal_proof_routes, portal_routes
from adapters.http.reconciliation import recon_routes
from adapters.http.reporting import operations_routes, report_routes, signal_routes, tin_routes
from adapters.http.sandbox import sandbox_routes
from adapters.http import web
from adapters.http.auth import public
from adapters.http.body_guard import BodyGuard, BodyLimits
from adapters.http.openapi_doc import document_problems
from adapters.http import ops_routes
from adapters.http.request_context import RequestContext
from adapters.tracing import request_tracer


def create_app(**state: Any) -> FastAPI:
    """``state`` carries the services (``ledger``, ``uow``, ``idempotency``, ``authenticator``, …)."""
    app = FastAPI(title="Disburse", version="0.1.0",
                  description="Payments and invoice reconciliation for public-sector accounts payable.")
    for name, value in state.items():
        setattr(app.state, name, value)
    problems.install(app)
    document_problems(app)
    settings = state.get("settings")
    app.add_middleware(BodyGuard, limits=BodyLimits(
        json_bytes=getattr(settings, "max_json_body_bytes", BodyLimits.json_bytes),
        upload_bytes=getattr(settings, "max_upload_body_bytes", BodyLimits.upload_bytes)))
    app.include_router(ledger_routes.router)
    app.include_router(prompt_pay_routes.router)  # disputes, clock stops, vendors' and orders' prompt-pay terms
    app.include_router(recon_routes.router)
    app.include_router(sandbox_routes.router)
    app.include_router(report_routes.router)  # manager reports (docs/transparency.md)
    app.include_router(operations_routes.router)  # cash forecast, suppliers, local vendors
    app.include_router(signal_routes.router)  # the assist signals' review queue
    app.include_router(tin_routes.router)  # IRS TIN Matching results, the 1099 worklist
    for ap_module in (vendor_routes, po_routes, invoice_routes, vendor_credit_routes):
        app.include_router(ap_module.router)
    app.include_router(vendor_credit_routes.portal)
    app.include_router(payment_routes.router)
    for module in (auth_routes, users_routes, bank_account_routes, portal_routes, portal_ap_routes, portal_proof_routes,
                   audit_routes):
        app.include_router(module.router)

    @app.get("/healthz", tags=["ops"])
    def health(_: None = public()) -> dict:
        """Liveness: the process answers. Readiness (database, schema, signing key, scheduler) is /readyz."""
        return {"status": "ok"}

    app.include_router(ops_routes.router)  # /readyz, /metrics (docs/operations.md)

    web.install(app)  # the pages (adapters/http/web, docs/web.md)
    # Outermost: the request id, access log and metrics see every answer, the body guard's and the pages' too.
    app.add_middleware(RequestContext, tracer=request_tracer(bool(getattr(settings, "otel_tracing", False))),
                       safe=state.get("request_id_safe"))
    return app
