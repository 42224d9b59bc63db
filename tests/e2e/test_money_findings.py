"""What the whole-flow invariants (tests/integration/test_money_invariants.py) found, each kept as a worked example
through the production route, on SQLite and PostgreSQL.

(The sandbox bank booking a return on a holiday: tests/e2e/test_sandbox_desk.py.)
"""

from __future__ import annotations

import pytest

from payments.ap.budget_service import SetBudget
from payments.identity import Role
from tests.e2e.conftest import as_role
from tests.e2e.people import client, people, stack  # noqa: F401
from tests.integration.ap_story import FURNITURE, TREASURER, ap, approved_po, po_line, vendor


@pytest.fixture
def chart(stack):  # noqa: ANN001, ANN201
    from payments.example.example_agency import example_accounts

    stack.ledger.add_accounts(example_accounts())
    return stack


def test_found_by_the_invariants_an_over_shipment_must_fit_the_budget_line(chart, client, people):
    """A history received more chairs than were ordered: each extra chair was accrued at the order's price with no
    encumbrance to liquidate, and the FY2027 furniture line ended $400 over its appropriation. Goods beyond what the
    order encumbers are new spending: they must fit what the line has left, like an order."""
    s = ap(chart)
    s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # $1,000
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 5, 15_000))  # 5 chairs at $150: $750 encumbered, $250 left
    dock = people.headers("dock", Role.AP_CLERK)

    def receive(qty: int) -> dict:
        r = client.post("/v1/receipts", headers=dock, json={
            "po_id": po, "received_on": "2026-11-02", "lines": [{"po_line_no": 1, "quantity_received": str(qty)}]})
        return {**r.json(), "http": r.status_code}

    assert receive(5)["http"] == 201  # what was ordered: liquidates the encumbrance, spends nothing new
    refused = receive(3)  # $450 more than ordered, $250 left
    assert (refused["http"], refused["code"]) == (422, "insufficient_funds"), refused
    assert receive(1)["http"] == 201  # one more chair, $150, fits
    line = client.get("/v1/budgets/availability", headers=people.headers("aud", Role.AUDITOR), params={
        "fund": "100", "department": "PW", "object_code": "5710", "fiscal_year": 2027}).json()
    assert (line["encumbered_minor"], line["expended_minor"]) == (0, 90_000)
    assert line["encumbered_minor"] + line["expended_minor"] <= line["appropriated_minor"]


@pytest.fixture
def world(db_url, tmp_path):  # noqa: ANN001, ANN201
    """The invariants' world (training profile, sandbox rail; Acme and Birch payable) served over HTTP."""
    from fastapi.testclient import TestClient

    import main
    from tests.e2e.conftest import HeaderAuthenticator
    from tests.integration.money_world import WorldTemplate

    template = WorldTemplate(db_url, tmp_path)
    w = template.world()
    app = main.create_app(w.container)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as api:
        yield w, api
    template.drop(w)


def approved_invoice(api, vendor_id: str) -> tuple[str, str]:  # noqa: ANN001
    """A $200 order for four chairs delivered in September, billed and approved through the API: (po, invoice)."""
    clerk, approver = as_role("ap_clerk", "usr_ann"), as_role("ap_approver", "usr_bob")
    po = api.post("/v1/purchase-orders", headers=clerk, json={"number": "PO-1", "vendor_id": vendor_id, "lines": [
        {"line_no": 1, "item": "chair", "quantity": "4", "unit_of_measure": "each", "unit_price": "50.00",
         "fund": "100", "department": "PW", "object_code": "5710"}]}).json()
    assert api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=approver).status_code == 200
    assert api.post("/v1/receipts", headers=clerk, json={"po_id": po["id"], "received_on": "2026-09-20", "lines": [
        {"po_line_no": 1, "quantity_received": "4"}]}).status_code == 201
    bill = api.post("/v1/invoices", headers=clerk, json={
        "vendor_id": vendor_id, "invoice_number": "INV-1", "invoice_date": "2026-09-20", "received_on": "2026-09-20",
        "terms": "net 30", "total": "200.00", "remit_to": "1 Main St", "defect_contact": "Pat Lee",
        "lines": [{"line_no": 1, "po_id": po["id"], "po_line_no": 1, "quantity": "4", "unit_price": "50.00"}]}).json()
    assert api.post(f"/v1/invoices/{bill['id']}:approve", headers=approver).status_code == 200
    return po["id"], bill["id"]


