"""``/spending``: where the money goes, for anyone, without signing in.

The year's spending by department, fund, category (object) and payee, each as a chart with its table; the payments
behind any figure, searchable; one payment; and the same rows as CSV, XLSX and the published open checkbook files.
Every row comes through the open checkbook's redaction (``payments.reporting.checkbook.public_row``, by way of
``PublicSpending``), so a page shows exactly what the published checkbook shows and withholds the same.

Open to anyone, so careful with what anyone may send: each filter is one bounded value (an unknown year, a month
outside the year, a page past the last, or an over-long or repeated value is a 400 page, never a 500), each client
address gets ``PUBLIC_REQUESTS_PER_MINUTE`` pages a minute (then a 429 page with ``Retry-After``), an answer built
is kept a minute for the next reader of the same address (``PageCache``: a figure may lag the books by that much),
and every answer carries an ``ETag`` of its bytes with ``Cache-Control: public, max-age=300``, so a browser or cache
asks again with ``If-None-Match`` and gets a 304. The pages show no one as signed in (the layout is the same for
everyone), so they may be cached; they vary only by language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict, deque
from typing import Any

from babel.dates import format_date
from fastapi import Request
from starlette.responses import FileResponse, Response

from adapters.exports.checkbook_files import CSV_NAME, FIELDS, JSON_NAME, PACKAGE_NAME, checkbook_cells
from adapters.http.auth import public
from adapters.http.web.charts import bar_chart
from adapters.http.web.i18n import N_, language_of, translations
from adapters.http.web.page_lists import EXPORT_FORMATS, export, query_with
from adapters.http.web.pages import error_page, render, web_router
from adapters.http.web.spending_shares import shares
from payments.reporting.checkbook import REDACTED_PAYEE
from payments.reporting.public_spending import (DIMENSIONS, MAX_TEXT, SpendingFilter, fiscal_months, fiscal_year_of)

router = web_router()
PAGE_SIZE = 50
MAX_PAGE = 1000
YEARS_BACK = 20  # the earliest fiscal year a reader may ask for: this many before the current one
YEARS_SHOWN = 5
TOP_PAYEES = 10
PUBLIC_REQUESTS_PER_MINUTE = 120
CACHE_CONTROL = "public, max-age=300"
FILTER_NAMES = ("fiscal_year", "month", *DIMENSIONS, "q", "page")
OPEN_DATA = (CSV_NAME, JSON_NAME, PACKAGE_NAME)
DIMENSION_LABELS = {"department": N_("Department"), "fund": N_("Fund"), "object_code": N_("Category (object code)"),
                    "payee": N_("Payee")}


class BadFilter(ValueError):
    """A query the pages refuse (400), with the words to say why."""


class PublicRateLimit:
    """At most ``per_minute`` requests a rolling minute per client address, counted in memory on this process
    (real time, not the agency's clock: it measures load, not business days)."""

    def __init__(self, per_minute: int, *, clock: Any = time.monotonic, max_clients: int = 10_000) -> None:
        self.per_minute, self._clock, self._max = per_minute, clock, max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """None when this request may go ahead (and is counted); else the seconds to wait."""
        now = self._clock()
        with self._lock:
            if len(self._seen) >= self._max and client not in self._seen:
                self._seen.clear()  # a flood of addresses: forget them all rather than grow without bound
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, int(times[0] + 60 - now) + 1)
            times.append(now)
            return None


