"""``/invoices``: the staff invoice list, filtered by status, hold, lateness or "awaiting my approval", sorted,
paged by keyset, and downloadable as CSV or XLSX (``/invoices.csv``, ``/invoices.xlsx``, the same filters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.labels import HOLDS, INVOICE_SORTS, INVOICE_STATUSES
from adapters.http.web.page_lists import EXPORT_FORMATS, cursor_of, export, position_of, query_with
from adapters.http.web.pages import error_page, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import from_minor
from payments.ap.worklist import InvoiceFilter, InvoiceRow, InvoiceSort, Position, Worklist
from payments.identity import Action

router = web_router()
PAGE_SIZE = 50
EXPORT_PAGE, EXPORT_MAX = 500, 100_000


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The list's query string, checked: what the filter form and the links carry."""

    status: str = ""
    hold: str = ""
    late: bool = False
    mine: bool = False
    sort: str = "received"
    order: str = "asc"
    vendor: str = ""

    def params(self) -> dict[str, str | None]:
        return {"status": self.status, "hold": self.hold, "late": "1" if self.late else None,
                "mine": "1" if self.mine else None, "vendor": self.vendor,
                "sort": None if self.sort == "received" else self.sort, "order": None if self.order == "asc" else "desc"}


def read_query(request: Request) -> ListQuery | None:
    q = request.query_params
    query = ListQuery(q.get("status", ""), q.get("hold", ""), q.get("late") == "1", q.get("mine") == "1",
                      q.get("sort", "received") or "received", q.get("order", "asc") or "asc", q.get("vendor", "")[:40])
    if query.status and query.status not in INVOICE_STATUSES or query.hold and query.hold not in HOLDS \
            or query.sort not in INVOICE_SORTS or query.order not in ("asc", "desc"):
        return None
    return query


def worklist(request: Request) -> Worklist:
    return Worklist(request.app.state.uow)


def invoice_filter(request: Request, query: ListQuery, viewer: Viewer) -> InvoiceFilter:
    today = request.app.state.clock.now().date()
    return InvoiceFilter(status=query.status or None, vendor_id=query.vendor or None, hold=query.hold or None,
                         late_on=today if query.late else None,
                         awaiting_approval_by=viewer.principal.user_id if query.mine else None)


def _page(request: Request, query: ListQuery, viewer: Viewer, cursor: str | None) -> tuple[list[InvoiceRow], str | None]:
    sort = InvoiceSort(query.sort)
    found = position_of(cursor)
    after = Position(found[0], found[1]) if found else None
    rows = worklist(request).invoices(invoice_filter(request, query, viewer), sort=sort,
                                      descending=query.order == "desc", after=after, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = None
    if more and rows:
        last = rows[-1].position(sort)
        next_cursor = cursor_of(last.value, last.id)
    return rows, next_cursor


@router.get("/invoices")
def invoice_list(request: Request, cursor: str | None = None, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    query = read_query(request)
    if query is None:
        return error_page(request, 422, "invalid_filter")
    rows, next_cursor = _page(request, query, viewer, cursor)
    params = query.params()
    return render(request, "invoices.html", rows=rows, query=query, statuses=INVOICE_STATUSES, holds=HOLDS,
                  sorts=INVOICE_SORTS, first_page=not cursor,
                  next_url="/invoices" + query_with(params, cursor=next_cursor) if next_cursor else None,
                  first_url="/invoices" + query_with(params),
                  csv_url="/invoices.csv" + query_with(params), xlsx_url="/invoices.xlsx" + query_with(params))


EXPORT_HEADER = ("invoice_id", "invoice_number", "vendor_id", "vendor", "invoice_date", "received_on", "due_date",
                 "currency", "total", "total_minor", "status", "open_holds")


def _cells(r: InvoiceRow) -> list[Any]:
    return [r.id, r.invoice_number, r.vendor_id, r.vendor_name, r.invoice_date and r.invoice_date.isoformat(),
            r.received_on and r.received_on.isoformat(), r.due_date and r.due_date.isoformat(), r.currency,
            from_minor(r.total_minor, r.currency).amount, r.total_minor, r.status, r.open_holds]


@router.get("/invoices.{fmt}")
def invoice_export(request: Request, fmt: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    query = read_query(request)
    if query is None or fmt not in EXPORT_FORMATS:
        return error_page(request, 422 if query is None else 404, "invalid_filter" if query is None else "not_found")
    where, sort = invoice_filter(request, query, viewer), InvoiceSort(query.sort)
    rows: list[InvoiceRow] = []
    after: Position | None = None
    while len(rows) < EXPORT_MAX:  # page by page through the keyset, as a person paging would
        batch = worklist(request).invoices(where, sort=sort, descending=query.order == "desc", after=after,
                                           limit=EXPORT_PAGE)
        rows += batch
        if len(batch) < EXPORT_PAGE:
            break
        after = batch[-1].position(sort)
    return export(fmt, "invoices", EXPORT_HEADER, (_cells(r) for r in rows[:EXPORT_MAX]))
