"""Issue 11, defect 8: staff see at least what the vendor sees, over HTTP, on SQLite and PostgreSQL.

Acme bills two invoices for chairs: A on 2/10 net 30 terms, received 2 November (its discount runs to the 12th),
and B on net 30, received 6 October (due 7 November, thirty days after the goods were deemed accepted). Both are approved before Acme has a bank account. The
staff view of A names ``bank_account_unverified`` with why, and the plan: the discount is worth taking, so the run
of 10 November pays it, settling on the 12th. The day's run pays nothing but lists both invoices as not yet due,
with the day each will be paid. Later B is paid and the vendor's bank returns it R03: the staff view explains
the ``payment_returned`` hold (which payment, which code, what to do) and shows the account blocked again.
"""

from __future__ import annotations

import datetime as dt

import pytest

import main
from payments.ap.invoice_service import NewInvoice
from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, build_stack, client, people, set_contact  # noqa: F401
from tests.integration.ap_story import APPROVER, CLERK, ap, approved_po, budget, inv_line, po_line, receive, vendor


@pytest.fixture
def stack(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    (tmp_path / "policy.toml").write_text('[payments]\nrail = "sandbox"\n')
    c = build_stack(db_url, tmp_path, clock, policy_file=str(tmp_path / "policy.toml"))
    from payments.example.example_agency import example_accounts

    c.ledger.add_accounts(example_accounts())
    yield c
    c.engine.dispose()


def _invoice(s, vendor_id: str, po: str, number: str, terms: str, received: dt.date) -> str:  # noqa: ANN001
    line = inv_line(1, po, 10)
    record, _ = s.invoices.create(CLERK, NewInvoice(vendor_id, number, received - dt.timedelta(days=1), "USD",
                                                   (line,), received, terms, 120_000, "Acme, 1 Main St",
                                                   "Pat Lee, 555-0100", None))
    view = s.invoices.view(record.invoice.id)
    assert view.record.invoice.status.value == "matched", [(h.hold, h.finding) for h in view.holds]
    s.approvals.approve(APPROVER, record.invoice.id)
    return record.invoice.id


def _job(name: str, container) -> object:  # noqa: ANN001
    return next(j for j in main.jobs(container) if j.name == name).body()


def _run(client, cast) -> dict:  # noqa: ANN001
    created = client.post("/v1/payment-runs", headers=cast["cal"], json={})
    assert created.status_code in (200, 201), created.text
    return created.json()


def _release_and_submit(client, cast, run: dict) -> None:  # noqa: ANN001
    assert client.post(f"/v1/payment-runs/{run['id']}:release", headers=cast["tom"]).status_code == 200
    assert client.post(f"/v1/payment-runs/{run['id']}:submit", headers=cast["tom"]).json()["result"] == "accepted"


def test_defect_8_staff_see_the_bank_hold_the_pay_plan_and_why_a_payment_came_back(stack, client, people, clock):
    cast = {n: people.headers(n, r) for n, r in (("val", Role.VENDOR_ADMIN), ("vic", Role.VENDOR_ADMIN),
                                                 ("tess", Role.TREASURER), ("tom", Role.TREASURER),
                                                 ("cal", Role.AP_CLERK), ("aud", Role.AUDITOR))}
    s = ap(stack)
    budget(s)
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 20), number="PO-2027-0001")
    receive(s, po, (1, 20, 20))
    inv_a = _invoice(s, acme, po, "INV-A", "2/10 net 30", dt.date(2026, 11, 2))
    inv_b = _invoice(s, acme, po, "INV-B", "net 30", dt.date(2026, 10, 6))

    a = client.get(f"/v1/invoices/{inv_a}", headers=cast["aud"]).json()
    assert [h["hold"] for h in a["bank_account_holds"]] == ["bank_account_unverified"]
    assert "no active, verified bank account" in a["bank_account_holds"][0]["explanation"]
    assert a["stands_in_the_way"] == ["bank_account_unverified"]
    assert a["payment_plan"] == {"due_date": "2026-12-02", "discount_date": "2026-11-12", "discount_taken": True,
                                 "discount_minor": 2400, "interest_minor": 0, "pay_from": "2026-11-10",
                                 "expected_pay_date": "2026-11-12", "not_yet_due": True}

    today = _run(client, cast)  # 2 November: nothing is due yet, and the report says when each will be
    assert today["run"] is None
    assert {(x["invoice_id"], x["reason"], x["detail"]) for x in today["skipped"]} == {
        (inv_a, "not_yet_due", "2026-11-10"), (inv_b, "not_yet_due", "2026-11-05")}

    # Acme's bank account through the quarantine; its prenote; activation.
    set_contact(stack, acme)
    change = client.post(f"/v1/vendors/{acme}/bank-account-changes", headers=cast["val"],
                         json={"routing_number": ROUTING, "account_number": "000123456789",
                               "account_type": "checking"}).json()["id"]
    client.post(f"/v1/bank-account-changes/{change}/callback", headers=cast["vic"],
                json={"number_called": ON_FILE, "outcome": "confirmed"})
    assert client.post(f"/v1/bank-account-changes/{change}/approve", headers=cast["tess"]).status_code == 200
    clock.advance(days=10)  # Thursday 12 November
    _release_and_submit(client, cast, _run(client, cast))  # the prenote
    _job("payments_prenote_relay", stack)
    clock.advance(days=6)  # Wednesday 18 November: the prenote settled on the 13th, three banking days ago
    _job("bank_accounts_activate", stack)
    b = client.get(f"/v1/invoices/{inv_b}", headers=cast["aud"]).json()
    assert b["bank_account_holds"] == [] and b["payment_plan"]["pay_from"] == "2026-11-18"
    run = _run(client, cast)
    assert [i["invoice_id"] for p in run["payments"] for i in p["remittance"]] == [inv_b]
    # A's discount ended on the 12th: now it waits for its due date, and the report says so.
    assert (inv_a, "not_yet_due", "2026-11-30") in {(x["invoice_id"], x["reason"], x["detail"])
                                                    for x in run["skipped"]}
    _release_and_submit(client, cast, run)
    [payment] = run["payments"]

    clock.advance(days=2)  # Friday 20 November: Acme's bank returns it, no such account
    back = client.post(f"/v1/sandbox/payments/{payment['id']}:return", json={"code": "R03", "import": True},
                       headers=cast["tess"])
    assert back.status_code == 200 and back.json()["imported"]["returns_posted"] == 1, back.text
    b = client.get(f"/v1/invoices/{inv_b}", headers=cast["aud"]).json()
    assert b["status"] == "approved"
    [hold] = [h for h in b["holds"] if h["hold"] == "payment_returned"]
    assert (hold["reason_code"], hold["payment_id"]) == ("R03", payment["id"])
    assert hold["explanation"].startswith(f"Payment {payment['id']} came back from the vendor's bank: return R03")
    assert "blocked until corrected bank details" in hold["explanation"]
    assert b["stands_in_the_way"] == ["payment_returned", "bank_account_unverified"]
    # What the vendor is told, staff see too.
    portal = client.get(f"/v1/portal/invoices/{inv_b}", headers=people.vendor("acme", acme)).json()
    assert {h["code"] for h in portal["holds"]} <= {"payment_returned", "bank_account_unverified"}
