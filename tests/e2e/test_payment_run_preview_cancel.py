"""A payment run can be previewed and cancelled, and cannot be dated far ahead (issue 11, defect 4), over HTTP and
the CLI, on SQLite and PostgreSQL.

Before the fix, asking what a run would pay created a real run that locked its invoices, and a run dated 36 days
ahead was accepted and its file written at once.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.db.ap.ap_tables import invoice_holds
from adapters.db.disbursements.payment_tables import payment_items, payment_outbox, payment_runs, payments
from adapters.db.reconciliation.recon_tables import recon_exceptions
from payments.disbursements.payment_runs import PayableInvoice
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail

DUE = dt.date(2026, 11, 4)  # the clock reads Monday 2 November 2026: due this week, paid by today's run


@pytest.fixture
def api(container):  # noqa: ANN001, ANN201
    import main

    payables = FakePayables([PayableInvoice(f"inv_{n}", f"ven_{n % 2}", f"INV-{n}", "USD", 10_000 * n, DUE,
                                            approver_ids=frozenset({"usr_ann"})) for n in range(1, 5)])
    rail = MemoryRail(name="nacha")
    main.wire_payments(container, invoices=payables, accounts=FakeAccounts(), rails=lambda _name: rail)
    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as client:
        client.rail = rail  # type: ignore[attr-defined]
        yield client


def rows(container) -> dict[str, int]:  # noqa: ANN001
    """Everything a run writes anywhere: runs, payments, the invoices they lock, outbox, holds, treasury's queue."""
    with container.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (payment_runs, payments, payment_items, payment_outbox, invoice_holds, recon_exceptions)}


def test_defect_4_a_preview_says_what_a_run_would_pay_and_writes_nothing(api, container):
    before = rows(container)
    preview = api.post("/v1/payment-runs:preview", json={}, headers=as_role("ap_clerk"))
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["preview"], body["payment_count"], body["total_minor"]) == (True, 2, 100_000)
    assert sorted(i["invoice_id"] for p in body["payments"] for i in p["remittance"]) == [
        "inv_1", "inv_2", "inv_3", "inv_4"]
    assert rows(container) == before and api.get("/v1/payment-runs", headers=as_role("auditor")).json()["items"] == []

    created = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    assert (created["payment_count"], created["total_minor"]) == (2, 100_000)  # the run the preview described
    again = api.post("/v1/payment-runs:preview", json={}, headers=as_role("ap_clerk")).json()
    assert again["payment_count"] == 0  # those invoices are in a live run now; the preview says so and locks nothing


def test_defect_4_a_preview_is_also_a_get_that_writes_nothing_and_plans_what_the_run_makes(api, container):
    """A preview is a read: ``GET /v1/payment-runs:preview`` (a link, a bookmark, a retry) answers what the POST form
    answers, writes nothing however often it is asked, and the run made afterwards is the one it planned."""
    before = rows(container)
    clerk = as_role("ap_clerk")
    got = api.get("/v1/payment-runs:preview", headers=clerk)
    assert got.status_code == 200, got.text
    assert got.json() == api.post("/v1/payment-runs:preview", json={}, headers=clerk).json()
    dated = api.get("/v1/payment-runs:preview", params={"run_date": "2026-11-03"}, headers=clerk).json()
    assert (dated["run_date"], dated["payment_count"]) == ("2026-11-03", 2)
    assert api.get("/v1/payment-runs:preview", headers=clerk).json() == got.json()  # asked again: the same plan
    assert rows(container) == before
    far = api.get("/v1/payment-runs:preview", params={"run_date": "2026-12-08"}, headers=clerk)
    assert (far.status_code, far.json()["code"]) == (422, "date_out_of_range")
    assert api.get("/v1/payment-runs:preview", headers=as_role("vendor_admin")).status_code == 403
    assert rows(container) == before

    planned = sorted((p["vendor_id"], p["amount_minor"]) for p in got.json()["payments"])
    run = api.post("/v1/payment-runs", json={}, headers=clerk).json()
    assert sorted((p["vendor_id"], p["amount_minor"]) for p in run["payments"]) == planned


