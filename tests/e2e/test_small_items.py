"""Issue 11, defect 14: the smaller things a new user tripped over, each through the route or command they used.

* the portal's invoice and payment lists honour ``?status=`` and ``?invoice_number=`` and refuse a filter they do not
  have, by name, instead of silently listing everything;
* a body that is not JSON is reported as the body, at a line and column, not as ``field "13"``;
* amounts, prices and quantities may be JSON numbers, read as the decimal their text spells (never a float), and
  refused when they carry more decimals than the currency has;
* ``disburse config show`` prints the policy too;
* the outbox's ``pending/`` copies and ``.json`` manifests are described where they are written;
* "Line 1 of this invoice bills …".

(A policy override changing the version label: ``tests/integration/test_policy_profiles.py``.)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import main
from payments.disbursements.payment_runs import PayableInvoice
from payments.identity import Role
from tests.e2e.conftest import as_role
from tests.e2e.people import client, people, stack  # noqa: F401
from tests.integration.ap_story import APPROVER, ap, approved_po, budget, inv_line, invoice, receive, vendor
from tests.payment_fakes import FakeAccounts, FakePayables

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chart(stack):  # noqa: ANN001, ANN201
    """The City's chart of accounts (fund 100), which AP posts to."""
    from payments.example.example_agency import example_accounts

    stack.ledger.add_accounts(example_accounts())
    return stack


@pytest.fixture
def acme(chart, people):  # noqa: ANN001, ANN201
    """Acme with three invoices: INV-1 approved, INV-2 matched, INV-3 held (more than received)."""
    s = ap(chart)
    budget(s)
    vendor_id = vendor(s)
    po = approved_po(s, vendor_id)
    receive(s, po, (1, 6, 6))
    ids = {}
    for n, qty in ((1, 3), (2, 2), (3, 5)):
        ids[n] = invoice(s, vendor_id, inv_line(1, po, qty), number=f"INV-{n}",
                         invoice_date=dt.date(2026, 10, n)).invoice.id
    s.approvals.approve(APPROVER, ids[1])
    return people.vendor("acme", vendor_id), ids


