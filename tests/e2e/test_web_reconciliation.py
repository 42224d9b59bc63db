"""The reconciliation pages over HTTP, the day a run settles (``tests/e2e/recon_world.py``): a treasurer uploads the
bank's statement through the import form; its summary page is what the import stored; the two lines the bank booked
its own way land in the exceptions queue; one is matched by hand to two payments (settling them, with a journal
entry and an audit event), a wrong match is refused with nothing changed; a write-off needs a second person; the
report shows the cash proof and downloads as CSV and XLSX; a malformed file is refused with its line and reason."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from payments.identity import Role
from tests.e2e.people import People
from tests.e2e.recon_world import _recon_template, recon_web  # noqa: F401
from tests.e2e.web import csrf_of, web_sign_in


def _signed_in(world, username: str, password: str | None = None):  # noqa: ANN001, ANN202
    client = world.client()
    assert web_sign_in(client, username, password or world.passwords[username]).status_code == 303
    return client


def _upload(client, data: bytes, name: str = "statement.bai2"):  # noqa: ANN001, ANN202
    return client.post("/reconciliation/import", data={"csrf_token": csrf_of(client)},
                       files={"file": (name, data, "application/octet-stream")})


def _exceptions(client) -> dict[int, str]:  # noqa: ANN001
    """Open exceptions by the absolute amount of their line: id."""
    items = client.get("/v1/reconciliation/exceptions?status=open").json()["items"]
    return {abs(int(e["amount_minor"])): e["id"] for e in items if e["kind"] == "unmatched_line"}


def test_a_statement_is_imported_by_upload_and_an_exception_matched_by_hand(recon_web):
    treasurer = _signed_in(recon_web, "treasurer")
    form = treasurer.get("/reconciliation/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    imported = _upload(treasurer, recon_web.statement)
    assert imported.status_code == 303, imported.text
    file_id = re.fullmatch(r"/reconciliation/files/(\w+)", imported.headers["location"]).group(1)
    summary = treasurer.get(imported.headers["location"]).text
    assert "The file is imported." in summary and "bai2" in summary
    assert re.search(r"Exceptions opened</dt><dd>2<", summary)
    again = _upload(treasurer, recon_web.statement)  # the same file twice: nothing done again
    assert again.headers["location"] == f"/reconciliation/files/{file_id}?again=1"
    assert "nothing was done a second time" in treasurer.get(again.headers["location"]).text

    payments = recon_web.sent.payments
    together = payments["Acme Furniture Co."][1] + payments["Summit Office Supply"][1]
    exception_id = _exceptions(treasurer)[together]
    queue = treasurer.get("/reconciliation/exceptions").text
    assert f'href="/reconciliation/exceptions/{exception_id}"' in queue and "Statement line matching nothing" in queue
    page = treasurer.get(f"/reconciliation/exceptions/{exception_id}").text
    assert "98765433" in page and "Match these payments" in page
    acme, summit, it = (payments[n][0] for n in ("Acme Furniture Co.", "Summit Office Supply",
                                                 "Riverton IT Services LLC"))
    assert all(f'value="{p}"' in page for p in (acme, summit, it))

    wrong = treasurer.post(f"/reconciliation/exceptions/{exception_id}/match", data={
        "csrf_token": csrf_of(treasurer), "payment_ids": [acme], "reason": "the bank's text says so"})
    assert wrong.status_code == 400 or wrong.status_code == 422
    assert "Nothing was changed." in wrong.text and "the line is" in wrong.text
    assert treasurer.get(f"/v1/payments/{acme}").json()["status"] == "sent"

    matched = treasurer.post(f"/reconciliation/exceptions/{exception_id}/match", data={
        "csrf_token": csrf_of(treasurer), "payment_ids": [acme, summit],
        "reason": "the bank booked Acme's and Summit's payments as one debit"})
    assert matched.headers["location"] == f"/reconciliation/exceptions/{exception_id}?done=matched"
    api = treasurer.get(f"/v1/reconciliation/exceptions/{exception_id}").json()
    assert api["status"] == "resolved" and api["resolution"] == "manual_match" and api["entry_id"]
    assert {treasurer.get(f"/v1/payments/{p}").json()["status"] for p in (acme, summit)} == {"settled"}
    done = treasurer.get(matched.headers["location"]).text
    assert "Matched by hand" in done and f'href="/ledger/entries/{api["entry_id"]}"' in done
    assert "Match these payments" not in done
    auditor = _signed_in(recon_web, "auditor")
    events = auditor.get(f"/v1/audit?action=recon_exception_matched&object_id={exception_id}").json()["items"]
    assert [e["actor"] for e in events] and events[0]["detail"]["payment_ids"] == [acme, summit]


def test_a_write_off_needs_a_second_person(recon_web):
    treasurer = _signed_in(recon_web, "treasurer")
    _upload(treasurer, recon_web.statement)
    exception_id = _exceptions(treasurer)[recon_web.sent.payments["Riverton IT Services LLC"][1]]
    asked = treasurer.post(f"/reconciliation/exceptions/{exception_id}/write-off", data={
        "csrf_token": csrf_of(treasurer), "write_off_reason": "bank error under investigation", "account": ""})
    assert asked.headers["location"].endswith("?done=write_off_requested")
    page = treasurer.get(asked.headers["location"]).text
    assert "Another person must approve it" in page and "Approve the write-off" not in page
    refused = treasurer.post(f"/reconciliation/exceptions/{exception_id}/write-off/approve",
                             data={"csrf_token": csrf_of(treasurer)})
    assert refused.status_code == 403 and "Nothing was changed." in refused.text
    People(recon_web.c).add("treasurer2", Role.TREASURER, password="second treasurer's password")
    second = _signed_in(recon_web, "treasurer2", "second treasurer's password")
    assert "Approve the write-off" in second.get(f"/reconciliation/exceptions/{exception_id}").text
    approved = second.post(f"/reconciliation/exceptions/{exception_id}/write-off/approve",
                           data={"csrf_token": csrf_of(second)})
    assert approved.headers["location"].endswith("?done=written_off")
    assert second.get(f"/v1/reconciliation/exceptions/{exception_id}").json()["status"] == "written_off"
    approver = _signed_in(recon_web, "approver")  # reads the queue; may not write off
    assert "Ask to write it off" not in approver.get(f"/reconciliation/exceptions/{exception_id}").text


def test_the_report_shows_the_cash_proof_and_downloads(recon_web):
    treasurer = _signed_in(recon_web, "treasurer")
    _upload(treasurer, recon_web.statement)
    on = recon_web.sent.settles.isoformat()
    api = treasurer.get(f"/v1/reconciliation/reports/{on}").json()
    page = treasurer.get(f"/reconciliation?on={on}").text
    assert page.count("Does not tie out" if not api["ties_out"] else "Ties out") >= 1
    cash = api["cash"][0]
    assert f"${abs(int(cash['ledger_cash_minor'])) / 100:,.2f}" in page
    assert "98765432" in page and "Statement line matching nothing" in page  # the open exceptions by kind
    rows = list(csv.reader(io.StringIO(treasurer.get(f"/reconciliation/report-{on}.csv").text)))
    assert rows[0][0] == "section" and any(r[0] == "cash" for r in rows[1:])
    book = openpyxl.load_workbook(io.BytesIO(treasurer.get(f"/reconciliation/report-{on}.xlsx").content))
    assert [c.value for c in book.active[1]][0] == "section"
    assert treasurer.get("/reconciliation?on=not-a-date").status_code == 422
    ran = treasurer.post("/reconciliation/run", data={"csrf_token": csrf_of(treasurer), "on": on})
    assert ran.headers["location"] == f"/reconciliation?on={on}&done=reconciled"


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_written(recon_web):
    treasurer = _signed_in(recon_web, "treasurer")
    bad = recon_web.statement.replace(b"\n49,", b"\n49,1,", 1)
    refused = _upload(treasurer, bad)
    assert refused.status_code in (400, 422) and "The file was not imported" in refused.text
    assert "Nothing was written." in refused.text
    assert treasurer.get("/v1/reconciliation/exceptions?status=open").json()["items"] == []
    empty = _upload(treasurer, b"")
    assert empty.status_code == 422 and "Choose the bank file to import." in empty.text
    clerk = _signed_in(recon_web, "clerk")
    assert clerk.get("/reconciliation/import").status_code == 403
    assert _upload(clerk, recon_web.statement).status_code == 403
