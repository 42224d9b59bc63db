"""/v1/ledger: accounts, entries (get, list, post one, post a batch), balances, verification, checkpoints."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse
from moneyed import Money
from pydantic import BaseModel, ConfigDict, Field, field_validator

from adapters.exports.csv_export import write_csv
from adapters.http.auth import require
from adapters.http.http_errors import InvalidAmount
from adapters.http.idempotency import run_idempotent
from adapters.http.pagination import decode_cursor, page
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, SealedEntry, new_entry_id
from ledger.errors import LedgerError
from ledger.money import format_minor, from_minor, major_amount, minor_text, to_minor
from payments.errors import NotFound
from payments.ledger_proofs import LedgerProofs
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])
_AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,4})?$")  # ASCII digits only (\d takes any script's)


class PostingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(min_length=1, max_length=64)
    direction: Literal["debit", "credit"]
    amount: str = Field(description="decimal string in major units, e.g. '1250.00'; never a JSON number")
    currency: str = Field(min_length=3, max_length=3)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: str) -> str:
        if not _AMOUNT.match(v):
            raise ValueError("amount must be a positive decimal string such as '1250.00'")
        return v


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="je_<ULID>; makes the post idempotent by id")
    effective_date: dt.date
    code: str
    memo: str = Field(default="", max_length=500)
    references: dict[str, str] = Field(default_factory=dict)
    reverses: str | None = None
    postings: list[PostingIn] = Field(min_length=2, max_length=500)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[EntryIn] = Field(min_length=1, max_length=5000)


def to_draft(body: EntryIn) -> EntryDraft:
    legs = []
    for i, p in enumerate(body.postings):
        try:
            amount_minor, currency = to_minor(Money(Decimal(p.amount), p.currency.upper()))
        except (InvalidOperation, ValueError) as exc:
            raise InvalidAmount(f"postings[{i}].amount: {exc}") from None
        except LedgerError as exc:
            raise LedgerError(f"postings[{i}]: {exc.message}", code=exc.code) from None
        legs.append(Posting(p.account, Direction(p.direction), amount_minor, currency))
    return EntryDraft(id=body.id or new_entry_id(), effective_date=body.effective_date, code=body.code,
                      postings=tuple(legs), memo=body.memo, references=body.references, reverses=body.reverses)


def entry_out(e: SealedEntry) -> dict:
    d = e.draft
    return {
        "id": d.id, "sequence": e.sequence, "effective_date": d.effective_date.isoformat(),
        "recorded_at": e.recorded_at, "code": d.code, "memo": d.memo, "references": dict(d.references),
        "reverses": d.reverses, "data": d.data,
        "postings": [{"account": p.account, "direction": getattr(p.direction, "value", p.direction),
                      "amount": str(from_minor(p.amount_minor, p.currency).amount),
                      "amount_minor": p.amount_minor, "currency": p.currency} for p in d.postings],
        "key_id": e.key_id, "prev_hash": e.prev_hash.hex(), "hash": e.hash.hex(), "signature": e.signature.hex(),
    }


@router.get("/accounts")
def list_accounts(request: Request, fund: str | None = None, type: str | None = None,
                  _p: Principal = require(Action.LEDGER_READ)) -> dict:
    with request.app.state.uow(read_only=True) as uow:
        items = uow.ledger_queries.list_accounts(fund=fund, type_=type)
    return {"items": [{"code": a.code, "name": a.name, "type": a.type.value, "normal": a.normal.value,
                       "fund": a.fund, "department": a.department, "object_code": a.object_code,
                       "active": a.active} for a in items]}


@router.get("/entries")
def list_entries(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                 code: str | None = None, account: str | None = None,
                 _p: Principal = require(Action.LEDGER_READ)) -> dict:
    after = int(decode_cursor(cursor).get("after", 0))
    with request.app.state.uow(read_only=True) as uow:
        rows = uow.ledger_queries.list_entries(after_sequence=after, limit=limit + 1, code=code, account=account)
    result = page(rows, limit, lambda e: {"after": e.sequence})
    result["items"] = [entry_out(e) for e in result["items"]]
    return result


@router.get("/entries/{entry_id}")
def get_entry(request: Request, entry_id: str, _p: Principal = require(Action.LEDGER_READ)) -> dict:
    with request.app.state.uow(read_only=True) as uow:
        entry = uow.ledger_queries.get_entry(entry_id)
    if entry is None:
        raise NotFound(f"entry {entry_id} does not exist")
    return entry_out(entry)


@router.get("/entries/{entry_id}/proof")
def get_entry_proof(request: Request, entry_id: str, _p: Principal = require(Action.LEDGER_READ)) -> Response:
    """The inclusion proof of one entry in the latest signed checkpoint (docs/ledger-format.md section 10), checked
    by `disburse ledger verify --proof` or `node verifiers/js/verify.js --proof` with nothing else."""
    return Response(LedgerProofs(request.app.state.uow).inclusion(entry_id), media_type="application/json")


@router.post("/entries", status_code=201)
def post_entry(request: Request, body: EntryIn, principal: Principal = require(Action.LEDGER_POST)):
    def handler():
        posted = request.app.state.ledger.post([to_draft(body)])[0]
        return (201 if posted.created else 200), entry_out(posted.entry)
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.post("/entries:batch", status_code=201)
def post_batch(request: Request, body: BatchIn, principal: Principal = require(Action.LEDGER_POST)):
    def handler():
        posted = request.app.state.ledger.post([to_draft(e) for e in body.entries])
        return 201, {"items": [{**entry_out(p.entry), "created": p.created} for p in posted]}
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


BALANCES_CSV = ("account", "name", "type", "normal_balance", "fund", "department", "object_code", "currency",
                "debit", "credit", "balance", "debit_minor", "credit_minor", "balance_minor")


@router.get("/balances")
def balances(request: Request, as_of: dt.date | None = None, fund: str | None = None,
             department: str | None = None, object_code: str | None = None, account: str | None = None,
             currency: str | None = None, format: Literal["json", "csv"] = "json",  # noqa: A002
             _p: Principal = require(Action.LEDGER_READ)) -> Any:
    """Balances on each account's normal side (a liability with a debit balance is negative); amounts in major units
    with the currency's decimals, minor units beside them. ``?format=csv`` for a spreadsheet."""
    with request.app.state.uow(read_only=True) as uow:
        rows = uow.ledger_queries.balances(as_of=as_of, fund=fund, department=department, object_code=object_code,
                                           account=account, currency=currency)
    if format == "csv":
        cells = [(r.account, r.name, r.type, r.normal, r.fund, r.department, r.object_code, r.currency,
                  major_amount(r.debit_minor, r.currency), major_amount(r.credit_minor, r.currency),
                  major_amount(r.balance_minor, r.currency), r.debit_minor, r.credit_minor, r.balance_minor)
                 for r in rows]
        return PlainTextResponse(write_csv(BALANCES_CSV, cells), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="balances-{as_of or "today"}.csv"'})
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.currency, [0, 0])
        t[0] += r.debit_minor
        t[1] += r.credit_minor
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "items": [{"account": r.account, "name": r.name, "type": r.type, "normal_balance": r.normal, "fund": r.fund,
                   "department": r.department, "object_code": r.object_code, "currency": r.currency,
                   "debit_minor": r.debit_minor, "credit_minor": r.credit_minor, "balance_minor": r.balance_minor,
                   "balance_amount": minor_text(r.balance_minor, r.currency),
                   "balance": format_minor(r.balance_minor, r.currency)} for r in rows],
        "trial_balance": {c: {"debit_minor": d, "credit_minor": cr, "difference_minor": d - cr}
                          for c, (d, cr) in sorted(totals.items())},
    }


@router.post("/verify")
def verify(request: Request, _p: Principal = require(Action.LEDGER_VERIFY)) -> dict:
    return json.loads(request.app.state.ledger.verify().to_json())


@router.get("/checkpoints")
def list_checkpoints(request: Request, _p: Principal = require(Action.LEDGER_READ)) -> dict:
    with request.app.state.uow(read_only=True) as uow:
        items = uow.ledger_queries.checkpoints()
    return {"items": [json.loads(cp.to_json()) for cp in items]}


@router.post("/checkpoints", status_code=201)
def create_checkpoint(request: Request, _p: Principal = require(Action.LEDGER_CHECKPOINT)) -> dict:
    return json.loads(request.app.state.ledger.checkpoint().to_json())


