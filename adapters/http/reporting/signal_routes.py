"""The assist signals' review queue: ``GET /v1/reports/signals`` and ``POST /v1/reports/signals/{key}:dismiss``.

Staff who may read the ledger see the queue (``ledger.read``); an approver dismisses a signal (``invoice.approve``:
signals help approvers look twice), with a reason, as a signed audit event (payments/reporting/signal_queue.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from adapters.exports.csv_export import write_csv
from adapters.http.auth import require
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/signals", response_model=None)
def signals(request: Request, start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to"),
            include_dismissed: bool = False, about: str | None = Query(None, max_length=40),
            format: Literal["json", "csv"] = "json",
            _p: Principal = require(Action.LEDGER_READ)) -> dict | Response:
    """Every signal dated in the period (split purchases and the rest), each with its evidence and one sentence;
    dismissed ones only when asked for; ``about`` keeps those about one invoice, vendor or payment id."""
    queue = request.app.state.reports.signals.queue(start, end, include_dismissed=include_dismissed, about=about)
    if format == "json":
        return queue
    rows = [[i["date"], i["signal"], i["subject_type"], i["subject_id"], " ".join(i["vendor_ids"]), i["explanation"],
             i["key"]] for i in queue["items"]]
    return Response(write_csv(("date", "signal", "subject_type", "subject_id", "vendor_ids", "explanation", "key"),
                              rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="signals-{start}-{end}.csv"'})


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date = Field(description="the signal's date, as the queue lists it")
    reason: str = Field(min_length=1, max_length=1000, description="why it needs no action (kept in the audit trail)")


@router.post("/signals/{key}:dismiss")
def dismiss(request: Request, body: DismissIn, key: str = Path(pattern="^[0-9a-f]{32}$"),
            principal: Principal = require(Action.INVOICE_APPROVE)) -> dict:
    """Dismiss one signal with a reason; it stays away while its facts are the same."""
    return request.app.state.reports.signals.dismiss(principal, key, on=body.date, reason=body.reason)
