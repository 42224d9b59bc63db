"""The server-rendered pages for AP staff, treasury and vendors (docs/web.md says how to add one).

``install(app)`` adds every page router and the static files to the API's FastAPI app; the pages call the same
services the API does, found on ``app.state``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from adapters.http.web import (account_routes, audit_pages, bank_change_pages, document_pages, exception_pages,
                               home_routes, invoice_entry, invoice_list_routes, invoice_pages, ledger_pages,
                               payment_pages, po_pages, portal_pages, portal_submit, recon_pages, run_pages,
                               report_pages, search_routes, signal_pages, spending_pages,
                               spending_shares)

# A new page module goes here (its ``router = web_router()``). A fixed path ("/invoices/new") before the module
# whose path has a parameter in that place ("/invoices/{invoice_id}").
PAGE_MODULES = (account_routes, home_routes, invoice_list_routes, invoice_entry, invoice_pages, portal_submit,
                portal_pages, search_routes, po_pages, document_pages, run_pages, payment_pages, recon_pages,
                exception_pages, bank_change_pages, ledger_pages, audit_pages, signal_pages, report_pages,
                spending_pages, spending_shares)


class _StaticFiles(StaticFiles):
    """The package's own CSS and script: typed strictly, cached long (their URLs carry a content hash)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Pages link ``?v=<content hash>`` (pages.static_url): such a URL never changes content.
        versioned = scope.get("query_string", b"").startswith(b"v=")
        cache = b"public, max-age=31536000, immutable" if versioned else b"no-cache"

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"cache-control", cache)]
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    from adapters.http.web.pages import STATIC

    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.mount("/static", _StaticFiles(directory=STATIC), name="static")
