"""A credit memo is deducted from the vendor's next payment (issue 11, defect 1), over HTTP, on SQLite and PostgreSQL.

Before the fix: Acme's invoice for $1,950 was approved, a credit memo for $150 applied against it; the run paid the
$1,950 in full, Vouchers payable for Acme ended at -$150, nothing flagged it and the portal never showed the credit.

Now an open credit comes off the vendor's next payment (its remittance names it: an ADX adjustment in the CTX 820,
a CREN credit note in pain.001), Vouchers payable for a vendor never goes below zero, and a credit larger than what
we owe sits in Vendor credits receivable (``<fund>-1310``) until a later invoice takes it, or a second person
approves writing it off.
"""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from tests.e2e.paying import acme, approved_invoice, balance, credit_memo, credits, pay  # noqa: F401
from tests.e2e.people import client, people, stack  # noqa: F401


def test_defect_1_a_credit_memo_is_deducted_from_the_next_payment_and_its_remittance_names_it(
        stack, client, clock, acme):
    invoice_id = approved_invoice(acme, "INV-1950")
    memo = credit_memo(client, acme, "CM-150", "150.00")
    [open_credit] = credits(client, acme)["items"]
    assert (open_credit["open_minor"], open_credit["receivable_minor"]) == (15_000, 0)
    assert balance(stack, "100-2010") == -180_000  # we owe Acme $1,800: the invoice less the credit

    payment = pay(client, clock, acme)
    assert (payment["gross_minor"], payment["amount_minor"], payment["sec_code"]) == (195_000, 180_000, "CTX")
    assert [(c["credit_memo_id"], c["amount_minor"]) for c in payment["credits"]] == [(memo["id"], 15_000)]
    assert [r["invoice_id"] for r in payment["remittance"]] == [invoice_id]
    # The 820 in the CTX addenda: the credit as an ADX adjustment, the invoice as an RMR, BPR the net.
    (nacha,) = (stack.settings.path("outbox_dir") / "nacha").glob("*.ach")
    lines = nacha.read_text().splitlines()
    entry = next(line for line in lines if line.startswith("6"))
    assert int(entry[29:39]) == 180_000
    x12 = "".join(line[3:83] for line in lines if line.startswith("705"))
    assert "ADX*-150.00*52*CM*CM-150\\" in x12 and "RMR*IV*INV-1950*PI*1950.00*1950.00\\" in x12
    assert "BPR*C*1800.00*C*ACH*CTX" in x12

    assert balance(stack, "100-2010") == 0  # never below zero: nothing owed, nothing over-paid
    [used] = credits(client, acme)["items"]
    assert (used["open_minor"], used["deducted_minor"]) == (0, 15_000)
    seen = client.get(f"/v1/portal/payments/{payment['id']}", headers=acme["cast"]["acme"]).json()
    assert (seen["amount_minor"], seen["credits"][0]["memo_number"], seen["credits_total_minor"]) == (
        180_000, "CM-150", 15_000)
    assert credits(client, acme, portal=True)["items"][0]["deducted_minor"] == 15_000
    assert stack.ledger.verify().ok


def test_defect_1_a_credit_larger_than_what_we_owe_sits_in_vendor_credits_receivable_until_a_later_invoice(
        stack, client, clock, acme):
    approved_invoice(acme, "INV-A")
    first = pay(client, clock, acme)
    assert (first["amount_minor"], first["credits"]) == (195_000, [])
    credit_memo(client, acme, "CM-300", "300.00", chairs=2)  # Acme owes us $300 and we owe it nothing
    assert balance(stack, "100-2010") == 0 and balance(stack, "100-1310") == 30_000
    [staff] = credits(client, acme)["items"]
    assert (staff["receivable_open_minor"], staff["receivable_account"]) == (30_000, "100-1310")
    assert credits(client, acme, portal=True)["totals"]["USD"]["receivable_open_minor"] == 30_000

    approved_invoice(acme, "INV-B", received=dt.date(2026, 12, 14))  # net 30: paid from 11 January
    second = pay(client, clock, acme, on=dt.date(2027, 1, 11))
    assert (second["amount_minor"], second["credits"][0]["from_receivable_minor"]) == (165_000, 30_000)
    assert balance(stack, "100-2010") == 0 and balance(stack, "100-1310") == 0
    assert credits(client, acme, portal=True)["items"][0]["open_minor"] == 0
    assert stack.ledger.verify().ok


