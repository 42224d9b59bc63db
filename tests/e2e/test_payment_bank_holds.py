"""The path that pays honours every hold the vendor portal and staff see (issue 11, defect 11), over HTTP, on SQLite
and PostgreSQL, with the real bank-account source the payment run reads (no fakes).

Acme Furniture and Globex Supply both ask to be paid at account 000123456789. Globex's request names an account
already on file for Acme: a fraud signal. Both changes go through call-back, approval, cooling-off and prenote and
become active; the portal shows Globex's invoice held ``bank_account_shared``. Before the fix the payment run read
only the account's status and paid Globex anyway.
"""

from __future__ import annotations

import pytest

from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, client, people, set_contact, stack  # noqa: F401
from tests.integration.ap_story import APPROVER, ap, approved_po, budget, inv_line, invoice, receive, vendor

SHARED_NUMBER = "000123456789"


@pytest.fixture
def world(stack, client, people, clock):  # noqa: ANN001, ANN201
    """Two vendors with one approved invoice each, and the same bank account on file for both, both active."""
    from payments.example.example_agency import example_accounts

    stack.ledger.add_accounts(example_accounts())  # the City's chart: fund 100's accounts
    s = ap(stack)
    budget(s)
    cast = {"val": people.headers("val", Role.VENDOR_ADMIN), "vic": people.headers("vic", Role.VENDOR_ADMIN),
            "tess": people.headers("tess", Role.TREASURER), "cat": people.headers("cat", Role.AP_CLERK),
            "aud": people.headers("aud", Role.AUDITOR)}
    ids = {}
    for n, (name, tin) in enumerate((("Acme Furniture", "12-3456789"), ("Globex Supply", "98-7654321")), start=1):
        vendor_id = vendor(s, name, tin)
        po = approved_po(s, vendor_id, number=f"PO-2027-000{n}")
        receive(s, po, (1, 10, 10))
        invoice_id = invoice(s, vendor_id, inv_line(1, po, 10), number=f"INV-{n}").invoice.id
        s.approvals.approve(APPROVER, invoice_id)
        set_contact(stack, vendor_id)
        portal = people.vendor(name.split()[0].lower(), vendor_id)
        r = client.post("/v1/portal/bank-account-changes", headers=portal,
                        json={"routing_number": ROUTING, "account_number": SHARED_NUMBER, "account_type": "checking"})
        assert r.status_code == 201, r.text
        change_id = r.json()["id"]
        assert client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["vic"],
                           json={"number_called": ON_FILE, "outcome": "confirmed"}).status_code == 200
        assert client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["tess"]).status_code == 200
        ids[name.split()[0].lower()] = {"vendor": vendor_id, "invoice": invoice_id, "change": change_id,
                                        "portal": portal}
    return cast, ids


@pytest.fixture
def active(stack, world, clock):  # noqa: ANN001, ANN201
    """Cooling-off over, prenotes out and not returned: both accounts active."""
    _, ids = world
    clock.advance(days=10)
    for who in ids.values():
        stack.bank_accounts.prenote_sent("system", who["change"])
    clock.advance(days=3)
    assert len(stack.bank_accounts.activate_cleared()) == 2
    return world


def run_and_submit(client, cast):  # noqa: ANN001, ANN201
    created = client.post("/v1/payment-runs", headers=cast["cat"], json={})
    assert created.status_code == 201, created.text
    run = created.json()
    released = client.post(f"/v1/payment-runs/{run['id']}:release", headers=cast["tess"])
    assert released.status_code == 200, released.text
    submitted = client.post(f"/v1/payment-runs/{run['id']}:submit", headers=cast["tess"])
    assert submitted.status_code == 200 and submitted.json()["result"] == "accepted", submitted.text
    return client.get(f"/v1/payment-runs/{run['id']}", headers=cast["aud"]).json()


