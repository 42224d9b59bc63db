"""``/reconciliation``: treasury's day — the report for a date (what matched, what did not, payments unsettled too
long, returns and notifications of change, and the cash proof: the bank's closing balance against the ledger's
Cash, every reconciling item listed, to the cent), downloadable as CSV or XLSX; "reconcile now"; and importing a
bank file (statement, returns/NOC file or status report) by upload, whose summary page is the stored summary of
the import. The same services as ``/v1/reconciliation`` and ``/v1/statements``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from adapters.gc_pause import LARGE_STATEMENT_BYTES, cyclic_gc_paused
from adapters.http.body_guard import raw_body
from adapters.http.http_errors import ImportedFileNotFound
from adapters.http.problems import status_for
from adapters.http.web.formatting import local_datetime
from adapters.http.web.i18n import N_
from adapters.http.web.labels import EXCEPTION_KINDS
from adapters.http.web.page_lists import EXPORT_FORMATS, export
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.errors import DomainError
from payments.identity import Action

router = web_router()


def _today(request: Request) -> dt.date:
    state = request.app.state
    return local_datetime(state.clock.now(), state.settings.timezone).date()


def _on(request: Request) -> dt.date | None:
    text = request.query_params.get("on", "")
    if not text:
        return _today(request)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


@router.get("/reconciliation")
def report_page(request: Request, viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    on = _on(request)
    if on is None:
        return error_page(request, 422, "invalid_date", None)
    report = request.app.state.recon.queries.report(on)
    done = request.query_params.get("done", "")
    return render(request, "recon_report.html", report=report, on=on, kinds=EXCEPTION_KINDS,
                  currency=request.app.state.payments.policy.currency,
                  done=done if done in ("reconciled",) else "")


@router.get("/reconciliation/report-{on}.{fmt}")
def report_export(request: Request, on: str, fmt: str, viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        return error_page(request, 404, "not_found")
    if fmt not in EXPORT_FORMATS:
        return error_page(request, 404, "not_found")
    header, rows = request.app.state.recon.queries.report(day).table()
    return export(fmt, f"reconciliation-{day.isoformat()}", header, rows)


@router.post("/reconciliation/run")
async def reconcile_now(request: Request, viewer: Viewer = page(Action.RECONCILIATION_RESOLVE)) -> Response:
    form = await request.form()
    text = str(form.get("on", ""))[:10]
    return await run_in_threadpool(_reconcile, request, viewer, text)


def _reconcile(request: Request, viewer: Viewer, text: str) -> Response:
    try:
        on = dt.date.fromisoformat(text) if text else _today(request)
    except ValueError:
        return error_page(request, 422, "invalid_date", None)
    request.app.state.recon.service.reconcile(on, actor=viewer.principal.user_id)
    return redirect(f"/reconciliation?on={on.isoformat()}&done=reconciled")


# -- importing a bank file ----------------------------------------------------------------------------------

_NO_FILE = N_("Choose the bank file to import.")


@router.get("/reconciliation/import")
def import_form(request: Request, viewer: Viewer = page(Action.STATEMENTS_IMPORT)) -> Response:
    return render(request, "recon_import.html", errors=[], problem=None)


@router.post("/reconciliation/import")
@raw_body  # an upload: the body guard's upload cap, not the 1 MiB form cap (docs/web.md)
async def import_file(request: Request, viewer: Viewer = page(Action.STATEMENTS_IMPORT)) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    name = (upload.filename if isinstance(upload, UploadFile) else "") or "upload"
    return await run_in_threadpool(_import, request, viewer, data, name[:200])


def _import(request: Request, viewer: Viewer, data: bytes, name: str) -> Response:
    if not data:
        return render(request, "recon_import.html", status=422, errors=[("file", _NO_FILE)], problem=None)
    try:
        with cyclic_gc_paused(len(data) >= LARGE_STATEMENT_BYTES):
            result = request.app.state.recon.service.import_file(data, name=name, actor=viewer.principal.user_id)
    except DomainError as exc:  # a malformed file: the reader's line and reason, nothing written
        return render(request, "recon_import.html", status=status_for(exc), errors=[], problem=exc)
    return redirect(f"/reconciliation/files/{result.file_id}" + ("?again=1" if result.duplicate_file else ""))


@router.get("/reconciliation/files/{file_id}")
def imported_file(request: Request, file_id: str, viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    """What an import did, as the import stored it."""
    with request.app.state.uow(read_only=True) as uow:
        record = uow.recon.get_file(file_id)
    if record is None:
        raise ImportedFileNotFound(f"imported file {file_id} does not exist")
    summary: dict[str, Any] = dict(record.summary or {})
    return render(request, "recon_file.html", record=record, summary=summary,
                  again=request.query_params.get("again") == "1", methods=summary.get("methods") or {},
                  findings=summary.get("findings") or [])