def test_defect_1_a_receivable_credit_is_written_off_only_with_a_second_persons_approval(
        stack, client, clock, people, acme):
    approved_invoice(acme, "INV-A")
    pay(client, clock, acme)
    memo = credit_memo(client, acme, "CM-300", "300.00", chairs=2)
    cast, base = acme["cast"], f"/v1/credit-memos/{memo['id']}/credits/100"
    asked = client.post(f"{base}:write-off", headers=cast["tess"], json={"reason": "Acme is out of business"})
    assert (asked.status_code, asked.json()["write_off"]) == (200, "requested"), asked.text
    same = client.post(f"{base}:approve-write-off", headers=cast["tess"])
    assert (same.status_code, same.json()["code"]) == (403, "self_approval_forbidden")
    assert balance(stack, "100-1310") == 30_000
    approved = client.post(f"{base}:approve-write-off", headers=cast["tina"])
    assert (approved.status_code, approved.json()["cleared_minor"]) == (200, 30_000), approved.text
    assert balance(stack, "100-1310") == 0 and balance(stack, "100-5000") == 30_000
    events = client.get("/v1/audit", params={"action": "vendor_credit_written_off"}, headers=cast["aud"]).json()
    assert [e["detail"]["requested_by"] for e in events["items"]] == [people.ids["tess"]]
    assert stack.ledger.verify().ok


def test_defect_1_pain001_carries_the_credit_as_a_structured_credit_note(stack, client, clock, acme):
    approved_invoice(acme, "INV-1950")
    credit_memo(client, acme, "CM-150", "150.00")
    payment = pay(client, clock, acme, rail="iso20022")
    assert payment["amount_minor"] == 180_000
    (xml,) = (stack.settings.path("outbox_dir") / "iso20022").glob("*.xml")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    tx = ElementTree.parse(xml).find(".//p:CdtTrfTxInf", ns)
    assert tx.find("p:Amt/p:InstdAmt", ns).text == "1800.00"
    documents = [(d.find("p:RfrdDocInf/p:Tp/p:CdOrPrtry/p:Cd", ns).text, d.find("p:RfrdDocInf/p:Nb", ns).text,
                  d.find("p:RfrdDocAmt", ns)[0].tag.split("}")[1], d.find("p:RfrdDocAmt", ns)[0].text)
                 for d in tx.findall("p:RmtInf/p:Strd", ns)]
    assert documents == [("CINV", "INV-1950", "RmtdAmt", "1950.00"), ("CREN", "CM-150", "CdtNoteAmt", "150.00")]


def test_defect_1_a_payment_its_credits_cover_whole_moves_no_money_and_is_settled_by_offset(stack, client, clock, acme):
    approved_invoice(acme, "INV-A")
    pay(client, clock, acme)
    credit_memo(client, acme, "CM-300", "300.00", chairs=2)
    small = approved_invoice(acme, "INV-C", chairs=1, received=dt.date(2026, 12, 14))
    payment = pay(client, clock, acme, on=dt.date(2027, 1, 11))
    assert (payment["amount_minor"], payment["status"], payment["credits"][0]["amount_minor"]) == (0, "settled", 19_500)
    assert len(list((stack.settings.path("outbox_dir") / "nacha").glob("*.ach"))) == 1  # the first run's file only
    assert acme["s"].invoices.view(small).record.invoice.status.value == "paid"
    assert balance(stack, "100-2010") == 0 and balance(stack, "100-1310") == 10_500
    assert credits(client, acme)["items"][0]["receivable_open_minor"] == 10_500
    assert stack.ledger.verify().ok


