"""Pooled cash: one bank account holds two funds' money, and the cash proof ties out for the account and for each
fund's share of it (issue 11, defect 7), over HTTP on SQLite and PostgreSQL.

The City's operating account holds the General Fund's cash (100) and the Capital Projects Fund's (400): each
fund's Cash is its own ``<fund>-1010``, and the report proves the account as a whole (statement closing - the sum
of the funds' Cash = listed items) and shows each fund's share beside it: positive, the pool owes the fund that
much (due from the pool); negative, the fund spent more than it put in and owes the other funds (due to the pool).
A vendor's refund of a two-fund credit, matched on the next statement, goes back to each fund's share.
"""

from __future__ import annotations

import datetime as dt

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from payments.ap.documents import AccountCoding
from tests.e2e.paying import RECEIVED, acme, approved_invoice, balance, pay  # noqa: F401
from tests.e2e.people import client, people, stack  # noqa: F401
from tests.integration.ap_story import APPROVER, approved_po, budget, inv_line, invoice, po_line, receive

CAPITAL = AccountCoding("400", "PW", "5810")


def proof_of(client, acme, day: dt.date) -> dict:  # noqa: ANN001
    report = client.get(f"/v1/reconciliation/reports/{day.isoformat()}", headers=acme["cast"]["tess"]).json()
    [operating] = report["cash"]
    assert report["ties_out"] is True, report
    return operating


def upload(client, acme, text: str, name: str) -> None:  # noqa: ANN001
    r = client.post("/v1/statements", headers=acme["cast"]["tess"], content=text.encode(),
                    params={"format": "bai2", "name": name})
    assert r.status_code == 201, r.text


def test_defect_7_two_funds_in_one_bank_account_each_funds_share_ties_out(stack, client, clock, acme):
    import main
    from adapters.rails.sandbox_statements import Statement, StatementItem, bai2_text

    s, vendor = acme["s"], acme["vendor"]
    budget(s, CAPITAL, 50_000)
    benches = approved_po(s, vendor, po_line(1, 10, 30_000, item="bench", coding=CAPITAL), number="PO-2027-0400")
    receive(s, benches, (1, 10, 10))
    bank = main.wire_payments(stack).core.rails("sandbox").transport
    # The pool's money on the day these payments start was all the General Fund's (its opening balance).
    stack.ledger.post([EntryDraft(new_entry_id(), dt.date(2026, 11, 2), "opening_balance", (
        Posting("100-1010", Direction.DEBIT, bank.opening_balance_minor, "USD"),
        Posting("100-3010", Direction.CREDIT, bank.opening_balance_minor, "USD")), memo="pool opening balance")])
    approved_invoice(acme, "INV-GF")  # $1,950 of chairs, General Fund
    capital = invoice(s, vendor, inv_line(1, benches, 10, 30_000), number="INV-CP",
                      invoice_date=RECEIVED - dt.timedelta(days=1), received_on=RECEIVED).invoice.id
    s.approvals.approve(APPROVER, capital)  # $3,000 of benches, Capital Projects
    payment = pay(client, clock, acme, rail="sandbox")  # one payment, two funds, from the pooled account
    assert payment["amount_minor"] == 495_000

    day = dt.date(2026, 12, 15)
    clock.set(dt.datetime(2026, 12, 15, 22, tzinfo=dt.timezone.utc))
    statement = bank.statement(day)
    upload(client, acme, bai2_text(statement, created=clock.now(), file_id="P1215"), "pool-1215.bai2")
    general, capital_cash = bank.opening_balance_minor - 195_000, -300_000
    assert (balance(stack, "100-1010"), balance(stack, "400-1010")) == (general, capital_cash)
    proof = proof_of(client, acme, day)
    assert (proof["bank_closing_minor"], proof["ledger_cash_minor"], proof["unexplained_minor"]) == (
        statement.closing_minor, general + capital_cash, 0), proof
    assert [(f["fund"], f["share_minor"], f["position"]) for f in proof["fund_shares"]] == [
        ("100", general, "due from the pool"), ("400", capital_cash, "due to the pool (owes the other funds)")]
    assert sum(f["share_minor"] for f in proof["fund_shares"]) == statement.closing_minor

    # A credit on both orders (nothing left to pay: all of it in each fund's Vendor credits receivable), refunded
    # by one deposit on the next day's statement: each fund's share gets its own part back.
    memo = client.post("/v1/credit-memos", headers=acme["cast"]["cat"], json={
        "vendor_id": vendor, "memo_number": "CM-2F", "memo_date": "2026-12-15", "currency": "USD",
        "lines": [{"po_id": acme["po"], "po_line_no": 1, "quantity": "0", "amount": "100.00"},
                  {"po_id": benches, "po_line_no": 1, "quantity": "0", "amount": "200.00"}]})
    assert memo.status_code == 201, memo.text
    assert (balance(stack, "100-1310"), balance(stack, "400-1310")) == (10_000, 20_000)
    nextday = dt.date(2026, 12, 16)
    clock.set(dt.datetime(2026, 12, 16, 22, tzinfo=dt.timezone.utc))
    deposit = Statement(bank.account_number, "USD", nextday, statement.closing_minor, (
        StatementItem(True, 30_000, "195", "DEP1216", "ACME REFUND CM-2F", "incoming money transfer", nextday),))
    upload(client, acme, bai2_text(deposit, created=clock.now(), file_id="P1216"), "pool-1216.bai2")
    [waiting] = [e for e in client.get("/v1/reconciliation/exceptions", headers=acme["cast"]["aud"]).json()["items"]
                 if e["kind"] == "unmatched_line"]
    refunded = client.post(f"/v1/reconciliation/exceptions/{waiting['id']}/refund", headers=acme["cast"]["tess"],
                           json={"reason": "Acme refunded CM-2F", "credits": [
                               {"credit_memo_id": memo.json()["id"], "fund": "100"},
                               {"credit_memo_id": memo.json()["id"], "fund": "400"}]})
    assert refunded.status_code == 200, refunded.text
    assert (balance(stack, "100-1310"), balance(stack, "400-1310")) == (0, 0)
    proof = proof_of(client, acme, nextday)
    assert (proof["bank_closing_minor"], proof["ledger_cash_minor"], proof["unexplained_minor"]) == (
        deposit.closing_minor, deposit.closing_minor, 0), proof
    assert [(f["fund"], f["share_minor"]) for f in proof["fund_shares"]] == [
        ("100", general + 10_000), ("400", capital_cash + 20_000)]
    assert stack.ledger.verify().ok
