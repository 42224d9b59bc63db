"""Issue 11, defect 3: a returns or NOC file is never refused over a field return processing does not need.

The bank sends back a return batch and a COR batch whose effective entry date is ``000000`` (the ACH Operator may
replace an invalid effective entry date on returns and does not edit it on NOCs). Imported through
``POST /v1/statements``, the return is posted and the NOC proposed; the file is accepted with a warning naming the
line and the field. ``disburse nacha check --strict`` still calls the same file wrong, and files we originate are
still written and checked to the letter.
"""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.formats.nacha import CorrectedData
from adapters.formats.nacha.reader import read
from tests.e2e.conftest import as_role
from tests.integration.recon_support import opening_cash, seed_payments
from tests.unit.reconciliation.nacha_files import noc_file, returns_file


def undated(data: bytes) -> bytes:
    """The same file with every batch header's effective entry date (positions 70-75) set to 000000."""
    lines = data.decode().split("\n")
    return "\n".join(line[:69] + "000000" + line[75:] if line.startswith("5") else line for line in lines).encode()


@pytest.fixture
def seeded(container):  # noqa: ANN001, ANN201
    opening_cash(container, 100_000_000)
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])
    return container


def test_defect_3_a_return_batch_dated_000000_is_read_leniently_and_the_return_posted(api, seeded):
    data = undated(returns_file([(2, 1999, "R03")]))
    response = api.post("/v1/statements?format=nacha", content=data, headers=as_role("treasurer"))
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["returns_posted"] == 1
    [warning] = [f for f in result["findings"] if "effective_entry_date" in f["location"]]
    assert warning["severity"] == "warning"
    assert warning["location"] == "line 2 batch_header effective_entry_date"
    assert "000000" in warning["message"]
    payments = api.get("/v1/payments", params={"status": "returned"}, headers=as_role("auditor")).json()["items"]
    assert [p["amount_minor"] for p in payments] == [1999]


def test_defect_3_a_cor_batch_dated_000000_still_proposes_the_change(api, seeded):
    data = undated(noc_file([(1, "C01", CorrectedData(account_number="4400019999"))]))
    response = api.post("/v1/statements?format=nacha", content=data, headers=as_role("treasurer"))
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["changes_proposed"] == 1
    assert any(f["location"] == "line 2 batch_header effective_entry_date" for f in result["findings"])


def test_defect_3_strict_reading_still_refuses_it(tmp_path, capsys):
    import main

    path = tmp_path / "returns.ach"
    path.write_bytes(undated(returns_file([(2, 1999, "R03")])))
    assert main.cli(["nacha", "check", str(path)]) == 0
    capsys.readouterr()
    assert main.cli(["nacha", "check", str(path), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "effective_entry_date" in out and "line 2" in out


def test_defect_3_a_forward_batch_dated_000000_is_still_an_error():
    from tests.unit.reconciliation.nacha_files import _file, original, original_batch
    from adapters.formats.nacha import write

    forward = write(_file([original_batch([original(1, 1000)])], dt.date(2026, 9, 22)))
    result = read(undated(forward))
    assert not result.ok
    assert [(p.line, p.field, p.rule) for p in result.problems] == [(2, "effective_entry_date", "invalid_date")]
