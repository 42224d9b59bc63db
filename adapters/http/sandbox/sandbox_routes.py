"""/v1/sandbox: ask the sandbox bank to return a payment, send a notification of change, or a day's statement.

Each answers with the file the bank sent (``content``) and either where it was dropped for the statement pick-up job
(``dropped_at``) or, with ``"import": true``, what importing it did. 409 ``sandbox_not_in_use`` unless the sandbox is
the rail in use; 409 ``payment_not_in_sandbox`` for a payment another rail carried.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.auth import require
from payments.identity import Action, Principal

router = APIRouter(tags=["sandbox"])


class _SandboxIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date: dt.date | None = Field(default=None, description="the bank's day (default: today)")
    import_now: bool = Field(default=False, alias="import",
                             description="import the file at once instead of dropping it into the inbox")


class ReturnIn(_SandboxIn):
    code: str = Field(pattern=r"^R[0-9]{2}$", description="the return reason code, e.g. R03")
    information: str = Field(default="", max_length=44)


class CorrectedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_number: str | None = Field(default=None, pattern=r"^[0-9A-Za-z-]{1,17}$")
    routing_number: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    transaction_code: int | None = Field(default=None, ge=20, le=59)
    receiver_name: str | None = Field(default=None, max_length=22)
    identification: str | None = Field(default=None, max_length=22)


class NocIn(_SandboxIn):
    code: str = Field(pattern=r"^C[0-9]{2}$", description="the change code, e.g. C01")
    corrected: CorrectedIn


class StatementIn(_SandboxIn):
    date: dt.date  # a statement is always of one named day
    format: Literal["bai2", "camt053"] = "bai2"


@router.post("/v1/sandbox/payments/{payment_id}:return")
def return_payment(request: Request, payment_id: str, body: ReturnIn,
                   principal: Principal = require(Action.SANDBOX_OPERATE)) -> dict:
    return request.app.state.sandbox.return_payment(payment_id, body.code, on=body.date, information=body.information,
                                                    import_now=body.import_now, actor=principal.user_id).to_dict()


@router.post("/v1/sandbox/payments/{payment_id}:noc")
def notify_change(request: Request, payment_id: str, body: NocIn,
                  principal: Principal = require(Action.SANDBOX_OPERATE)) -> dict:
    corrected = body.corrected.model_dump(exclude_none=True)
    return request.app.state.sandbox.notify_change(payment_id, body.code, corrected, on=body.date,
                                                   import_now=body.import_now, actor=principal.user_id).to_dict()


@router.post("/v1/sandbox/statements")
def statement(request: Request, body: StatementIn, principal: Principal = require(Action.SANDBOX_OPERATE)) -> dict:
    return request.app.state.sandbox.statement(body.date, format=body.format, import_now=body.import_now,
                                               actor=principal.user_id).to_dict()
