"""An agency that pays a real vendor: Acme Furniture with an order for 20 chairs received, an active bank account
reached through the portal, call-back, approval, cooling-off and prenote, and helpers that approve invoices, enter
credit memos and run a payment over HTTP (the release and submission a treasurer would do)."""

from __future__ import annotations

import datetime as dt

import pytest

from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, set_contact
from tests.integration.ap_story import (APPROVER, ap, approved_po, budget, inv_line, invoice, po_line, receive,
                                        vendor)

NUMBER = "000555123456"
RECEIVED = dt.date(2026, 11, 16)  # the day the cast is ready; net 30: due 16 December, paid from the 14th


@pytest.fixture
def acme(stack, client, people, clock):  # noqa: ANN001, ANN201
    """Acme Furniture, an approved order for 20 chairs at $195 received in full, and an active bank account."""
    from payments.example.example_agency import example_accounts

    stack.ledger.add_accounts(example_accounts())
    s = ap(stack)
    budget(s)
    cast = {name: people.headers(name, role) for name, role in (
        ("vic", Role.VENDOR_ADMIN), ("tess", Role.TREASURER), ("tina", Role.TREASURER), ("cat", Role.AP_CLERK),
        ("aud", Role.AUDITOR))}
    vendor_id = vendor(s, "Acme Furniture", "12-3456789")
    po = approved_po(s, vendor_id, po_line(1, 20, 19_500))
    receive(s, po, (1, 20, 20))
    set_contact(stack, vendor_id)
    cast["acme"] = people.vendor("acme", vendor_id)
    change = client.post("/v1/portal/bank-account-changes", headers=cast["acme"], json={
        "routing_number": ROUTING, "account_number": NUMBER, "account_type": "checking"}).json()["id"]
    client.post(f"/v1/bank-account-changes/{change}/callback", headers=cast["vic"],
                json={"number_called": ON_FILE, "outcome": "confirmed"})
    client.post(f"/v1/bank-account-changes/{change}/approve", headers=cast["tess"])
    clock.advance(days=10)
    stack.bank_accounts.prenote_sent("system", change)
    clock.advance(days=4)  # Monday 16 November 2026
    assert len(stack.bank_accounts.activate_cleared()) == 1
    return {"s": s, "vendor": vendor_id, "po": po, "cast": cast}


def approved_invoice(acme, number: str, chairs: int = 10, received: dt.date = RECEIVED) -> str:  # noqa: ANN001
    s = acme["s"]
    inv = invoice(s, acme["vendor"], inv_line(1, acme["po"], chairs, 19_500), number=number,
                  invoice_date=received - dt.timedelta(days=1), received_on=received).invoice.id
    s.approvals.approve(APPROVER, inv)
    return inv


def credit_memo(client, acme, number: str, dollars: str, chairs: int = 1) -> dict:  # noqa: ANN001
    r = client.post("/v1/credit-memos", headers=acme["cast"]["cat"], json={
        "vendor_id": acme["vendor"], "memo_number": number, "memo_date": RECEIVED.isoformat(), "currency": "USD",
        "reason": "chairs returned damaged",
        "lines": [{"po_id": acme["po"], "po_line_no": 1, "quantity": str(chairs), "amount": dollars}]})
    assert r.status_code == 201, r.text
    return r.json()


def pay(client, clock, acme, *, rail: str | None = None, on: dt.date = dt.date(2026, 12, 14),  # noqa: ANN001
        submit: bool = True) -> dict:
    """Create the day's run on ``on`` and (unless ``submit`` is False) release and submit it; its one payment."""
    clock.set(dt.datetime(on.year, on.month, on.day, 14, tzinfo=dt.timezone.utc))
    cast = acme["cast"]
    created = client.post("/v1/payment-runs", headers=cast["cat"], json={"rail": rail} if rail else {})
    assert created.status_code == 201, created.text
    run = created.json()
    if not submit:
        (scheduled,) = run["payments"]
        return scheduled
    assert client.post(f"/v1/payment-runs/{run['id']}:release", headers=cast["tess"]).status_code == 200
    submitted = client.post(f"/v1/payment-runs/{run['id']}:submit", headers=cast["tess"])
    assert submitted.json()["result"] == "accepted", submitted.text
    (payment,) = client.get(f"/v1/payment-runs/{run['id']}", headers=cast["aud"]).json()["payments"]
    return payment


def balance(stack, account: str) -> int:  # noqa: ANN001
    """Signed, debit positive."""
    with stack.uow(read_only=True) as uow:
        rows = uow.ledger_queries.balances(account=account)
    return sum(r.debit_minor - r.credit_minor for r in rows)


def credits(client, acme, *, portal: bool = False) -> dict:  # noqa: ANN001
    if portal:
        return client.get("/v1/portal/credits", headers=acme["cast"]["acme"]).json()
    return client.get(f"/v1/vendors/{acme['vendor']}/credits", headers=acme["cast"]["aud"]).json()
