"""1099-NEC for tax year 2026 (threshold $2,000 from 1 January 2026): Riverton pays, in one run dated 6 November,
Dana Wu (a person, SSN) $1,500 + $800 = $2,300; Eve Repairs LLC exactly $2,000.00; Hal Plumbing $1,999.99; Frank
Hauling $2,500 with no TIN on file; Gail Design $2,400, which the bank returns; Acme (not a 1099 vendor) $3,000.

Reported: Dana and Eve. Hal is below the threshold; Frank is over it but missing a TIN (pre-filing report, not
filed); Gail's returned payment nets to nothing; Acme is not a 1099 vendor. With a per-file limit of 1 the IRIS
upload is two files; TINs are masked everywhere but those files. Tax year 2025 (threshold $600) has no payments.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from payments.ap.documents import VendorStatus
from payments.ap.vendor_service import VendorDetails
from tests.integration.test_open_checkbook import TREASURER, _bought, _env
from tests.payment_fakes import FakeAccounts, MemoryRail

PAYER = """[form_1099]
payer_tin = "98-7654321"
max_records_per_file = 1
"""


def _vendor(s, name: str, tin: str | None, *, is_1099: bool = True, individual: bool = False) -> str:  # noqa: ANN001
    from tests.integration.ap_story import VENDOR_ADMIN

    address = {"kind": "remit", "line1": "12 Birch Rd", "city": "Riverton", "state": "NY", "zip": "12001"}
    record, _ = s.vendors.create(VENDOR_ADMIN, VendorDetails(legal_name=name, tin=tin, addresses=(address,),
                                                             terms="net 30", is_1099=is_1099,
                                                             is_individual=individual))
    s.vendors.set_status(VENDOR_ADMIN, record.vendor.id, VendorStatus.ACTIVE)
    return record.vendor.id


def _year_of_payments(container) -> dict[str, str]:  # noqa: ANN001
    import main
    from tests.integration.ap_story import ap, budget

    s = ap(container)
    budget(s)
    v = {"dana": _vendor(s, "Dana Wu", "123-45-6789", individual=True),
         "eve": _vendor(s, "Eve Repairs LLC", "11-1111111"),
         "hal": _vendor(s, "Hal Plumbing", "22-2222222"),
         "frank": _vendor(s, "Frank Hauling", None),
         "gail": _vendor(s, "Gail Design", "33-3333333"),
         "acme": _vendor(s, "Acme Furniture", "12-3456789", is_1099=False)}
    _bought(s, v["dana"], "PO-1", "Design review", 1, 150_000, "D-1")
    _bought(s, v["dana"], "PO-2", "Site visit", 1, 80_000, "D-2")
    _bought(s, v["eve"], "PO-3", "Roof repair", 1, 200_000, "E-1")
    _bought(s, v["hal"], "PO-4", "Pipes", 1, 199_999, "H-1")
    _bought(s, v["frank"], "PO-5", "Hauling", 1, 250_000, "F-1")
    _bought(s, v["gail"], "PO-6", "Logo", 1, 240_000, "G-1")
    _bought(s, v["acme"], "PO-7", "Chairs", 1, 300_000, "A-1")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: MemoryRail(name="nacha"))
    run = svc.create_run(run_date=dt.date(2026, 11, 5)).run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    gail = next(p.id for p in svc.payments_of_run(run.id) if p.vendor_id == v["gail"])
    assert svc.mark_returned(gail, reason_code="R01", on=dt.date(2026, 11, 10)) != "unchanged"
    return v


def test_tax_year_2026_reports_dana_and_eve_and_files_them_for_iris(container, tmp_path, monkeypatch, capsys):
    import main

    v = _year_of_payments(container)
    _env(monkeypatch, container)
    (tmp_path / "policy.toml").write_text(PAYER)
    monkeypatch.setenv("DISBURSE_POLICY_FILE", str(tmp_path / "policy.toml"))

    assert main.cli(["reports", "1099", "--year", "2026", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["threshold_minor"] == 200_000 and summary["files"] == []
    assert [(r["vendor_id"], r["tin"], r["paid_minor"], r["payments"]) for r in summary["reportable"]] == [
        (v["dana"], "*****6789", 230_000, 1), (v["eve"], "*****1111", 200_000, 1), (v["frank"], None, 250_000, 1)]
    assert summary["reportable_total_minor"] == 680_000
    assert [(r["vendor_id"], r["paid_minor"]) for r in summary["below_threshold"]] == [(v["hal"], 199_999)]
    assert [r["vendor_id"] for r in summary["missing_tin"]] == [v["frank"]]
    everything = json.dumps(summary)
    assert v["gail"] not in everything and v["acme"] not in everything and "123456789" not in everything

    out = tmp_path / "irs"
    assert main.cli(["reports", "1099", "--year", "2026", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 vendors" not in printed and "3 vendors reported" in printed and "123456789" not in printed
    assert sorted(p.name for p in out.iterdir()) == ["1099-NEC-2026-001.csv", "1099-NEC-2026-002.csv",
                                                     "1099-NEC-2026-prefiling.csv"]
    rows = []
    for name in ("1099-NEC-2026-001.csv", "1099-NEC-2026-002.csv"):
        with (out / name).open(newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    assert [(r["Recipient Name"], r["Recipient TIN Type"], r["Recipient TIN"], r["Box 1 Nonemployee Compensation"],
             r["Payer TIN"], r["Recipient State"]) for r in rows] == [
        ("Dana Wu", "SSN", "123456789", "2300.00", "987654321", "NY"),
        ("Eve Repairs LLC", "EIN", "111111111", "2000.00", "987654321", "NY")]
    with (out / "1099-NEC-2026-prefiling.csv").open(newline="", encoding="utf-8") as f:
        assert [(r["name"], r["tin"], r["paid"], r["problem"]) for r in csv.DictReader(f)] == [
            ("Frank Hauling", "", "2500.00", "missing TIN")]


def test_2025_uses_the_600_dollar_threshold_and_a_missing_payer_tin_refuses_the_files(container, tmp_path,
                                                                                       monkeypatch, capsys):
    import main

    _year_of_payments(container)
    _env(monkeypatch, container)
    assert main.cli(["reports", "1099", "--year", "2025", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["threshold_minor"] == 60_000 and summary["reportable"] == []

    out = tmp_path / "irs"
    assert main.cli(["reports", "1099", "--year", "2026", "--out", str(out)]) == 2  # default policy: no payer TIN
    err = capsys.readouterr().err
    assert err.startswith("error: iris_file_refused: nothing written")
    assert "Payer TIN (payer_tin) is required and empty" in err
    assert not (out / "1099-NEC-2026-001.csv").exists()
    assert main.cli(["reports", "1099", "--year", "2024", "--out", str(out)]) == 2
    assert "no IRIS template for 1099-NEC tax year 2024" in capsys.readouterr().err
