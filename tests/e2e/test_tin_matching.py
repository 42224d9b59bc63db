"""IRS TIN Matching (Publication 2108A) on the 1099 story of tests/integration/test_form_1099.py: Dana and Eve are
reported for 2026; Frank is over the threshold with no TIN. The IRS answers code 3 for Eve (TIN and name do not
match): Eve is held out of the filing file (hold tin_mismatch) and joins Frank on the pre-filing worklist; a later
check that matches (code 0) puts Eve back in the file.
"""

from __future__ import annotations

import csv
import json

from tests.e2e.conftest import as_role
from tests.integration.test_form_1099 import PAYER, _year_of_payments
from tests.integration.test_open_checkbook import _env

KEEPER = as_role("vendor_admin", user="usr_val")
AUDITOR = as_role("auditor", user="usr_aud")


def test_a_mismatch_holds_the_vendor_out_of_the_file_until_a_check_matches(api, container, tmp_path, monkeypatch,
                                                                           capsys):
    import main

    v = _year_of_payments(container)
    url = f"/v1/vendors/{v['eve']}/tin-matches"
    assert api.post(url, json={"code": 3, "checked_on": "2027-01-05"}, headers=AUDITOR).status_code == 403
    assert api.post(url, json={"code": 9, "checked_on": "2027-01-05"}, headers=KEEPER).json()["code"] == (
        "tin_match_code_unknown")
    assert api.post(f"/v1/vendors/{v['frank']}/tin-matches", json={"code": 3, "checked_on": "2027-01-05"},
                    headers=KEEPER).json()["code"] == "vendor_has_no_tin"
    r = api.post(url, json={"code": 3, "checked_on": "2027-01-05"}, headers=KEEPER)
    assert r.status_code == 201, r.text
    assert r.json() == {"vendor_id": v["eve"], "code": 3, "meaning": "TIN and name do not match IRS records",
                        "checked_on": "2027-01-05", "tin": "*****1111", "blocks_filing": True}
    (event,) = container.audit.search(action="tin_match_recorded")
    assert (event.actor, event.object_id, event.detail["code"], event.detail["tin_last4"]) == (
        "usr_val", v["eve"], 3, "1111")

    work = api.get("/v1/reports/form-1099/worklist", params={"year": 2026}, headers=AUDITOR).json()
    assert [(i["vendor_id"], i["hold"]) for i in work["items"]] == [(v["frank"], "missing_tin"),
                                                                     (v["eve"], "tin_mismatch")]
    assert work["items"][1]["problem"] == ("TIN mismatch: IRS TIN Matching code 3, TIN and name do not match IRS "
                                           "records (checked 2027-01-05)")
    assert "111111111" not in json.dumps(work)

    _env(monkeypatch, container)
    (tmp_path / "policy.toml").write_text(PAYER)
    monkeypatch.setenv("DISBURSE_POLICY_FILE", str(tmp_path / "policy.toml"))
    out = tmp_path / "irs"
    assert main.cli(["reports", "1099", "--year", "2026", "--out", str(out)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["1099-NEC-2026-001.csv", "1099-NEC-2026-prefiling.csv"]
    with (out / "1099-NEC-2026-001.csv").open(newline="", encoding="utf-8") as f:
        assert [r["Recipient Name"] for r in csv.DictReader(f)] == ["Dana Wu"]
    with (out / "1099-NEC-2026-prefiling.csv").open(newline="", encoding="utf-8") as f:
        assert [(r["name"], r["problem"][:25]) for r in csv.DictReader(f)] == [
            ("Frank Hauling", "missing TIN"), ("Eve Repairs LLC", "TIN mismatch: IRS TIN Mat")]

    assert api.post(url, json={"code": 0, "checked_on": "2027-01-20"}, headers=KEEPER).json()["blocks_filing"] is False
    again = tmp_path / "irs-again"
    assert main.cli(["reports", "1099", "--year", "2026", "--out", str(again)]) == 0
    assert len([p for p in again.iterdir() if not p.name.endswith("prefiling.csv")]) == 2  # Dana and Eve, one each
    assert [i["hold"] for i in api.get("/v1/reports/form-1099/worklist", params={"year": 2026},
                                       headers=AUDITOR).json()["items"]] == ["missing_tin"]


def test_copy_b_is_a_printable_pdf_with_the_recipients_tin_truncated(api, container):
    from tests.e2e.test_web_portal import _pdf_text

    v = _year_of_payments(container)
    r = api.get(f"/v1/reports/form-1099/copy-b/{v['dana']}", params={"year": 2026}, headers=AUDITOR)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _pdf_text(r.content)
    for shown in ("Form 1099-NEC", "Copy B - For Recipient", "Dana Wu", "***-**-6789", "$2,300.00", "$0.00",
                  "12 Birch Rd", "Riverton NY 12001", "important tax information"):
        assert shown in text, shown
    assert "123456789" not in text and "123-45-6789" not in text  # the full TIN only in the filing file
    assert api.get(f"/v1/reports/form-1099/copy-b/{v['hal']}", params={"year": 2026},
                   headers=AUDITOR).status_code == 404  # below the threshold: not reported
    vendor = {"Authorization": f"Bearer test:vendor:usr_v:{v['dana']}"}
    assert api.get(f"/v1/reports/form-1099/copy-b/{v['dana']}", params={"year": 2026},
                   headers=vendor).status_code == 403
