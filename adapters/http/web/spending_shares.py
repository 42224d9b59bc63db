"""``/spending``'s two public measures beside where the money went: the share paid to certified and to local
vendors, and the share of invoices paid on time (the issue's "share to certified and local vendors, on-time
payment rate").

Each figure is the manager reports' own (``request.app.state.reports``: ``diversity`` counts a certification valid
on the payment date, ``local_vendors`` the agency's ``[local_vendors]`` definition, ``prompt_pay`` an invoice on time
when paid by its prompt-payment due date), over the fiscal year or month the reader chose, so the public and the
managers never read two rules. Only totals are shown: no vendor is named here (the local report's vendor list and
its reasons stay on the staff page). They cover every department, fund and category of the period; the page says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.auth import public
from adapters.http.web.charts import bar_chart
from adapters.http.web.i18n import N_, language_of, translations
from adapters.http.web.page_lists import EXPORT_FORMATS, export
from adapters.http.web.pages import error_page, web_router
from adapters.http.web.report_pages import CURRENCY, percent
from payments.reporting.public_spending import SpendingFilter, fiscal_months

router = web_router()
LOCAL = N_("Local vendors (the agency's definition)")
ON_TIME, LATE = N_("Paid on time"), N_("Paid late")


def period(wanted: SpendingFilter, start_month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month asked for, else of the fiscal year."""
    months = [m for m in fiscal_months(wanted.fiscal_year, start_month)
              if wanted.month is None or m.strftime("%Y-%m") == wanted.month]
    last = months[-1]
    return months[0], last.replace(day=calendar.monthrange(last.year, last.month)[1])


def _share(part: int, whole: int) -> str | None:
    return None if whole == 0 else str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def shares(request: Request, wanted: SpendingFilter) -> dict[str, Any]:
    """Rows (label, translate?, paid_minor, payments, amount_share, count_share) for the certified and local vendors,
    rows (label, invoices, share) for on time and late, and a chart of each."""
    reports = request.app.state.reports
    start, end = period(wanted, request.app.state.public_spending.start_month)
    diversity, local = reports.diversity(start, end), reports.local_vendors(start, end)
    vendors = [(c["certification"], False, c["paid_minor"], c["payments"], c["amount_share"], c["count_share"])
               for c in diversity["by_certification"]]
    vendors.append((LOCAL, True, local["local_paid_minor"], local["local_payments"], local["amount_share"],
                    local["count_share"]))
    groups = reports.prompt_pay(start, end)["by_rule_set"]
    on_time, invoices = sum(g["on_time"] for g in groups), sum(g["invoices"] for g in groups)
    timely = [(ON_TIME, on_time, _share(on_time, invoices)), (LATE, invoices - on_time,
                                                              _share(invoices - on_time, invoices))]
    say = translations(language_of(request).code).gettext
    currency = CURRENCY  # the reports' amounts are minor units of the agency's currency, as on the staff pages
    return {"from": start, "to": end, "vendors": vendors, "paid_minor": diversity["paid_minor"],
            "payments": diversity["payments"], "currency": currency, "timely": timely, "invoices": invoices,
            "vendors_chart": bar_chart("chart-certified", [(say(v[0]) if v[1] else v[0], v[2], currency, None)
                                                            for v in vendors]),
            "timely_chart": bar_chart("chart-on-time", [(say(label), n, "", None) for label, n, _s in timely]),
            "percent": percent}


@router.get("/spending/shares.{fmt}")
def spending_shares_export(request: Request, fmt: str, _: None = public()) -> Response:
    """Both tables of the section as one: measure, group, amount, count and shares (exact decimals)."""
    from adapters.http.web.spending_pages import guarded

    if fmt not in EXPORT_FORMATS:
        return error_page(request, 404, "not_found")

    def build(wanted: SpendingFilter, _page: int) -> Response:
        s = shares(request, wanted)
        cells: list[list[Any]] = [["vendors", "local" if v[1] else v[0], s["currency"], v[2], v[3],
                                   v[4] and Decimal(v[4]), v[5] and Decimal(v[5])] for v in s["vendors"]]
        cells.append(["vendors", "all", s["currency"], s["paid_minor"], s["payments"], None, None])
        cells += [["prompt_payment", key, None, None, n, None, share and Decimal(share)]
                  for key, (_label, n, share) in zip(("on_time", "late"), s["timely"], strict=True)]
        return export(fmt, f"spending-shares-{wanted.fiscal_year}" + (f"-{wanted.month}" if wanted.month else ""),
                      ("measure", "group", "currency", "amount_minor", "count", "amount_share", "count_share"), cells)

    return guarded(request, build)