def test_defect_1_a_returned_payment_gives_its_credit_back(stack, client, clock, acme):
    import main

    invoice_id = approved_invoice(acme, "INV-1950")
    credit_memo(client, acme, "CM-150", "150.00")
    payment = pay(client, clock, acme)
    assert main.wire_payments(stack).mark_returned(payment["id"], reason_code="R01",
                                                   on=dt.date(2026, 12, 16)) == "returned"
    [back] = credits(client, acme)["items"]
    assert (back["open_minor"], back["deducted_minor"]) == (15_000, 0)
    assert balance(stack, "100-2010") == -180_000  # owed again: the invoice less the credit, as before the run
    assert acme["s"].invoices.view(invoice_id).record.invoice.status.value == "approved"
    assert stack.ledger.verify().ok


def test_defect_1_a_refund_on_the_bank_statement_clears_the_receivable(stack, client, clock, acme):
    """Acme owes us $300 (a credit larger than anything we owe it) and sends the money back. The deposit arrives on
    the bank statement naming none of our payments and waits in the exceptions queue; treasury resolves it as Acme's
    refund of that credit: Dr Cash (the statement's bank account, the credit's fund), Cr Vendor credits receivable,
    the line matched, the credit cleared, and nothing can clear it a second time."""
    from adapters.rails.sandbox_statements import Statement, StatementItem, bai2_text

    approved_invoice(acme, "INV-A")
    pay(client, clock, acme)
    memo = credit_memo(client, acme, "CM-300", "300.00", chairs=2)
    assert balance(stack, "100-1310") == 30_000
    cast, day = acme["cast"], dt.date(2026, 12, 17)
    clock.set(dt.datetime(2026, 12, 17, 22, tzinfo=dt.timezone.utc))
    deposit = Statement("000123456789", "USD", day, 0, (
        StatementItem(True, 30_000, "195", "DEP1217", "ACME REFUND CM-300", "incoming money transfer", day),))
    assert client.post("/v1/statements", headers=cast["tess"], params={"format": "bai2", "name": "refund.bai2"},
                       content=bai2_text(deposit, created=clock.now(), file_id="D1217").encode()).status_code == 201
    [waiting] = [e for e in client.get("/v1/reconciliation/exceptions", headers=cast["aud"]).json()["items"]
                 if e["kind"] == "unmatched_line"]
    cash = balance(stack, "100-1010")
    refund = f"/v1/reconciliation/exceptions/{waiting['id']}/refund"

    def credited(amount: str | None) -> dict:
        return {"reason": "Acme wired back the damaged-chairs credit",
                "credits": [{"credit_memo_id": memo["id"], "fund": "100", **({"amount": amount} if amount else {})}]}
    too_much = client.post(refund, headers=cast["tess"], json=credited("400.00"))
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_exceeds_receivable")
    short = client.post(refund, headers=cast["tess"], json=credited("100.00"))
    assert (short.status_code, short.json()["code"]) == (422, "match_amounts_differ")
    assert client.post(refund, headers=cast["acme"], json=credited(None)).status_code == 403
    assert balance(stack, "100-1310") == 30_000  # refused: nothing posted

    done = client.post(refund, headers=cast["tess"], json=credited(None))
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["resolution"]) == ("resolved", "vendor_refund")
    [cleared] = body["credits"]
    assert (cleared["receivable_open_minor"], cleared["cleared_minor"], cleared["open_minor"]) == (0, 30_000, 0)
    assert balance(stack, "100-1310") == 0 and balance(stack, "100-1010") == cash + 30_000
    entry = client.get(f"/v1/ledger/entries/{body['entry_id']}", headers=cast["aud"]).json()
    assert entry["code"] == "vendor_credit_refunded" and entry["effective_date"] == "2026-12-17"
    again = client.post(refund, headers=cast["tess"], json=credited(None))
    assert (again.status_code, again.json()["code"]) == (409, "recon_exception_not_open")
    [event] = client.get("/v1/audit", params={"action": "vendor_credit_refunded"}, headers=cast["aud"]).json()["items"]
    assert event["detail"]["credits"][0]["amount_minor"] == 30_000
    assert credits(client, acme, portal=True)["items"][0]["open_minor"] == 0
    assert stack.ledger.verify().ok
