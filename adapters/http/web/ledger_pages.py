"""``/ledger``: the signed journal for those who must trust it — where it stands (its head, its keys, the last
signed checkpoint), a verification run now (every hash re-derived, every signature checked, the first fault named
in words), balances by fund, department and object with totals by the one chosen (CSV and XLSX), the entries
(keyset by sequence), and one entry with its postings, the chain link and the signature explained in words and
checked again on the spot. The same ledger service and queries as ``/v1/ledger``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.labels import ACCOUNT_TYPES, BALANCE_GROUPS
from adapters.http.web.page_lists import EXPORT_FORMATS, export, query_with
from adapters.http.web.pages import error_page, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.canonical import GENESIS_PREV_HASH, canonical_bytes, chain_hash
from ledger.money import major_amount
from ledger.signing import verify_signature
from payments.errors import NotFound
from payments.identity import Action

router = web_router()
PAGE_SIZE = 50


def _queries(request: Request, work: Any) -> Any:
    with request.app.state.uow(read_only=True) as uow:
        return work(uow.ledger_queries)


@router.get("/ledger")
def overview(request: Request, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    state = request.app.state
    checkpoints = _queries(request, lambda q: list(q.checkpoints()))
    head = _queries(request, lambda q: q.list_entries(after_sequence=0, limit=1))
    return render(request, "ledger.html", checkpoint=checkpoints[-1] if checkpoints else None,
                  checkpoints=len(checkpoints), keys=state.ledger.keys(), first=head[0] if head else None)


@router.get("/ledger/verification")
def verification(request: Request, viewer: Viewer = page(Action.LEDGER_VERIFY)) -> Response:
    """Runs the verifier now (it changes nothing, so a GET): the stored journal against its stored checkpoints."""
    report = request.app.state.ledger.verify()
    checkpoints = _queries(request, lambda q: list(q.checkpoints()))
    return render(request, "ledger_verification.html", report=report,
                  checkpoint=checkpoints[-1] if checkpoints else None, checked_at=request.app.state.clock.now())


# -- balances ---------------------------------------------------------------------------------------------------

def _balance_query(request: Request) -> dict[str, Any] | None:
    q = request.query_params
    values: dict[str, Any] = {k: q.get(k, "")[:40] for k in ("fund", "department", "object_code", "type", "as_of", "group")}
    values["group"] = values["group"] or "fund"
    if values["type"] and values["type"] not in ACCOUNT_TYPES or values["group"] not in BALANCE_GROUPS:
        return None
    try:
        values["as_of_date"] = dt.date.fromisoformat(values["as_of"]) if values["as_of"] else None
    except ValueError:
        return None
    return values


def _balances(request: Request, v: dict[str, Any]) -> list[Any]:
    rows = _queries(request, lambda q: q.balances(as_of=v["as_of_date"], fund=v["fund"] or None,
                                                  department=v["department"] or None,
                                                  object_code=v["object_code"] or None))
    return [r for r in rows if not v["type"] or r.type == v["type"]]


def group_totals(rows: list[Any], group: str) -> tuple[list[str], list[tuple[str, str, dict[str, int]]]]:
    """(account types present, [(group value, currency, {type: balance})]): balances summed by the chosen
    dimension, never across types (a liability and an expenditure do not add up)."""
    types = [t for t in ACCOUNT_TYPES if any(r.type == t for r in rows)]
    out: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        key = (getattr(r, group) or "—", r.currency)
        cell = out.setdefault(key, {})
        cell[r.type] = cell.get(r.type, 0) + r.balance_minor
    return types, [(value, currency, sums) for (value, currency), sums in sorted(out.items())]


@router.get("/ledger/balances")
def balances(request: Request, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    v = _balance_query(request)
    if v is None:
        return error_page(request, 422, "invalid_filter")
    rows = _balances(request, v)
    types, groups = group_totals(rows, v["group"])
    params: dict[str, str | None] = {k: v[k] for k in ("fund", "department", "object_code", "type", "as_of", "group")}
    return render(request, "ledger_balances.html", rows=rows, values=v, types=types, groups=groups,
                  account_types=ACCOUNT_TYPES, group_names=BALANCE_GROUPS,
                  csv_url="/ledger/balances.csv" + query_with(params), xlsx_url="/ledger/balances.xlsx" + query_with(params))


BALANCES_HEADER = ("account", "name", "type", "fund", "department", "object_code", "currency", "debit", "credit",
                   "balance", "debit_minor", "credit_minor", "balance_minor")


@router.get("/ledger/balances.{fmt}")
def balances_export(request: Request, fmt: str, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    v = _balance_query(request)
    if v is None or fmt not in EXPORT_FORMATS:
        return error_page(request, 422 if v is None else 404, "invalid_filter" if v is None else "not_found")
    cells = ([r.account, r.name, r.type, r.fund, r.department, r.object_code, r.currency,
              major_amount(r.debit_minor, r.currency), major_amount(r.credit_minor, r.currency),
              major_amount(r.balance_minor, r.currency), r.debit_minor, r.credit_minor, r.balance_minor]
             for r in _balances(request, v))
    return export(fmt, f"balances-{v['as_of'] or 'today'}", BALANCES_HEADER, cells)


# -- entries ----------------------------------------------------------------------------------------------------

@router.get("/ledger/entries")
def entries(request: Request, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    q = request.query_params
    after_text = q.get("after", "0")
    if not after_text.isdigit():
        return error_page(request, 422, "invalid_cursor")
    code, account = q.get("code", "")[:64], q.get("account", "")[:64]
    rows = _queries(request, lambda qs: qs.list_entries(after_sequence=int(after_text), limit=PAGE_SIZE + 1,
                                                         code=code or None, account=account or None))
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    params: dict[str, str | None] = {"code": code, "account": account}
    return render(request, "ledger_entries.html", rows=rows, code=code, account=account,
                  first_page=after_text == "0", first_url="/ledger/entries" + query_with(params),
                  next_url="/ledger/entries" + query_with(params, after=str(rows[-1].sequence)) if more and rows
                  else None)


def entry_checks(entry: Any, previous: Any, keys: list[Any]) -> dict[str, Any]:
    """This entry checked again as the verifier checks it: its hash re-derived from its canonical bytes and the
    previous entry's hash, the link to that entry, and its signature under the key that was valid for it."""
    canonical = canonical_bytes(entry.draft, sequence=entry.sequence, recorded_at=entry.recorded_at,
                                key_id=entry.key_id)
    key = next((k for k in keys if k.key_id == entry.key_id), None)
    expected_prev = previous.hash if previous is not None else GENESIS_PREV_HASH
    return {"canonical_size": len(canonical),
            "hash_ok": chain_hash(entry.prev_hash, canonical) == entry.hash,
            "link_ok": entry.prev_hash == expected_prev,
            "key": key, "key_covers": key is not None and key.covers(entry.sequence),
            "signature_ok": key is not None and verify_signature(key.public_key, entry.signature, entry.hash)}


@router.get("/ledger/entries/{entry_id}")
def entry_page(request: Request, entry_id: str, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    entry = _queries(request, lambda q: q.get_entry(entry_id))
    if entry is None:
        raise NotFound(f"entry {entry_id} does not exist", code="entry_not_found")
    before = _queries(request, lambda q: q.list_entries(after_sequence=entry.sequence - 2, limit=1)) \
        if entry.sequence > 1 else []
    previous = before[0] if before and before[0].sequence == entry.sequence - 1 else None
    after = _queries(request, lambda q: q.list_entries(after_sequence=entry.sequence, limit=1))
    return render(request, "ledger_entry.html", e=entry, d=entry.draft, previous=previous,
                  following=after[0] if after else None,
                  **entry_checks(entry, previous, request.app.state.ledger.keys()))
