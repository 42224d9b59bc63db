"""The reconciliation API: upload a bank file, read the day's report, work the exceptions queue."""

from __future__ import annotations

from tests.e2e.conftest import as_role
from tests.integration.recon_support import opening_cash, pid, seed_payments, trace
from tests.unit.reconciliation.nacha_files import returns_file
from tests.unit.reconciliation.statement_files import bai2

STATEMENT = bai2([("466", 746999, "ACH20260923CCD", "run_1", "ACH SETTLEMENT"),
                  ("469", 2500, "SVC0923", "", "SERVICE CHARGE")], opening=100_000_000)


def _seed(container) -> None:  # noqa: ANN001
    opening_cash(container, 100_000_000)
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])


def test_upload_report_and_a_four_eyes_write_off(api, container):
    _seed(container)
    treasurer, other = as_role("treasurer", "usr_ana"), as_role("treasurer", "usr_ben")
    assert api.post("/v1/statements", content=STATEMENT, headers=as_role("ap_clerk")).status_code == 403
    first = api.post("/v1/statements", content=STATEMENT, headers=treasurer)
    assert first.status_code == 201, first.text
    assert first.json()["payments_settled"] == 2 and first.json()["exceptions_opened"] == 1
    again = api.post("/v1/statements", content=STATEMENT, headers=treasurer)
    assert again.status_code == 200 and again.json()["duplicate_file"]

    report = api.get("/v1/reconciliation/reports/2026-09-23", headers=as_role("auditor")).json()
    assert report["ties_out"] and report["cash"][0]["difference_minor"] == -2500
    csv = api.get("/v1/reconciliation/reports/2026-09-23?format=csv", headers=as_role("auditor"))
    assert csv.headers["content-type"].startswith("text/csv") and "reconciling_item" in csv.text

    [fee] = api.get("/v1/reconciliation/exceptions", headers=treasurer).json()["items"]
    assert (fee["kind"], fee["amount_minor"]) == ("unmatched_line", -2500)
    asked = api.post(f"/v1/reconciliation/exceptions/{fee['id']}/write-off", json={"reason": "bank service charge"},
                     headers=treasurer)
    assert asked.status_code == 200 and asked.json()["write_off"]["requested_by"] == "usr_ana"
    self_approved = api.post(f"/v1/reconciliation/exceptions/{fee['id']}/write-off/approve", headers=treasurer)
    assert self_approved.status_code == 403 and self_approved.json()["code"] == "self_approval_forbidden"
    approved = api.post(f"/v1/reconciliation/exceptions/{fee['id']}/write-off/approve", headers=other)
    assert approved.status_code == 200 and approved.json()["status"] == "written_off"
    after = api.get("/v1/reconciliation/reports/2026-09-23", headers=treasurer).json()
    assert after["cash"][0]["difference_minor"] == 0 and after["ties_out"]


def test_a_malformed_upload_is_a_problem_naming_where_and_why(api, container):
    _seed(container)
    bad = STATEMENT.replace(b"16,466,746999", b"16,466,74X999")
    response = api.post("/v1/statements", content=bad, headers=as_role("treasurer"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"].startswith("malformed_") and body.get("location")
    assert api.get("/v1/reconciliation/exceptions", headers=as_role("treasurer")).json()["items"] == []


def test_returns_upload_and_manual_match(api, container):
    _seed(container)
    seed_payments(container, "run_x", [("oak", 50000, 11)])
    seed_payments(container, "run_y", [("elm", 50000, 12)])
    treasurer = as_role("treasurer", "usr_ana")
    result = api.post("/v1/statements?format=nacha", content=returns_file([(2, 1999, "R03")]), headers=treasurer)
    assert result.status_code == 201 and result.json()["returns_posted"] == 1
    api.post("/v1/statements", content=bai2([("455", 50000, "", "", "ACH")]), headers=treasurer)
    [ambiguous] = api.get("/v1/reconciliation/exceptions?kind=ambiguous_match", headers=treasurer).json()["items"]
    done = api.post(f"/v1/reconciliation/exceptions/{ambiguous['id']}/resolve",
                    json={"reason": "bank says oak", "payment_ids": [pid("oak")]}, headers=treasurer)
    assert done.status_code == 200 and done.json()["resolution"] == "manual_match"
    assert api.get(f"/v1/payments/{pid('oak')}", headers=treasurer).json()["status"] == "settled"
    run = api.post("/v1/reconciliation/runs", json={"date": "2026-09-23"}, headers=treasurer)
    assert run.status_code == 200 and "unsettled_flagged" in run.json()