def test_found_by_the_invariants_the_portal_follows_the_payment_in_force(world):
    """A history made a run, cancelled it and made another within one clock tick: the portal picked the cancelled
    payment as the latest and said "approved" of an invoice staff saw paid. Of two payments made at the same moment,
    the one still in force speaks for the invoice."""
    w, api = world
    acme = w.vendors["Acme Furniture"]
    _, bill = approved_invoice(api, acme)
    clerk, treasurer = as_role("ap_clerk", "usr_ann"), as_role("treasurer", "usr_tom")
    first = api.post("/v1/payment-runs", headers={**clerk, "Idempotency-Key": "first"}, json={}).json()
    assert api.post(f"/v1/payment-runs/{first['id']}:cancel", headers=treasurer,
                    json={"reason": "wrong day"}).status_code == 200
    second = api.post("/v1/payment-runs", headers={**clerk, "Idempotency-Key": "second"}, json={}).json()
    assert api.post(f"/v1/payment-runs/{second['id']}:release", headers=treasurer).status_code == 200
    assert api.post(f"/v1/payment-runs/{second['id']}:submit", headers=treasurer).json()["result"] == "accepted"
    assert api.get(f"/v1/invoices/{bill}", headers=as_role("auditor")).json()["status"] == "paid"
    seen = api.get(f"/v1/portal/invoices/{bill}", headers={"Authorization": f"Bearer test:vendor:usr_acme:{acme}"})
    assert seen.json()["status"] == "sent", seen.json()["status"]


def ledger_balance(api, account: str) -> int:  # noqa: ANN001
    found = api.get("/v1/ledger/balances", params={"account": account}, headers=as_role("auditor")).json()["items"]
    return found[0]["balance_minor"] if found else 0


def credit_memo(api, vendor_id: str, po: str, number: str, amount: str) -> dict:  # noqa: ANN001
    memo = api.post("/v1/credit-memos", headers=as_role("ap_clerk", "usr_ann"), json={
        "vendor_id": vendor_id, "memo_number": number, "memo_date": "2026-11-03",
        "lines": [{"po_id": po, "po_line_no": 1, "quantity": "0", "amount": amount}]})
    assert memo.status_code == 201, memo.text
    return memo.json()


def test_found_by_the_invariants_a_credit_posted_while_its_invoice_is_in_a_released_run(world):
    """A $200 invoice is approved and its run released; a $1.00 credit memo arrives before submission. It used to be
    counted against the invoice the run already carried (Dr Vouchers payable $1.00); the run paid $200 (Dr Vouchers
    payable $200) and Vouchers payable ended at -$1.00. The invoice a live payment carries is that payment's: the
    credit goes to Vendor credits receivable and comes off the next payment."""
    w, api = world
    acme = w.vendors["Acme Furniture"]
    po, _bill = approved_invoice(api, acme)
    clerk, treasurer = as_role("ap_clerk", "usr_ann"), as_role("treasurer", "usr_tom")
    run = api.post("/v1/payment-runs", headers={**clerk, "Idempotency-Key": "r1"}, json={}).json()
    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=treasurer).status_code == 200
    credit_memo(api, acme, po, "CM-1", "1.00")
    [credit] = api.get(f"/v1/vendors/{acme}/credits", headers=as_role("auditor")).json()["items"]
    assert (credit["receivable_minor"], credit["receivable_account"]) == (100, "100-1310")
    submitted = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=treasurer)
    assert submitted.json()["result"] == "accepted"
    assert (ledger_balance(api, "100-2010"), ledger_balance(api, "100-1310")) == (0, 100)


