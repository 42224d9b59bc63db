"""Issue 11, defect 9: reports and CSVs show money people can read.

The day's reconciliation report (CSV over HTTP and ``disburse reconcile --csv``; text) shows $7,469.99 as 7469.99
with minor units only as an extra last column, never 746999 alone. Ledger balances keep the sign of the account's
normal balance (Vouchers payable debited past zero reads negative) and the currency's own decimals (none for yen).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import main
from ledger.accounts import Account, AccountType, Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from tests.e2e.conftest import as_role
from tests.integration.recon_support import opening_cash, seed_payments
from tests.unit.reconciliation.statement_files import bai2

STATEMENT = bai2([("466", 746999, "ACH20260923CCD", "run_1", "ACH SETTLEMENT"),
                  ("469", 2500, "SVC0923", "", "SERVICE CHARGE")], opening=1_649_879_850)


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_defect_9_the_reconciliation_report_reads_in_major_units(api, container, tmp_path, monkeypatch, capsys):
    opening_cash(container, 1_649_879_850)
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])
    assert api.post("/v1/statements", content=STATEMENT, headers=as_role("treasurer")).status_code == 201
    text = api.get("/v1/reconciliation/reports/2026-09-23?format=csv", headers=as_role("auditor")).text
    rows = _rows(text)
    assert list(rows[0]) == ["section", "reference", "date", "amount", "currency", "detail", "amount_minor"]
    [matched] = [r for r in rows if r["section"] == "matched"]
    assert (matched["amount"], matched["amount_minor"]) == ("7469.99", "746999")
    [fee] = [r for r in rows if r["section"] == "unmatched_line"]
    assert (fee["amount"], fee["amount_minor"]) == ("-25.00", "-2500")
    [cash] = [r for r in rows if r["section"] == "cash"]
    assert "ledger 16,491,328.51 bank 16,491,303.51 difference -25.00" in cash["detail"]
    [share] = [r for r in rows if r["section"] == "fund_share"]  # the pooled account's share of fund 100
    assert (share["amount"], share["amount_minor"], share["detail"]) == ("16491328.51", "1649132851", "due from the pool")
    # cents never stand alone for a total: only the column named for them holds them
    assert all("1649132851" not in value for row in rows for column, value in row.items() if column != "amount_minor")

    # The same report on the command line, as text.
    for name, value in (("DATABASE_URL", container.settings.database_url), ("KEY_DIR", container.settings.key_dir)):
        monkeypatch.setenv(f"DISBURSE_{name}", value)
    assert main.cli(["reconcile", "--date", "2026-09-23"]) == 0
    out = capsys.readouterr().out
    assert "Cash operating USD: ledger 16,491,328.51, bank 16,491,303.51, difference -25.00" in out  # per bank account


def test_defect_9_ledger_balances_keep_the_normal_balance_sign_and_the_currency_decimals(api, container):
    container.ledger.add_accounts([Account("100-9000", "Yen clearing", AccountType.ASSET, Direction.DEBIT, "100")])
    on = container.clock.now().date()
    container.ledger.post([
        EntryDraft(new_entry_id(), on, "adjustment", (
            Posting("100-2010", Direction.DEBIT, 15_000, "USD"), Posting("100-1010", Direction.CREDIT, 15_000, "USD"))),
        EntryDraft(new_entry_id(), on, "adjustment", (
            Posting("100-9000", Direction.DEBIT, 1_234, "JPY"), Posting("100-1010", Direction.CREDIT, 1_234, "JPY")))])
    body = api.get("/v1/ledger/balances", headers=as_role("auditor")).json()
    vouchers = next(i for i in body["items"] if i["account"] == "100-2010")
    assert (vouchers["normal_balance"], vouchers["balance_minor"], vouchers["balance_amount"]) == (
        "credit", -15_000, "-150.00")
    rows = _rows(api.get("/v1/ledger/balances?format=csv", headers=as_role("auditor")).text)
    by = {(r["account"], r["currency"]): r for r in rows}
    assert (by["100-2010", "USD"]["balance"], by["100-2010", "USD"]["balance_minor"]) == ("-150.00", "-15000")
    assert (by["100-9000", "JPY"]["balance"], by["100-9000", "JPY"]["debit"]) == ("1234", "1234")
    assert by["100-1010", "JPY"]["balance"] == "-1234" and by["100-1010", "USD"]["normal_balance"] == "debit"
    assert Decimal(by["100-2010", "USD"]["balance"]) * 100 == int(by["100-2010", "USD"]["balance_minor"])
