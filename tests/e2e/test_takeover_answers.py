"""A request that dies mid-way (SIGKILL, OOM) leaves its Idempotency-Key claimed; once its lease runs out the
client's retry takes the claim over (issue 17). On the routes here the retry must get the real outcome, not 409
idempotency_key_abandoned and not a refusal of the step it took itself: a release or a cancel or a write-off that
committed before the process died is found by the mark it left and answered as it stands; one that did not commit
runs now; a statement import and a reconciliation run are idempotent by themselves and simply run again. On SQLite
and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import as_role
from tests.e2e.test_crash_recovery_api import Killed, world  # noqa: F401 - the fixture: a run's world, lease 0.5 s
from tests.e2e.test_recon_api import STATEMENT, _seed

LEASE_OVER = 0.6


def dies_once(monkeypatch, obj, name: str) -> None:  # noqa: ANN001
    """The next call of ``obj.name`` is where the process dies: nothing after it runs, nothing cleans up."""
    real = getattr(obj, name)

    def dying(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        monkeypatch.setattr(obj, name, real)
        raise Killed(name)
    monkeypatch.setattr(obj, name, dying)


def dies_before_answering(monkeypatch, app) -> None:  # noqa: ANN001
    dies_once(monkeypatch, app.state.idempotency, "finish")  # the step committed; its answer was never recorded


def killed(app, path: str, headers: dict, **body) -> None:  # noqa: ANN001
    with pytest.raises(Killed):
        TestClient(app).post(path, headers=headers, **body)
    time.sleep(LEASE_OVER)


def test_a_release_that_committed_before_the_process_died_is_the_retrys_answer(world, monkeypatch):
    app, _rail, _armed = world
    api = TestClient(app)
    run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    release = {**as_role("treasurer"), "Idempotency-Key": "release-1"}
    dies_before_answering(monkeypatch, app)
    killed(app, f"/v1/payment-runs/{run['id']}:release", release)

    retried = api.post(f"/v1/payment-runs/{run['id']}:release", headers=release)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "released" and retried.json()["released_by"] == ["usr_treasurer"]
    replay = api.post(f"/v1/payment-runs/{run['id']}:release", headers=release)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == retried.json()
    again = api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer"))  # a new request
    assert again.status_code in (403, 409)  # the take-over found its own release; it is no way to release twice


def test_a_release_that_died_before_committing_is_done_by_the_retry(world, monkeypatch):
    app, _rail, _armed = world
    api = TestClient(app)
    run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    release = {**as_role("treasurer"), "Idempotency-Key": "release-2"}
    dies_once(monkeypatch, app.state.payments, "release")
    killed(app, f"/v1/payment-runs/{run['id']}:release", release)
    assert api.get(f"/v1/payment-runs/{run['id']}", headers=as_role("auditor")).json()["status"] == "draft"

    retried = api.post(f"/v1/payment-runs/{run['id']}:release", headers=release)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "released" and retried.json()["released_by"] == ["usr_treasurer"]


def test_a_cancel_is_answered_by_its_own_mark_and_not_by_someone_elses(world, monkeypatch):
    app, _rail, _armed = world
    api = TestClient(app)
    mine = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    cancel = {**as_role("treasurer"), "Idempotency-Key": "cancel-1"}
    dies_before_answering(monkeypatch, app)
    killed(app, f"/v1/payment-runs/{mine['id']}:cancel", cancel, json={"reason": "made twice"})
    retried = api.post(f"/v1/payment-runs/{mine['id']}:cancel", headers=cancel, json={"reason": "made twice"})
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "cancelled" and retried.json()["cancelled"]["payment_count"] == 2

    theirs = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    dies_once(monkeypatch, app.state.payments, "cancel")  # this one dies before it cancels anything ...
    killed(app, f"/v1/payment-runs/{theirs['id']}:cancel", cancel | {"Idempotency-Key": "cancel-2"},
           json={"reason": "wrong date"})
    other = api.post(f"/v1/payment-runs/{theirs['id']}:cancel", headers=as_role("ap_clerk", "usr_carla"),
                     json={"reason": "vendor asked to wait"})  # ... and someone else cancels the run meanwhile
    assert other.status_code == 200
    late = api.post(f"/v1/payment-runs/{theirs['id']}:cancel", headers=cancel | {"Idempotency-Key": "cancel-2"},
                    json={"reason": "wrong date"})
    assert late.status_code == 409 and late.json()["code"] == "illegal_transition"  # it did not cancel the run


def test_a_write_off_approved_before_the_process_died_is_answered_not_posted_again(api, container, monkeypatch):
    from adapters.db.idempotency import SqlIdempotencyStore

    app = api.app
    app.state.idempotency = SqlIdempotencyStore(container.engine, lease_s=0.5)
    _seed(container)
    ana, ben = as_role("treasurer", "usr_ana"), as_role("treasurer", "usr_ben")
    upload = {**ana, "Idempotency-Key": "statement-0923"}
    dies_before_answering(monkeypatch, app)
    killed(app, "/v1/statements", upload, content=STATEMENT)
    imported = api.post("/v1/statements", headers=upload, content=STATEMENT)
    assert imported.status_code == 200 and imported.json()["duplicate_file"]  # the dead request imported it

    [fee] = api.get("/v1/reconciliation/exceptions", headers=ana).json()["items"]
    ask = {**ana, "Idempotency-Key": "ask-fee"}
    dies_before_answering(monkeypatch, app)
    killed(app, f"/v1/reconciliation/exceptions/{fee['id']}/write-off", ask, json={"reason": "bank fee"})
    asked = api.post(f"/v1/reconciliation/exceptions/{fee['id']}/write-off", headers=ask, json={"reason": "bank fee"})
    assert asked.status_code == 200 and asked.json()["write_off"]["requested_by"] == "usr_ana"

    approve = {**ben, "Idempotency-Key": "approve-fee"}
    dies_before_answering(monkeypatch, app)
    killed(app, f"/v1/reconciliation/exceptions/{fee['id']}/write-off/approve", approve)
    approved = api.post(f"/v1/reconciliation/exceptions/{fee['id']}/write-off/approve", headers=approve)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "written_off" and approved.json()["write_off"]["approved_by"] == "usr_ben"
    report = api.get("/v1/reconciliation/reports/2026-09-23", headers=as_role("auditor")).json()
    assert report["cash"][0]["difference_minor"] == 0 and report["ties_out"]  # written off once, not twice

    run = {**ana, "Idempotency-Key": "reconcile-0923"}
    dies_before_answering(monkeypatch, app)
    killed(app, "/v1/reconciliation/runs", run, json={"date": "2026-09-23"})
    again = api.post("/v1/reconciliation/runs", headers=run, json={"date": "2026-09-23"})
    assert again.status_code == 200 and again.json()["lines_matched"] == 0  # idempotent: it simply ran again


def test_a_manual_match_that_committed_before_the_process_died_is_the_retrys_answer(api, container, monkeypatch):
    from adapters.db.idempotency import SqlIdempotencyStore
    from tests.integration.recon_support import pid, seed_payments
    from tests.unit.reconciliation.statement_files import bai2

    app = api.app
    app.state.idempotency = SqlIdempotencyStore(container.engine, lease_s=0.5)
    _seed(container)
    seed_payments(container, "run_x", [("oak", 50000, 11)])
    seed_payments(container, "run_y", [("elm", 50000, 12)])
    ana = as_role("treasurer", "usr_ana")
    api.post("/v1/statements", content=bai2([("455", 50000, "", "", "ACH")]), headers=ana)
    [ambiguous] = api.get("/v1/reconciliation/exceptions?kind=ambiguous_match", headers=ana).json()["items"]
    resolve = {**ana, "Idempotency-Key": "resolve-oak"}
    body = {"reason": "bank says oak", "payment_ids": [pid("oak")]}
    dies_before_answering(monkeypatch, app)
    killed(app, f"/v1/reconciliation/exceptions/{ambiguous['id']}/resolve", resolve, json=body)
    retried = api.post(f"/v1/reconciliation/exceptions/{ambiguous['id']}/resolve", headers=resolve, json=body)
    assert retried.status_code == 200, retried.text
    assert retried.json()["resolution"] == "manual_match" and retried.json()["resolved_by"] == "usr_ana"
    assert api.get(f"/v1/payments/{pid('oak')}", headers=ana).json()["status"] == "settled"
    assert api.get(f"/v1/payments/{pid('elm')}", headers=ana).json()["status"] == "sent"
