"""``/reports``: the manager reports of ``/v1/reports/*`` as pages, with the API's filters, each figure in a table,
a chart where a shape helps, and the main table as CSV or XLSX (written by ``adapters.exports``: text cells that
would start a formula are neutralised).

Each page asks the API's own permission (``Action.LEDGER_READ``, as ``adapters/http/reporting/report_routes.py``)
and calls the same service (``request.app.state.reports``), so a page never shows a figure the API would not.
A bad filter (not a date, a year out of range, a period backwards or longer than ten years) is a 422 page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.charts import bar_chart
from adapters.http.web.i18n import N_
from adapters.http.web.page_lists import EXPORT_FORMATS, export, query_with
from adapters.http.web.pages import error_page, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.identity import Action
from payments.reporting.public_spending import fiscal_year_of

router = web_router()
MAX_DAYS = 3660
CURRENCY = "USD"  # the reports' amounts are minor units of the agency's currency ([payments] currency)
MAX_VENDOR_ROWS = 50


@dataclass
class Column:
    label: str  # a msgid, translated on the page
    name: str  # the export's header
    kind: str = "text"  # text, money, number, rate, link


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)  # a link cell is (text, href)


@dataclass
class Report:
    title: str
    intro: str
    tables: list[Table]
    # (BarChart, the caption of the table it draws, its labels are msgids): drawn under that table's heading
    charts: list[tuple[Any, str, bool]] = field(default_factory=list)


BUCKETS = {"current": N_("Not yet due"), "1-30": N_("1 to 30 days"), "31-60": N_("31 to 60 days"),
           "61-90": N_("61 to 90 days"), "90+": N_("Over 90 days"), "no_due_date": N_("No due date")}
REPORTS = {"spend": N_("Spend against budget"), "aging": N_("Accounts payable aging"),
           "prompt-pay": N_("Prompt-payment performance"), "diversity": N_("Vendor diversity"),
           "split-purchases": N_("Split-purchase review queue"), "cash-forecast": N_("Cash forecast"),
           "suppliers": N_("Supplier performance"), "local": N_("Local-vendor share")}
# The forecast's sources and what it leaves out, as the report names them (the exports keep these keys).
WORDS = {**BUCKETS, "scheduled": N_("Scheduled in a run not yet sent"), "planned": N_("Planned: a run would pay it"),
         "held": N_("Held invoices"), "beyond_horizon": N_("Due beyond the horizon")}
MAX_BUSINESS_DAYS = 60  # as the API's business_days (le=60)


class BadFilter(ValueError):
    pass


def _date(request: Request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name, "").strip()[:20]
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        raise BadFilter(name) from None


def _period(request: Request) -> dict[str, Any]:
    today = request.app.state.clock.now().date()
    start, end = _date(request, "from", today.replace(day=1)), _date(request, "to", today)
    if end < start or (end - start).days > MAX_DAYS:
        raise BadFilter("to")
    return {"from": start.isoformat(), "to": end.isoformat(), "start": start, "end": end}


def _filters(request: Request, name: str) -> dict[str, Any]:
    today = request.app.state.clock.now().date()
    if name == "spend":
        text = request.query_params.get("fiscal_year", "").strip()[:6]
        year = fiscal_year_of(today, request.app.state.public_spending.start_month) if not text else (
            int(text) if text.isdigit() and 1900 <= int(text) <= 9999 else None)
        if year is None:
            raise BadFilter("fiscal_year")
        return {"fiscal_year": str(year), "year": year}
    if name == "aging":
        as_of = _date(request, "as_of", today)
        return {"as_of": as_of.isoformat(), "day": as_of}
    if name == "cash-forecast":
        as_of = _date(request, "as_of", today)
        text = request.query_params.get("business_days", "").strip()[:3] or "10"
        if not text.isdigit() or not 1 <= int(text) <= MAX_BUSINESS_DAYS:
            raise BadFilter("business_days")
        return {"as_of": as_of.isoformat(), "business_days": str(int(text)), "day": as_of, "days": int(text)}
    return _period(request)


def _vendor(request: Request, vendor_id: str) -> tuple[str, str]:
    try:
        name = request.app.state.ap.vendors.get(vendor_id).vendor.legal_name
    except Exception:  # noqa: BLE001 - a vendor removed since: its id still says who
        name = vendor_id
    return (name, f"/vendors/{vendor_id}")


def _money(label: str, name: str) -> Column:
    return Column(label, name, "money")


def spend(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.spend(f["year"])
    lines = Table(N_("Each budget line of the year"), [
        Column(N_("Fund"), "fund"), Column(N_("Department"), "department"), Column(N_("Object code"), "object_code"),
        _money(N_("Appropriation"), "appropriation_minor"), _money(N_("Encumbered"), "encumbered_minor"),
        _money(N_("Expended"), "expended_minor"), _money(N_("Available"), "available_minor"),
        _money(N_("Paid"), "paid_minor")],
        [[x["fund"], x["department"], x["object_code"], x["appropriation_minor"], x["encumbered_minor"],
          x["expended_minor"], x["available_minor"], x["paid_minor"]] for x in data["lines"]])
    outside = Table(N_("Paid outside any budget line"), [Column(N_("Fund"), "fund"),
                    Column(N_("Department"), "department"), Column(N_("Object code"), "object_code"),
                    _money(N_("Paid"), "paid_minor")],
                    [[x["fund"], x["department"], x["object_code"], x["paid_minor"]]
                     for x in data["paid_outside_budget_lines"]])
    months = Table(N_("Paid by month"), [Column(N_("Month"), "period"), _money(N_("Paid"), "paid_minor")],
                   [[m["period"], m["paid_minor"]] for m in data["by_month"]])
    vendors = Table(N_("Paid by vendor, largest first"), [Column(N_("Vendor"), "vendor", "link"),
                    _money(N_("Paid"), "paid_minor"), Column(N_("Invoices"), "invoices", "number")],
                    [[_vendor(request, v["vendor_id"]), v["paid_minor"], v["invoices"]]
                     for v in data["by_vendor"][:MAX_VENDOR_ROWS]])
    chart = bar_chart("chart-spend-month", [(m["period"], m["paid_minor"], CURRENCY, None) for m in data["by_month"]])
    return Report(REPORTS["spend"], N_("What each budget line was given, has committed and has spent, beside what "
                                       "payments that left (and were not returned) paid out of it."),
                  [lines, outside, months, vendors], [(chart, N_("Paid by month"), False)])


def aging(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.aging(f["day"])
    buckets = data["buckets"]
    total = Table(N_("Unpaid invoices by days past due"), [Column(N_("Days past due"), "bucket", "bucket"),
                  _money(N_("Amount"), "amount_minor"), Column(N_("Invoices"), "invoices", "number")],
                  [[b, data["total_minor"][b], data["count"][b]] for b in buckets])
    columns = [_money(BUCKETS.get(b, b), f"{b}_minor") for b in buckets]
    vendors = Table(N_("By vendor"), [Column(N_("Vendor"), "vendor", "link"), *columns],
                    [[_vendor(request, v["vendor_id"]), *(v[b] for b in buckets)]
                     for v in data["by_vendor"][:MAX_VENDOR_ROWS]])
    funds = Table(N_("By fund"), [Column(N_("Fund"), "fund"), *columns],
                  [[x["fund"] or "—", *(x[b] for b in buckets)] for x in data["by_fund"]])
    chart = bar_chart("chart-aging", [(BUCKETS.get(b, b), data["total_minor"][b], CURRENCY, None) for b in buckets])
    return Report(REPORTS["aging"], N_("Invoices entered and not yet paid, by how many days they are past their "
                                       "prompt-payment due date."), [total, vendors, funds],
                  [(chart, N_("Unpaid invoices by days past due"), True)])


def prompt_pay(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.prompt_pay(f["start"], f["end"])
    groups = Table(N_("By prompt-payment rule set"), [
        Column(N_("Rule set"), "rule_set"), Column(N_("Invoices"), "invoices", "number"),
        Column(N_("On time"), "on_time", "number"), Column(N_("Late"), "late", "number"),
        Column(N_("On-time rate"), "on_time_rate", "rate"), Column(N_("Days to pay (median)"), "days_median", "number"),
        _money(N_("Late interest paid"), "late_interest_minor"),
        _money(N_("Discounts offered"), "discounts_offered_minor"),
        _money(N_("Discounts taken"), "discounts_taken_minor"), _money(N_("Discounts lost"), "discounts_lost_minor")],
        [[g["rule_set"], g["invoices"], g["on_time"], g["late"], g["on_time_rate"],
          (g["days_to_pay"] or {}).get("median"), g["late_interest_minor"], g["discounts_offered_minor"],
          g["discounts_taken_minor"], g["discounts_lost_minor"]] for g in data["by_rule_set"]])
    return Report(REPORTS["prompt-pay"], N_("Each invoice paid in the period by a payment that left and was not "
                                            "returned: paid on time or late, how long it took, the interest lateness "
                                            "cost and the early-payment discounts taken and lost."), [groups])


def diversity(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.diversity(f["start"], f["end"])
    certs = Table(N_("By certification valid on the payment date"), [
        Column(N_("Certification"), "certification"), _money(N_("Paid"), "paid_minor"),
        Column(N_("Payments"), "payments", "number"), Column(N_("Share of the amount"), "amount_share", "rate"),
        Column(N_("Share of the payments"), "count_share", "rate")],
        [[c["certification"], c["paid_minor"], c["payments"], c["amount_share"], c["count_share"]]
         for c in data["by_certification"]])
    everything = Table(N_("All payments in the period"), [_money(N_("Paid"), "paid_minor"),
                       Column(N_("Payments"), "payments", "number")], [[data["paid_minor"], data["payments"]]])
    chart = bar_chart("chart-diversity", [(c["certification"], c["paid_minor"], CURRENCY, None)
                                          for c in data["by_certification"]])
    return Report(REPORTS["diversity"], N_("Payments in the period that left and were not returned, and the share "
                                           "to vendors holding each certification on the day they were paid."),
                  [certs, everything],
                  [(chart, N_("By certification valid on the payment date"), False)]
                  if data["by_certification"] else [])


def split_purchases(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.split_purchases(f["start"], f["end"])
    items = Table(N_("Invoices the split-purchase rule suspects"), [
        Column(N_("Invoice"), "invoice_id", "link"), Column(N_("Vendor"), "vendor", "link"),
        Column(N_("Invoice date"), "invoice_date"), _money(N_("Together"), "total_minor"),
        _money(N_("Threshold"), "threshold_minor"), Column(N_("Why"), "explanation")],
        [[(i["invoice_id"], f"/invoices/{i['invoice_id']}"), _vendor(request, i["vendor_id"]), i["invoice_date"],
          i["total_minor"], i["threshold_minor"], i["explanation"]] for i in data["items"]])
    return Report(REPORTS["split-purchases"], N_("Invoices at or below the two-approver threshold whose vendor's other "
                                                 "such invoices within the window take the total over it. A signal to "
                                                 "look twice, never a decision."), [items])


def cash_forecast(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.cash_forecast(f["day"], f["days"])
    accounts = Table(N_("By bank account and fund"), [
        Column(N_("Bank account"), "bank_account"), Column(N_("Fund"), "fund"),
        Column(N_("Cash account"), "cash_account"), _money(N_("Cash today"), "cash_minor"),
        _money(N_("Scheduled"), "scheduled_minor"), _money(N_("Planned"), "planned_minor"),
        _money(N_("Outflow"), "outflow_minor"), _money(N_("Cash after"), "cash_after_minor")],
        [[a["bank_account"], a["fund"], a["cash_account"], a["cash_minor"], a["scheduled_minor"], a["planned_minor"],
          a["outflow_minor"], a["cash_after_minor"]] for a in data["by_bank_account"]])
    by_day = {d: 0 for d in data["days"]}
    for a in data["by_bank_account"]:
        for d in a["by_day"]:
            by_day[d["date"]] += d["outflow_minor"]
    days = Table(N_("Outflow by business day"), [Column(N_("Date"), "date"), _money(N_("Outflow"), "outflow_minor")],
                 [[d, amount] for d, amount in by_day.items()])
    rows = Table(N_("Each payment expected"), [
        Column(N_("Date"), "date"), Column(N_("Bank account"), "bank_account"), Column(N_("Fund"), "fund"),
        Column(N_("Source"), "source", "bucket"), Column(N_("Reference"), "reference", "link"),
        _money(N_("Amount"), "amount_minor"), _money(N_("Discount taken"), "discount_minor"),
        _money(N_("Interest"), "interest_minor")],
        [[r["date"], r["bank_account"], r["fund"], r["source"],
          (r["reference"], ("/payments/" if r["source"] == "scheduled" else "/invoices/") + r["reference"]),
          r["amount_minor"], r["discount_minor"], r["interest_minor"]] for r in data["rows"]])
    apart = Table(N_("Not in the forecast"), [Column(N_("Why"), "why", "bucket"),
                  Column(N_("Invoices"), "invoices", "number"), _money(N_("Amount"), "amount_minor")],
                  [[k, data[k]["invoices"], data[k]["amount_minor"]] for k in ("held", "beyond_horizon")])
    chart = bar_chart("chart-cash-forecast", [(d, amount, CURRENCY, None) for d, amount in by_day.items()])
    return Report(REPORTS["cash-forecast"], N_("What leaves the bank in the next business days, by bank account and "
                                               "fund, against the cash each holds today: payments in runs not yet "
                                               "sent, and approved invoices priced as a run would pay them."),
                  [accounts, days, rows, apart], [(chart, N_("Outflow by business day"), False)])


SUPPLIER_COLUMNS = [Column(N_("Invoices"), "invoices", "number"), _money(N_("Invoiced"), "invoiced_minor"),
                    Column(N_("Held"), "held", "number"), Column(N_("Hold rate"), "hold_rate", "rate"),
                    Column(N_("Duplicates caught"), "duplicates_caught", "number"),
                    Column(N_("Price variances"), "price_variances", "number"),
                    Column(N_("Credit memos"), "credit_memos", "number"), _money(N_("Credited"), "credited_minor"),
                    Column(N_("Payments"), "payments", "number"), Column(N_("Returned"), "returned", "number"),
                    Column(N_("Return rate"), "return_rate", "rate"), Column(N_("NOCs"), "nocs", "number"),
                    Column(N_("Holds by kind"), "holds_by_kind")]


def _supplier_cells(row: dict[str, Any]) -> list[Any]:
    kinds = "; ".join(f"{k}={n}" for k, n in row["holds_by_kind"].items())
    return [*(row[c.name] for c in SUPPLIER_COLUMNS[:-1]), kinds]


def suppliers(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.supplier_performance(f["start"], f["end"])
    vendors = Table(N_("By vendor"), [Column(N_("Vendor"), "vendor", "link"), *SUPPLIER_COLUMNS],
                    [[_vendor(request, v["vendor_id"]), *_supplier_cells(v)] for v in data["by_vendor"]])
    total = Table(N_("All vendors together"), SUPPLIER_COLUMNS, [_supplier_cells(data["total"])])
    return Report(REPORTS["suppliers"], N_("Invoices dated in the period and what happened to them: held (by kind), "
                                           "duplicates caught, price variances, credit memos; and the vendor's "
                                           "payments returned by the bank or corrected by a notice of change."),
                  [vendors, total])


def local(request: Request, f: dict[str, Any]) -> Report:
    data = request.app.state.reports.local_vendors(f["start"], f["end"])
    share = Table(N_("Local share of the payments"), [
        _money(N_("Paid to local vendors"), "local_paid_minor"), _money(N_("Paid to all vendors"), "paid_minor"),
        Column(N_("Share of the amount"), "amount_share", "rate"),
        Column(N_("Payments to local vendors"), "local_payments", "number"),
        Column(N_("All payments"), "payments", "number"), Column(N_("Share of the payments"), "count_share", "rate")],
        [[data[k] for k in ("local_paid_minor", "paid_minor", "amount_share", "local_payments", "payments",
                            "count_share")]])
    vendors = Table(N_("Local vendors, largest first"), [Column(N_("Vendor"), "vendor", "link"),
                    _money(N_("Paid"), "paid_minor"), Column(N_("Why local"), "why")],
                    [[_vendor(request, v["vendor_id"]), v["paid_minor"], v["why"]]
                     for v in data["local_vendors"][:MAX_VENDOR_ROWS]])
    rule = data["definition"]
    definition = Table(N_("What counts as local"), [Column(N_("Postal codes starting with"), "postal_code_prefixes"),
                       Column(N_("States"), "states"), Column(N_("Certifications"), "certifications")],
                       [[", ".join(rule[k]) or "—" for k in ("postal_code_prefixes", "states", "certifications")]])
    chart = bar_chart("chart-local", [(_vendor(request, v["vendor_id"])[0], v["paid_minor"], CURRENCY, None)
                                      for v in data["local_vendors"][:MAX_VENDOR_ROWS]])
    return Report(REPORTS["local"], N_("Payments in the period that left and were not returned, and the share to "
                                       "vendors that are local by the agency's definition on the day they were paid."),
                  [share, vendors, definition],
                  [(chart, N_("Local vendors, largest first"), False)] if data["local_vendors"] else [])


BUILDERS: dict[str, Callable[[Request, dict[str, Any]], Report]] = {
    "spend": spend, "aging": aging, "prompt-pay": prompt_pay, "diversity": diversity,
    "split-purchases": split_purchases, "cash-forecast": cash_forecast, "suppliers": suppliers, "local": local}


@router.get("/reports")
def reports_index(request: Request, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    return render(request, "reports.html", reports=REPORTS, signals=N_("Assist signals to review"))


def _build(request: Request, name: str) -> tuple[Report, dict[str, Any]] | Response:
    if name not in BUILDERS:
        return error_page(request, 404, "not_found")
    try:
        f = _filters(request, name)
    except BadFilter:
        return error_page(request, 422, "invalid_filter")
    return BUILDERS[name](request, f), {k: v for k, v in f.items() if isinstance(v, str)}


def percent(rate: str | None) -> str:
    """``"0.5263"`` as ``52.6 %``, exactly (a Decimal, never a float)."""
    return "—" if rate is None else f"{(Decimal(rate) * 100).quantize(Decimal('0.1'))} %"


def _cell(value: Any, kind: str) -> Any:
    if kind == "link":
        return value[0] if isinstance(value, tuple) else value
    if kind == "rate":
        return Decimal(value) if value is not None else None
    return value


@router.get("/reports/{name}.{fmt}")
def report_export(request: Request, name: str, fmt: str, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    """One table of the report (``?table=N``, the first by default): amounts in minor units, rates as exact
    decimals, text neutralised by the exports' writers."""
    if fmt not in EXPORT_FORMATS:
        return error_page(request, 404, "not_found")
    built = _build(request, name)
    if isinstance(built, Response):
        return built
    report, params = built
    number = request.query_params.get("table", "1")
    if not number.isdigit() or not 1 <= int(number) <= len(report.tables):
        return error_page(request, 404, "not_found")
    table = report.tables[int(number) - 1]
    rows = [[_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]
    suffix = "-".join(params.values())
    return export(fmt, f"{name}-{suffix}-{number}", [c.name for c in table.columns], rows)


@router.get("/reports/{name}")
def report_page(request: Request, name: str, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    built = _build(request, name)
    if isinstance(built, Response):
        return built
    report, params = built
    downloads = [(f"/reports/{name}.csv" + query_with(params, table=str(i)),
                  f"/reports/{name}.xlsx" + query_with(params, table=str(i))) for i in range(1, len(report.tables) + 1)]
    return render(request, "report.html", name=name, report=report, params=params, currency=CURRENCY,
                  buckets=WORDS, percent=percent, downloads=downloads)
