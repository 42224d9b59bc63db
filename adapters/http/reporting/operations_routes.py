"""Cash forecast, supplier performance and local-vendor utilization: ``/v1/reports/cash-forecast|suppliers|local``.

JSON by default; ``?format=csv`` gives the same figures as one CSV table (through ``adapters/exports/csv_export``,
where formula injection is neutralised). Staff who may read the ledger (``ledger.read``) may read them; a vendor
may not. The cash forecast names bank accounts and their cash: treasury's view, the same readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from adapters.exports.csv_export import write_csv
from adapters.http.auth import require
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1/reports", tags=["reports"])
Format = Literal["json", "csv"]


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    return Response(write_csv(header, [list(r) for r in rows]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.get("/cash-forecast", response_model=None)
def cash_forecast(request: Request, business_days: int = Query(10, ge=1, le=60), as_of: dt.date | None = None,
                  format: Format = "json", _p: Principal = require(Action.LEDGER_READ)) -> dict | Response:
    """What leaves the bank in the next ``business_days`` business days, by bank account and fund, against cash."""
    report = request.app.state.reports.cash_forecast(as_of or request.app.state.clock.now().date(), business_days)
    if format == "json":
        return report
    cols = ("date", "bank_account", "fund", "currency", "source", "reference", "amount_minor", "discount_minor",
            "interest_minor")
    return _csv(f"cash-forecast-{report['as_of']}", cols, ([r[c] for c in cols] for r in report["rows"]))


@router.get("/suppliers", response_model=None)
def suppliers(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
              format: Format = "json", _p: Principal = require(Action.LEDGER_READ)) -> dict | Response:
    """Supplier performance: holds by kind, duplicates caught, price variances, credit memos, returns and NOCs."""
    report = request.app.state.reports.supplier_performance(start, end)
    if format == "json":
        return report
    cols = ("vendor_id", "invoices", "invoiced_minor", "held", "hold_rate", "duplicates_caught", "duplicate_rate",
            "price_variances", "credit_memos", "credited_minor", "credit_rate", "payments", "returned", "return_rate",
            "nocs")
    return _csv(f"suppliers-{start}-{end}", (*cols, "holds_by_kind"),
                ([v[c] for c in cols] + ["; ".join(f"{k}={n}" for k, n in v["holds_by_kind"].items())]
                 for v in report["by_vendor"]))


@router.get("/local", response_model=None)
def local_vendors(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
                  format: Format = "json", _p: Principal = require(Action.LEDGER_READ)) -> dict | Response:
    """The share of payments (amount and count) to local vendors, by the agency's definition ([local_vendors])."""
    report = request.app.state.reports.local_vendors(start, end)
    if format == "json":
        return report
    return _csv(f"local-vendors-{start}-{end}", ("vendor_id", "paid_minor", "why"),
                ([v["vendor_id"], v["paid_minor"], v["why"]] for v in report["local_vendors"]))