def test_found_cancelling_an_invoice_a_credit_was_applied_against_keeps_vouchers_payable_at_zero(world):
    """Invoice $200 approved, credit memo $150 applied (Dr Vouchers payable $150: Acme is owed $50), then the
    invoice is cancelled as entered in error (Dr Vouchers payable $200). Vouchers payable would be -$150. The
    cancellation moves the credit the invoice was carrying to Vendor credits receivable in the same entry: Acme owes
    us $150, which the next payment takes (or a refund or a write-off clears)."""
    w, api = world
    acme = w.vendors["Acme Furniture"]
    po, bill = approved_invoice(api, acme)
    credit_memo(api, acme, po, "CM-9", "150.00")
    assert (ledger_balance(api, "100-2010"), ledger_balance(api, "100-1310")) == (5_000, 0)
    cancelled = api.post(f"/v1/invoices/{bill}:cancel", headers=as_role("ap_clerk,ap_approver", "usr_ada"),
                         json={"reason": "entered in error"})
    assert cancelled.status_code == 200, cancelled.text
    assert (ledger_balance(api, "100-2010"), ledger_balance(api, "100-1310")) == (0, 15_000)
    [credit] = api.get(f"/v1/vendors/{acme}/credits", headers=as_role("auditor")).json()["items"]
    assert (credit["open_against_payable_minor"], credit["receivable_open_minor"]) == (0, 15_000)
    [entry] = [e for e in api.get("/v1/ledger/entries", params={"code": "invoice_cancelled"},
                                  headers=as_role("auditor")).json()["items"]]
    legs = {(p["account"], p["direction"]): p["amount_minor"] for p in entry["postings"]}
    # one entry: the approval's $200 undone, $150 of it moved to the receivable (Vouchers payable nets to Dr $50)
    assert (legs[("100-1310", "debit")], legs[("100-2010", "debit")]) == (15_000, 5_000)


def test_found_by_the_invariants_a_price_variance_may_not_overrun_the_budget_without_a_treasurer(chart, client,
                                                                                                   people):
    """An approver released a price hold ($250 a chair against the order's $150) and approved: $500 of variance went
    to Expenditures and the FY2027 furniture line ended $250 over its appropriation. Now the approval stops with an
    ``insufficient_funds`` hold that only a treasurer's override (with a reason, audited) releases."""
    s = ap(chart)
    s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # $1,000
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 5, 15_000))  # $750 encumbered
    clerk, approver = people.headers("cal", Role.AP_CLERK), people.headers("abe", Role.AP_APPROVER)
    treasurer, auditor = people.headers("tess", Role.TREASURER), people.headers("aud", Role.AUDITOR)
    client.post("/v1/receipts", headers=clerk, json={"po_id": po, "received_on": "2026-10-01",
                                                     "lines": [{"po_line_no": 1, "quantity_received": "5"}]})
    bill = client.post("/v1/invoices", headers=clerk, json={
        "vendor_id": acme, "invoice_number": "INV-250", "invoice_date": "2026-10-02", "terms": "net 30",
        "total": "1250.00", "remit_to": "1 Main St", "defect_contact": "Pat Lee",
        "lines": [{"line_no": 1, "po_id": po, "po_line_no": 1, "quantity": "5", "unit_price": "250.00"}]}).json()
    for hold in bill["holds"]:  # the price rise was agreed by phone
        assert client.post(f"/v1/invoices/{bill['id']}:release-hold", headers=approver, json={
            "hold_id": hold["id"], "reason": "price rise agreed by phone"}).status_code == 200
    refused = client.post(f"/v1/invoices/{bill['id']}:approve", headers=approver)
    assert (refused.status_code, refused.json()["code"]) == (422, "insufficient_funds"), refused.text
    [held] = [h for h in client.get(f"/v1/invoices/{bill['id']}", headers=auditor).json()["holds"]
              if h["hold"] == "insufficient_funds"]
    assert "would spend 500.00 USD beyond what its order encumbered" in held["explanation"]
    assert "has 250.00 USD left" in held["explanation"]
    not_theirs = client.post(f"/v1/invoices/{bill['id']}:release-hold", headers=approver,
                             json={"hold_id": held["id"], "reason": "we need the chairs"})
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "budget_override_required")
    assert client.post(f"/v1/invoices/{bill['id']}:override-budget", headers=approver,
                       json={"reason": "we need the chairs"}).status_code == 403
    allowed = client.post(f"/v1/invoices/{bill['id']}:override-budget", headers=treasurer,
                          json={"reason": "council transfer 2026-41 covers it"})
    assert allowed.status_code == 200, allowed.text
    approved = client.post(f"/v1/invoices/{bill['id']}:approve", headers=approver)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    [override] = client.get("/v1/audit", params={"action": "invoice_budget_overridden"}, headers=auditor).json()["items"]
    assert override["detail"]["reason"] == "council transfer 2026-41 covers it"


