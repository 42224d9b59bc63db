"""Manager reports as JSON: ``/v1/reports/spend|aging|prompt-pay|diversity`` (payments/reporting/manager_reports.py).

Staff who may read the ledger may read these (``ledger.read``); a vendor may not.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request

from adapters.http.auth import require
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/spend")
def spend(request: Request, fiscal_year: int = Query(ge=1900, le=9999),
          _p: Principal = require(Action.LEDGER_READ)) -> dict:
    return request.app.state.reports.spend(fiscal_year)


@router.get("/aging")
def aging(request: Request, as_of: dt.date | None = None, _p: Principal = require(Action.LEDGER_READ)) -> dict:
    return request.app.state.reports.aging(as_of or request.app.state.clock.now().date())


@router.get("/prompt-pay")
def prompt_pay(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
               _p: Principal = require(Action.LEDGER_READ)) -> dict:
    return request.app.state.reports.prompt_pay(start, end)


@router.get("/diversity")
def diversity(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
              _p: Principal = require(Action.LEDGER_READ)) -> dict:
    return request.app.state.reports.diversity(start, end)


@router.get("/signals/split-purchases")
def split_purchases(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
                    _p: Principal = require(Action.LEDGER_READ)) -> dict:
    """Invoices dated in the period that the split-purchase rule suspects, each with its evidence and one sentence."""
    return request.app.state.reports.split_purchases(start, end)