def test_defect_14_portal_lists_honour_status_and_invoice_number_or_refuse_them(client, acme):
    headers, ids = acme

    def listed(query: str) -> list[str]:
        r = client.get(f"/v1/portal/invoices{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert listed("") == [ids[1], ids[2], ids[3]]
    assert listed("?status=held") == [ids[3]] and listed("?status=approved") == [ids[1]]
    assert listed("?invoice_number=INV-2") == [ids[2]] and listed("?invoice_number=INV-9") == []
    assert listed("?status=matched&invoice_number=INV-2") == [ids[2]]
    first = client.get("/v1/portal/invoices?status=held&limit=1", headers=headers).json()
    assert [i["id"] for i in first["items"]] == [ids[3]] and first["next_cursor"] is None
    for query, code in (("?status=overdue", "invalid_status"), ("?vendor_id=ven_other", "unknown_query_parameter"),
                        ("?number=INV-1", "unknown_query_parameter")):
        r = client.get(f"/v1/portal/invoices{query}", headers=headers)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert client.get("/v1/portal/payments?status=sent", headers=headers).json()["items"] == []
    r = client.get("/v1/portal/payments?status=overdue", headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.status"
    assert client.get("/v1/portal/payments?run_id=x", headers=headers).json()["code"] == "unknown_query_parameter"


def test_defect_14_a_body_that_is_not_json_is_named_as_the_body(api):
    r = api.post("/v1/invoices", content=b'{"vendor_id": "ven_1",\n "invoice_number": 12,,}',
                 headers={**as_role("ap_clerk"), "Content-Type": "application/json"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "body" and error["type"] == "json_invalid"
    assert "line 2, column 23 (character 45)" in error["reason"], error


def test_defect_14_amounts_as_json_numbers_are_read_exactly(chart, client, people):
    s = ap(chart)
    budget(s)
    vendor_id = vendor(s)
    po = approved_po(s, vendor_id)
    receive(s, po, (1, 10, 10))
    clerk = people.headers("cal", Role.AP_CLERK)
    body = {"vendor_id": vendor_id, "invoice_number": "INV-N", "invoice_date": "2026-10-05", "terms": "net 30",
            "total": 1200.00, "remit_to": "Acme, 1 Main St", "defect_contact": "Pat Lee, 555-0100",
            "lines": [{"line_no": 1, "po_id": po, "po_line_no": 1, "quantity": 10, "unit_price": 120.00}]}
    made = client.post("/v1/invoices", json=body, headers=clerk)
    assert made.status_code == 201 and made.json()["status"] == "matched", made.text
    assert made.json()["total_minor"] == 120_000 and made.json()["lines"][0]["quantity"] == "10"
    s.approvals.approve(APPROVER, made.json()["id"])
    # 0.1 + 0.2 would not be 0.3 through a float; read as decimals the total is exactly 0.30.
    raw = (b'{"vendor_id": "%s", "memo_number": "CM-1", "memo_date": "2026-10-20", "lines": '
           b'[{"po_id": "%s", "po_line_no": 1, "quantity": 0, "amount": 0.30}]}' % (vendor_id.encode(), po.encode()))
    memo = client.post("/v1/credit-memos", content=raw, headers={**clerk, "Content-Type": "application/json"})
    assert memo.status_code == 201, memo.text
    assert memo.json()["total_minor"] == 30
    too_fine = client.post("/v1/credit-memos", json={"vendor_id": vendor_id, "memo_number": "CM-2",
                                                     "memo_date": "2026-10-20", "lines": [
                                                         {"po_id": po, "po_line_no": 1, "quantity": 0,
                                                          "amount": 12.345}]}, headers=clerk)
    assert too_fine.status_code == 422, too_fine.text
    assert too_fine.json()["code"] == "amount_precision_exceeded" and "12.345 USD" in too_fine.json()["detail"]
    not_a_number = client.post("/v1/credit-memos", json={"vendor_id": vendor_id, "memo_number": "CM-3",
                                                         "memo_date": "2026-10-20", "lines": [
                                                             {"po_id": po, "po_line_no": 1, "quantity": 0,
                                                              "amount": True}]}, headers=clerk)
    assert not_a_number.status_code == 422 and not_a_number.json()["errors"][0]["field"] == "lines.0.amount"


def test_defect_14_config_show_prints_the_policy(tmp_path, monkeypatch, capsys):
    (tmp_path / "p.toml").write_text('[bank_accounts]\ncooling_off_days = 12\n')
    monkeypatch.setenv("DISBURSE_POLICY_FILE", str(tmp_path / "p.toml"))
    assert main.cli(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "database_url = " in out and "[bank_accounts]\ncooling_off_days = 12\n" in out
    assert re.search(r"# policy default-2026\.1\+file\.[0-9a-f]{8}: ", out)
    assert "[schedule]" in out and 'rail = "nacha"' in out


def test_defect_14_the_outbox_layout_is_documented_as_it_is_written(container, tmp_path):
    from payments.identity import Principal

    invoices = FakePayables([PayableInvoice("inv_1", "ven_1", "INV-1", "USD", 100_000, dt.date(2026, 11, 4),
                                            approver_ids=frozenset({"usr_ann"}))])
    service = main.wire_payments(container, invoices=invoices, accounts=FakeAccounts())
    run = service.create_run().run
    service.release(Principal.staff("usr_tina", Role.TREASURER), run.id)
    [outcome] = service.submit_released()
    outbox = container.settings.path("outbox_dir")
    written = sorted(str(p.relative_to(outbox)).replace(outcome.submission_id, "<submission>")
                     for p in outbox.rglob("*") if p.is_file())
    assert written == ["nacha/<submission>.ach", "nacha/pending/<submission>.ach",
                       "nacha/pending/<submission>.ach.json"]
    doc = (ROOT / "docs" / "outbox.md").read_text()
    assert all(f"`{path}`" in doc for path in written)


def test_defect_14_one_invoice_line_bills_in_the_singular(chart, client, people):
    s = ap(chart)
    budget(s)
    vendor_id = vendor(s)
    po = approved_po(s, vendor_id)
    receive(s, po, (1, 4, 4))
    held = invoice(s, vendor_id, inv_line(1, po, 6), number="INV-6").invoice.id
    holds = client.get(f"/v1/invoices/{held}/holds", headers=people.headers("aud", Role.AUDITOR)).json()["items"]
    [explained] = [h["explanation"] for h in holds if h["hold"] == "qty_received"]
    assert explained.startswith("Line 1 of this invoice bills 6 each of chair")