def test_defect_4_a_run_not_yet_submitted_is_cancelled_with_a_reason_and_frees_its_invoices(api, container):
    run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer")).json()["status"] == "released"
    no_reason = api.post(f"/v1/payment-runs/{run['id']}:cancel", json={}, headers=as_role("ap_clerk"))
    assert no_reason.status_code == 422
    cancelled = api.post(f"/v1/payment-runs/{run['id']}:cancel", headers=as_role("ap_clerk", "usr_cal"),
                         json={"reason": "vendor asked us to hold payment until the dispute is settled"})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and {p["status"] for p in body["payments"]} == {"cancelled"}
    audit = api.get("/v1/audit", params={"action": "payment_run_cancelled"}, headers=as_role("auditor")).json()
    [event] = audit["items"]
    assert (event["object_id"], event["actor"], event["detail"]["reason"]) == (
        run["id"], "usr_cal", "vendor asked us to hold payment until the dispute is settled")
    assert api.post(f"/v1/payment-runs/{run['id']}:submit", headers=as_role("treasurer")).status_code == 409
    assert api.rail.submits == 0
    # Its invoices are free: the next run pays them.
    again = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    assert (again["payment_count"], again["total_minor"]) == (2, 100_000)


def test_defect_4_a_submitted_run_cannot_be_cancelled(api):
    run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer"))
    assert api.post(f"/v1/payment-runs/{run['id']}:submit", headers=as_role("treasurer")).json()["result"] == "accepted"
    refused = api.post(f"/v1/payment-runs/{run['id']}:cancel", json={"reason": "too late"},
                       headers=as_role("ap_clerk"))
    assert (refused.status_code, refused.json()["code"]) == (409, "illegal_transition")
    assert api.get(f"/v1/payment-runs/{run['id']}", headers=as_role("auditor")).json()["status"] == "sent"


def test_defect_4_a_run_dated_beyond_the_policy_horizon_is_refused_and_nothing_is_written(api, container, clock):
    before = rows(container)
    far = (clock.now().date() + dt.timedelta(days=36)).isoformat()
    for path in ("/v1/payment-runs", "/v1/payment-runs:preview"):
        refused = api.post(path, json={"run_date": far}, headers=as_role("ap_clerk"))
        assert (refused.status_code, refused.json()["code"]) == (422, "date_out_of_range"), refused.text
        assert "run_horizon_days" in refused.json()["detail"]
    assert rows(container) == before and api.rail.submits == 0
    near = (clock.now().date() + dt.timedelta(days=3)).isoformat()
    assert api.post("/v1/payment-runs:preview", json={"run_date": near}, headers=as_role("ap_clerk")).status_code == 200


def test_defect_4_the_cli_previews_and_cancels_and_refuses_a_run_beyond_the_horizon(tmp_path, monkeypatch, capsys):
    import main

    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DISBURSE_SCHEDULER", "false")
    assert main.cli(["init", "--example"]) == 0
    c = main.build()
    capsys.readouterr()
    before = rows(c)
    assert main.cli(["payments", "run", "--preview", "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["preview"] is True and rows(c) == before
    far = (dt.date.today() + dt.timedelta(days=36)).isoformat()
    assert main.cli(["payments", "run", "--date", far]) == 2
    assert "date_out_of_range" in capsys.readouterr().err and rows(c) == before

    invoices = FakePayables([PayableInvoice("inv_1", "ven_A", "INV-1", "USD", 5_000, dt.date.today())])
    run = main.wire_payments(c, invoices=invoices, accounts=FakeAccounts()).create_run(run_key="k").run
    capsys.readouterr()
    assert main.cli(["payments", "cancel", run.id, "--reason", "paid by wire instead", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"run_id": run.id, "status": "cancelled"}
    assert main.cli(["payments", "cancel", run.id, "--reason", "again"]) == 2
    assert "illegal_transition" in capsys.readouterr().err
    c.engine.dispose()
