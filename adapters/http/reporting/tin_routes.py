"""IRS TIN Matching results and the 1099 pre-filing worklist (payments/reporting/tin_matching.py, form_1099.py).

``POST /v1/vendors/{vendor_id}/tin-matches`` records the IRS's answer for the vendor's TIN (``vendor.update``: those
who keep the vendor master); ``GET /v1/reports/form-1099/worklist?year=Y`` lists who the filing leaves out and why
(a missing TIN; a TIN mismatch, hold ``tin_mismatch``), TINs masked; and
``GET /v1/reports/form-1099/copy-b/{vendor_id}?year=Y`` gives a reported vendor's Copy B as a PDF (``ledger.read``).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.auth import require
from payments.errors import NotFound
from payments.identity import Action, Principal

router = APIRouter(tags=["reports"])


class TinMatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: int = Field(ge=0, le=99, description="the IRS TIN Matching result code, 0-8 (Publication 2108A)")
    checked_on: dt.date = Field(description="the day the IRS answered")


@router.post("/v1/vendors/{vendor_id}/tin-matches", status_code=201)
def record_tin_match(request: Request, body: TinMatchIn, vendor_id: str = Path(max_length=40),
                     principal: Principal = require(Action.VENDOR_UPDATE)) -> dict:
    check = request.app.state.reports.tin_matching.record(principal, vendor_id, body.code, body.checked_on)
    return {"vendor_id": check.vendor_id, "code": check.code, "meaning": check.meaning,
            "checked_on": check.checked_on.isoformat(), "tin": f"*****{check.tin_last4}",
            "blocks_filing": check.blocks(check.tin_last4)}


@router.get("/v1/reports/form-1099/worklist")
def worklist(request: Request, year: int = Query(ge=2000, le=9999), _p: Principal = require(Action.LEDGER_READ)) -> dict:
    summary = request.app.state.reports.form_1099(year).summary()
    items = ([{**v, "hold": "missing_tin", "problem": "missing TIN"} for v in summary["missing_tin"]]
             + summary["tin_mismatch"])
    return {"year": year, "threshold_minor": summary["threshold_minor"], "items": items}


@router.get("/v1/reports/form-1099/copy-b/{vendor_id}", response_model=None)
def copy_b(request: Request, vendor_id: str = Path(max_length=40), year: int = Query(ge=2000, le=9999),
           _p: Principal = require(Action.LEDGER_READ)) -> Response:
    """The vendor's Form 1099-NEC Copy B (For Recipient) for ``year``, a printable PDF; 404 when it is not reported."""
    pdf = request.app.state.reports.copy_b(year, vendor_id)
    if pdf is None:
        raise NotFound(f"vendor {vendor_id} is not reported on Form 1099-NEC for {year}", kind="vendor",
                       object_id=vendor_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="1099-NEC-{year}-copy-b-{vendor_id}.pdf"'})
