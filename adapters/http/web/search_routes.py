"""``/search``: one box that finds vendors, purchase orders, invoices and payments by number, name, amount,
trace number or EndToEndId (``payments.disbursements.search``), each hit linking to its page."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.labels import MATCHED_ON, SEARCH_KINDS
from adapters.http.web.pages import render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.disbursements.search import Search
from payments.identity import Action

router = web_router()
LINKS = {"vendor": "/vendors/", "purchase_order": "/purchase-orders/", "invoice": "/invoices/"}


@router.get("/search")
def search(request: Request, q: str = "", viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    hits = Search(request.app.state.uow).find(q) if q.strip() else []
    return render(request, "search.html", q=q[:100], hits=hits, kinds=SEARCH_KINDS, matched_on=MATCHED_ON,
                  links=LINKS, searched=bool(q.strip()))