def test_found_an_early_payment_discount_and_a_credit_together_keep_vouchers_payable_at_zero(world):
    """A $200 invoice on 2/10 net 30, and Acme's $200 credit memo for it (Vouchers payable $0). The run paid it
    within the discount period: $4 discount taken, $196 of the credit taken, nothing sent; the discount and the
    credit each took Vouchers payable down, which ended at -$4.00 with $4 of credit still open against nothing.
    The part of an invoice the vendor's own credit settles earns no early-payment discount: the discount shrinks
    by what of the credit would be left over, and the credit settles the invoice whole."""
    import datetime as dt

    w, api = world
    acme = w.vendors["Acme Furniture"]
    clerk, approver, treasurer = (as_role("ap_clerk", "usr_ann"), as_role("ap_approver", "usr_bob"),
                                  as_role("treasurer", "usr_tom"))
    received = (w.today - dt.timedelta(days=2)).isoformat()
    po = api.post("/v1/purchase-orders", headers=clerk, json={"number": "PO-2", "vendor_id": acme, "lines": [
        {"line_no": 1, "item": "chair", "quantity": "4", "unit_of_measure": "each", "unit_price": "50.00",
         "fund": "100", "department": "PW", "object_code": "5710"}]}).json()
    assert api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=approver).status_code == 200
    assert api.post("/v1/receipts", headers=clerk, json={"po_id": po["id"], "received_on": received, "lines": [
        {"po_line_no": 1, "quantity_received": "4"}]}).status_code == 201
    bill = api.post("/v1/invoices", headers=clerk, json={
        "vendor_id": acme, "invoice_number": "INV-2", "invoice_date": received, "received_on": received,
        "terms": "2/10 net 30", "total": "200.00", "remit_to": "1 Main St", "defect_contact": "Pat Lee",
        "lines": [{"line_no": 1, "po_id": po["id"], "po_line_no": 1, "quantity": "4", "unit_price": "50.00"}]}).json()
    assert api.post(f"/v1/invoices/{bill['id']}:approve", headers=approver).status_code == 200
    credit_memo(api, acme, po["id"], "CM-2", "200.00")
    [skipped] = api.get("/v1/payment-runs:preview", headers=clerk).json()["skipped"]  # paid on its discount date
    w.clock.advance(days=(dt.date.fromisoformat(skipped["detail"]) - w.today).days - 1)
    run = api.post("/v1/payment-runs", headers={**clerk, "Idempotency-Key": "r2"}, json={}).json()
    [payment] = run["payments"]
    [item] = payment["remittance"]
    assert (item["discount_minor"], payment["credits"][0]["amount_minor"], payment["amount_minor"]) == (0, 20_000, 0)
    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=treasurer).status_code == 200
    assert api.post(f"/v1/payment-runs/{run['id']}:submit", headers=treasurer).json()["result"] == "accepted"
    assert (ledger_balance(api, "100-2010"), ledger_balance(api, "100-1310")) == (0, 0)
    [credit] = api.get(f"/v1/vendors/{acme}/credits", headers=as_role("auditor")).json()["items"]
    assert credit["open_minor"] == 0
