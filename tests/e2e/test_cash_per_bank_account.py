"""Each bank account has its own Cash, and the cash proof ties out per bank account (issue 11, defect 7), over HTTP,
on SQLite and PostgreSQL.

Before the fix the proof pooled every fund and every bank account into one "Cash" per currency. The City now
holds two accounts: the operating account the ACH (sandbox) rail debits, Cash ``<fund>-1010``, and a wires account
the ISO 20022 rail debits, Cash ``<fund>-1011``. Each statement settles into its own account's Cash; the report
proves each account separately (statement closing - that account's ledger Cash = its listed items) and shows each
fund's share of it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.rails.sandbox_statements import Statement, StatementItem, bai2_text
from tests.e2e.paying import approved_invoice, balance, pay  # noqa: F401
from tests.e2e.people import build_stack, client_for, people  # noqa: F401

OPERATING, WIRES = "000123456789", "000777888999"
POLICY = f"""
[[treasury.bank_accounts]]
name = "operating"
account_id = "{OPERATING}"
cash = "1010"
rails = ["sandbox", "nacha"]

[[treasury.bank_accounts]]
name = "wires"
account_id = "{WIRES}"
cash = "1011"
rails = ["iso20022"]
"""


@pytest.fixture
def stack(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    c = build_stack(db_url, tmp_path, clock, policy_file=str(policy))
    yield c
    c.engine.dispose()


@pytest.fixture
def client(stack):  # noqa: ANN001, ANN201
    with client_for(stack) as c:
        yield c


from tests.e2e.paying import acme  # noqa: E402,F401  (uses the stack and client above)


def upload(client, acme, text: str, name: str) -> dict:  # noqa: ANN001
    r = client.post("/v1/statements", headers=acme["cast"]["tess"], content=text.encode(),
                    params={"format": "bai2", "name": name})
    assert r.status_code == 201, r.text
    return r.json()


def test_defect_7_each_bank_account_settles_into_its_own_cash_and_ties_out_on_its_own(stack, client, clock, acme):
    import main
    from ledger.accounts import Direction
    from ledger.entries import EntryDraft, Posting, new_entry_id

    # What the operating account held before these payments, on the books as at the bank (the opening balance).
    opening = main.wire_payments(stack).core.rails("sandbox").transport.opening_balance_minor
    stack.ledger.post([EntryDraft(new_entry_id(), dt.date(2026, 11, 2), "opening_balance", (
        Posting("100-1010", Direction.DEBIT, opening, "USD"), Posting("100-3010", Direction.CREDIT, opening, "USD")),
        memo="operating account opening balance")])
    approved_invoice(acme, "INV-A")
    ach = pay(client, clock, acme, rail="sandbox")  # run of 14 December, effective the 15th
    approved_invoice(acme, "INV-B", chairs=5, received=dt.date(2026, 11, 17))
    wire = pay(client, clock, acme, rail="iso20022", on=dt.date(2026, 12, 15))
    day = dt.date(2026, 12, 15)
    clock.set(dt.datetime(2026, 12, 15, 22, tzinfo=dt.timezone.utc))

    # The operating account's statement (the sandbox bank's), and the wires account's, each naming its account.
    upload(client, acme, main.wire_payments(stack).core.rails("sandbox").transport.bai2(day), "operating.bai2")
    wires = Statement(WIRES, "USD", day, 0, (StatementItem(False, wire["amount_minor"], "495", "WIRE0001",
                                                           wire["id"], "credit transfer", day),))
    upload(client, acme, bai2_text(wires, created=clock.now(), file_id="W1215"), "wires.bai2")

    assert balance(stack, "100-1010") == opening - ach["amount_minor"]
    assert balance(stack, "100-1011") == -wire["amount_minor"]
    report = client.get(f"/v1/reconciliation/reports/{day.isoformat()}", headers=acme["cast"]["tess"]).json()
    proofs = {c["bank_account"]: c for c in report["cash"]}
    assert set(proofs) == {"operating", "wires"}
    for name, held in (("operating", opening - ach["amount_minor"]), ("wires", -wire["amount_minor"])):
        proof = proofs[name]
        assert (proof["ledger_cash_minor"], proof["bank_closing_minor"], proof["unexplained_minor"]) == (
            held, held, 0), proof
        assert [(f["fund"], f["share_minor"]) for f in proof["fund_shares"]] == [("100", held)]
    assert proofs["wires"]["fund_shares"][0]["position"] == "due to the pool (owes the other funds)"
    assert report["ties_out"] is True


def test_defect_7_a_line_of_one_account_is_listed_against_that_account_only(stack, client, clock, acme):
    """An unexplained wires-account line (banked, not posted) is that account's reconciling item; the operating
    account's proof is untouched by it."""
    day = dt.date(2026, 12, 15)
    clock.set(dt.datetime(2026, 12, 15, 22, tzinfo=dt.timezone.utc))
    fee = Statement(WIRES, "USD", day, 0, (StatementItem(False, 2_500, "699", "FEE1215", "FEE", "account fee", day),))
    upload(client, acme, bai2_text(fee, created=clock.now(), file_id="F1215"), "fee.bai2")
    report = client.get(f"/v1/reconciliation/reports/{day.isoformat()}", headers=acme["cast"]["tess"]).json()
    proofs = {c["bank_account"]: c for c in report["cash"]}
    wires = proofs["wires"]
    assert (wires["bank_closing_minor"], wires["ledger_cash_minor"], wires["explained_minor"]) == (-2_500, 0, -2_500)
    assert [i["kind"] for i in wires["reconciling_items"]] == ["unmatched_line"] and wires["ties_out"]
    assert "operating" not in proofs or proofs["operating"]["reconciling_items"] == []