def test_a_shared_bank_account_fraud_hold_keeps_the_vendor_out_of_the_payment_run(stack, client, active):
    cast, ids = active
    acme, globex = ids["acme"], ids["globex"]
    signal = client.get(f"/v1/bank-account-changes/{globex['change']}", headers=cast["aud"]).json()
    assert signal["status"] == "active" and signal["fraud_signals"]["shared_with_vendors"] == [acme["vendor"]]
    seen = client.get(f"/v1/portal/invoices/{globex['invoice']}", headers=globex["portal"]).json()
    assert "bank_account_shared" in [h["code"] for h in seen["holds"]]  # what the vendor is told ...

    run = run_and_submit(client, cast)  # ... is what the run does
    assert [(p["vendor_id"], p["status"]) for p in run["payments"]] == [(acme["vendor"], "sent")]
    assert {"invoice_id": globex["invoice"], "reason": "bank_account_shared", "detail": ""} in run["skipped"]
    globex_paid = client.get("/v1/payments", params={"vendor_id": globex["vendor"]}, headers=cast["aud"]).json()
    assert globex_paid["items"] == []
    # Acme's number was opened to write the file (audited), and the file pays it at the account on file.
    (nacha,) = (stack.settings.path("outbox_dir") / "nacha").glob("*.ach")
    entries = [line for line in nacha.read_text().splitlines() if line.startswith("6")]
    assert [(e[3:12], e[12:29].strip()) for e in entries] == [(ROUTING, SHARED_NUMBER)]
    used = client.get("/v1/audit", params={"action": "bank_account_used_for_payment"}, headers=cast["aud"]).json()
    assert [e["detail"]["vendor_id"] for e in used["items"]] == [acme["vendor"]]

    # Someone other than the requester confirms the sharing is legitimate: the next run pays Globex.
    cleared = client.post(f"/v1/bank-account-changes/{globex['change']}/clear-shared-signal", headers=cast["val"],
                          json={"reason": "Globex factors its receivables through Acme; confirmed by phone"})
    assert cleared.status_code == 200, cleared.text
    again = run_and_submit(client, cast)
    assert [(p["vendor_id"], p["remittance"][0]["invoice_id"]) for p in again["payments"]] == [
        (globex["vendor"], globex["invoice"])]


def test_an_account_blocked_after_the_run_was_released_is_withdrawn_at_submission(stack, client, active):
    """The run was planned while Acme's account was active; a treasurer blocks it before submission. The claim
    reads the account again and withdraws the payment: nothing reaches the rail and the invoice is free again."""
    cast, ids = active
    acme = ids["acme"]
    created = client.post("/v1/payment-runs", headers=cast["cat"], json={}).json()
    acme_payment = [p for p in created["payments"] if p["vendor_id"] == acme["vendor"]]
    assert acme_payment and acme_payment[0]["status"] == "scheduled"
    assert client.post(f"/v1/payment-runs/{created['id']}:release", headers=cast["tess"]).status_code == 200
    blocked = client.post(f"/v1/bank-account-changes/{acme['change']}/block", headers=cast["tess"],
                          json={"reason": "the vendor's controller reports a compromised mailbox"})
    assert blocked.status_code == 200, blocked.text
    submitted = client.post(f"/v1/payment-runs/{created['id']}:submit", headers=cast["tess"]).json()
    assert submitted["result"] == "withdrawn", submitted
    paid = client.get(f"/v1/payments/{acme_payment[0]['id']}", headers=cast["aud"]).json()
    assert paid["status"] == "cancelled" and "bank_account" in paid["status_reason"]
    assert client.get("/v1/payments", params={"status": "sent"}, headers=cast["aud"]).json()["items"] == []


def test_no_payment_to_an_account_still_cooling_off(client, world, clock):
    """Called back and approved, but the cooling-off has not ended: the run pays neither vendor and says why."""
    cast, ids = world
    clock.advance(days=3)  # the invoices are due; the accounts cool off for seven days more
    created = client.post("/v1/payment-runs", headers=cast["cat"], json={})
    assert created.status_code == 200 and created.json()["run"] is None, created.text
    reasons = {s["invoice_id"]: s["reason"] for s in created.json()["skipped"]}
    assert reasons == {ids["acme"]["invoice"]: "bank_account_unverified",
                       ids["globex"]["invoice"]: "bank_account_unverified"}