class PageCache:
    """Answers already built, kept ``seconds``: the same address asked again (a busy day, a crawler, a reload) costs
    no query. Bounded in entries and in the size of a body kept, so it cannot be made to grow without end."""

    def __init__(self, seconds: float = 60, *, max_entries: int = 256, max_body: int = 1 << 20,
                 clock: Any = time.monotonic) -> None:
        self.seconds, self._max, self._max_body, self._clock = seconds, max_entries, max_body, clock
        self._kept: OrderedDict[tuple[str, ...], tuple[float, Response]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Response | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[0] <= self._clock():
                self._kept.pop(key, None)
                return None
            self._kept.move_to_end(key)
            kept = found[1]
        return Response(kept.body, status_code=kept.status_code, headers=dict(kept.headers))

    def put(self, key: tuple[str, ...], response: Response) -> None:
        if response.status_code != 200 or len(response.body) > self._max_body:
            return
        with self._lock:
            self._kept[key] = (self._clock() + self.seconds, response)
            self._kept.move_to_end(key)
            while len(self._kept) > self._max:
                self._kept.popitem(last=False)


def _cache(request: Request) -> PageCache:
    state = request.app.state
    cache = getattr(state, "public_page_cache", None)
    if cache is None:
        cache = state.public_page_cache = PageCache()
    return cache


def _limit(request: Request) -> PublicRateLimit:
    state = request.app.state
    limit = getattr(state, "public_rate_limit", None)
    if limit is None:
        limit = state.public_rate_limit = PublicRateLimit(PUBLIC_REQUESTS_PER_MINUTE)
    return limit


def month_name(key: str, locale: str) -> str:
    """``2026-11`` as the reader says it: November 2026, noviembre de 2026."""
    return format_date(dt.date.fromisoformat(key + "-01"), "LLLL y", locale=locale)


def _say(request: Request, message: str) -> str:
    return translations(language_of(request).code).gettext(message)


def _current_year(request: Request) -> int:
    service = request.app.state.public_spending
    return fiscal_year_of(request.app.state.clock.now().date(), service.start_month)


def _one(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadFilter(N_("Each filter may be given once."))
    value = values[0].strip() if values else ""
    if len(value) > MAX_TEXT:
        raise BadFilter(N_("A filter or search is at most 80 characters."))
    return value or None


def read_filter(request: Request) -> tuple[SpendingFilter, int]:
    """The filter and page number the query asks for, or ``BadFilter``."""
    if any(name not in FILTER_NAMES for name in request.query_params.keys()):
        raise BadFilter(N_("The address has a filter these pages do not know."))
    current = _current_year(request)
    year_text = _one(request, "fiscal_year")
    if year_text is None:
        year = current
    elif not year_text.isdigit() or not current - YEARS_BACK <= int(year_text) <= current + 1:
        raise BadFilter(N_("There is no such fiscal year here."))
    else:
        year = int(year_text)
    month = _one(request, "month")
    months = [m.strftime("%Y-%m") for m in fiscal_months(year, request.app.state.public_spending.start_month)]
    if month is not None and month not in months:
        raise BadFilter(N_("That month is not in the fiscal year."))
    page_text = _one(request, "page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadFilter(N_("There is no such page."))
    values = {d: _one(request, d) for d in DIMENSIONS}
    return SpendingFilter(year, month, text=_one(request, "q"), **values), int(page_text)


def params_of(f: SpendingFilter) -> dict[str, str | None]:
    return {"fiscal_year": str(f.fiscal_year), "month": f.month, "department": f.department, "fund": f.fund,
            "object_code": f.object_code, "payee": f.payee, "q": f.text}


def cacheable(request: Request, response: Response) -> Response:
    """An ETag of the bytes (and the language they are in): a reader who has them gets 304 and no body."""
    body = bytes(response.body)
    tag = '"' + hashlib.sha256(body + language_of(request).code.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Language, Cookie"}
    if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def guarded(request: Request, build: Any) -> Response:
    wait = _limit(request).retry_after(request.client.host if request.client else "unknown")
    if wait is not None:
        answer = error_page(request, 429, "rate_limited", _say(request, N_("Too many requests from your address. "
                                                                            "Wait a minute and try again.")))
        answer.headers["Retry-After"] = str(wait)
        return answer
    key = (request.url.path, str(sorted(request.query_params.multi_items())), language_of(request).code)
    kept = _cache(request).get(key)
    if kept is not None:
        return cacheable(request, kept)
    try:
        wanted, page_no = read_filter(request)
    except BadFilter as refused:
        return error_page(request, 400, "invalid_filter", _say(request, str(refused)))
    built = build(wanted, page_no)
    _cache(request).put(key, built)
    return cacheable(request, built)


def _years(request: Request) -> list[int]:
    current = _current_year(request)
    return list(range(current, current - YEARS_SHOWN, -1))


def _charts(request: Request, summary: Any, wanted: SpendingFilter) -> list[dict[str, Any]]:
    params = params_of(wanted)
    redacted = _say(request, REDACTED_PAYEE)  # the published English words, shown in the reader's language
    out = []
    for dim in DIMENSIONS:
        totals = summary.by[dim][:TOP_PAYEES] if dim == "payee" else summary.by[dim]
        target = "/spending/payments" if dim == "payee" else "/spending"

        def link(value: str, dim: str = dim, target: str = target) -> str | None:
            return target + query_with(params, **{dim: value, "page": None}) if value else None

        chart = bar_chart(f"chart-{dim}", [(redacted if dim == "payee" and t.key == REDACTED_PAYEE else t.key or "—",
                                            t.amount_minor, t.currency, link(t.key)) for t in totals])
        out.append({"dimension": dim, "label": DIMENSION_LABELS[dim], "rows": list(zip(totals, chart.bars)),
                    "more": len(summary.by[dim]) - len(totals), "chart": chart})
    return out


@router.get("/spending")
def spending(request: Request, _: None = public()) -> Response:
    def build(wanted: SpendingFilter, _page: int) -> Response:
        summary = request.app.state.public_spending.summary(wanted)
        params = params_of(wanted)
        locale = language_of(request).locale
        months = bar_chart("chart-month", [(month_name(t.key, locale), t.amount_minor, t.currency,
                                            "/spending" + query_with(params, month=t.key)) for t in summary.by_month])
        active = [(dim, getattr(wanted, dim), "/spending" + query_with(params, **{dim: None}))
                  for dim in ("month", *DIMENSIONS) if getattr(wanted, dim)]
        return render(request, "spending.html", summary=summary, wanted=wanted, params=params,
                      years=_years(request), months=summary.by_month, month_chart=months,
                      charts=_charts(request, summary, wanted), shares=shares(request, wanted),
                      active=active, labels=DIMENSION_LABELS, query_with=query_with, redacted=REDACTED_PAYEE,
                      payments_url="/spending/payments" + query_with(params))

    return guarded(request, build)


@router.get("/spending/payments")
def spending_payments(request: Request, _: None = public()) -> Response:
    def build(wanted: SpendingFilter, page_no: int) -> Response:
        rows, more, skip = [], False, (page_no - 1) * PAGE_SIZE
        for i, row in enumerate(request.app.state.public_spending.rows(wanted)):
            if i >= skip + PAGE_SIZE:
                more = True
                break
            if i >= skip:
                rows.append(row)
        if not rows and page_no > 1:
            return error_page(request, 404, "not_found")
        params = params_of(wanted)
        here = "/spending/payments"
        return render(request, "spending_payments.html", rows=rows, wanted=wanted, params=params, page=page_no,
                      years=_years(request), labels=DIMENSION_LABELS, query_with=query_with,
                      previous_url=here + query_with(params, page=str(page_no - 1)) if page_no > 1 else None,
                      next_url=here + query_with(params, page=str(page_no + 1)) if more else None,
                      csv_url="/spending/payments.csv" + query_with(params),
                      xlsx_url="/spending/payments.xlsx" + query_with(params))

    return guarded(request, build)


@router.get("/spending/payments.{fmt}")
def spending_payments_export(request: Request, fmt: str, _: None = public()) -> Response:
    if fmt not in EXPORT_FORMATS:
        return error_page(request, 404, "not_found")

    def build(wanted: SpendingFilter, _page: int) -> Response:
        rows = (checkbook_cells(r) for r in request.app.state.public_spending.rows(wanted))
        return export(fmt, f"spending-{wanted.fiscal_year}", [f[0] for f in FIELDS], rows)

    return guarded(request, build)


@router.get("/spending/totals.{fmt}")
def spending_totals_export(request: Request, fmt: str, _: None = public()) -> Response:
    """The figures of every chart on /spending as one table: dimension, value, currency, amount, payments."""
    if fmt not in EXPORT_FORMATS:
        return error_page(request, 404, "not_found")

    def build(wanted: SpendingFilter, _page: int) -> Response:
        summary = request.app.state.public_spending.summary(wanted)
        cells: list[list[Any]] = [[dim, t.key, t.currency, t.amount_minor, t.count]
                                  for dim in DIMENSIONS for t in summary.by[dim]]
        cells += [["month", t.key, t.currency, t.amount_minor, t.count] for t in summary.by_month]
        return export(fmt, f"spending-totals-{wanted.fiscal_year}",
                      ("dimension", "value", "currency", "amount_minor", "payments"), cells)

    return guarded(request, build)


@router.get("/spending/payments/{payment_id}")
def spending_payment(request: Request, payment_id: str, _: None = public()) -> Response:
    if len(payment_id) > MAX_TEXT:
        return error_page(request, 404, "not_found")

    def build(_wanted: SpendingFilter, _page: int) -> Response:
        rows = request.app.state.public_spending.payment(payment_id)
        if not rows:
            return error_page(request, 404, "not_found")
        total = sum(r.amount_minor for r in rows)
        return render(request, "spending_payment.html", rows=rows, first=rows[0], total=total, labels=DIMENSION_LABELS,
                      query_with=query_with, year=fiscal_year_of(rows[0].payment_date,
                                                                 request.app.state.public_spending.start_month))

    return guarded(request, build)


@router.get("/spending/open-data/{name}")
def open_data(request: Request, name: str, _: None = public()) -> Response:
    """The open checkbook as the scheduled job last published it (docs/transparency.md), byte for byte."""
    if name not in OPEN_DATA:
        return error_page(request, 404, "not_found")
    path = request.app.state.settings.path("publish_dir") / "checkbook" / name
    if not path.is_file():
        return error_page(request, 404, "not_found")
    media = {"csv": "text/csv; charset=utf-8", "json": "application/json"}[name.rsplit(".", 1)[1]]
    # FileResponse gives the file's ETag and Last-Modified; one the reader already holds is a 304 without the body.
    response = FileResponse(path, media_type=media, headers={"Cache-Control": CACHE_CONTROL}, stat_result=path.stat())
    tag = response.headers.get("etag")
    if tag and tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
    return response

