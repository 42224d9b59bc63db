"""A process that dies mid-request (SIGKILL, OOM) leaves its Idempotency-Key claimed: the retry must still get the
real outcome once the dead request's lease has run out, and a second rail call must never happen (issue 17)."""

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient

from adapters.db.idempotency import SqlIdempotencyStore
from payments.disbursements.payment_runs import PayableInvoice
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail


class Killed(BaseException):
    """What SIGKILL does to a request, in process: nothing after this point runs, no handler cleans up."""


@pytest.fixture
def world(container, monkeypatch):
    import adapters.crash_points
    import main

    armed: set[str] = set()

    def crash_point(name: str) -> None:
        if name in armed:
            armed.discard(name)
            raise Killed(name)
    monkeypatch.setattr(adapters.crash_points, "crash_point", crash_point)
    payables = FakePayables([PayableInvoice(f"inv_{n}", f"ven_{n}", f"INV-{n}", "USD", 10_000 * n,
                                            dt.date(2026, 11, 4), approver_ids=frozenset()) for n in (1, 2)])
    rail = MemoryRail(name="nacha")
    main.wire_payments(container, invoices=payables, accounts=FakeAccounts(), rails=lambda _name: rail)
    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    app.state.idempotency = SqlIdempotencyStore(container.engine, lease_s=0.5)
    return app, rail, armed


def test_a_submit_killed_mid_request_is_finished_by_the_retry_after_its_lease(world):
    app, rail, armed = world
    dying = TestClient(app)  # one server process ...
    run = dying.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    assert dying.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer")).status_code == 200
    submit = {**as_role("treasurer"), "Idempotency-Key": "submit-run-1"}
    armed.add("after_claiming")  # ... dies after claiming the run, before the rail saw anything
    with pytest.raises(Killed):
        dying.post(f"/v1/payment-runs/{run['id']}:submit", headers=submit)

    api = TestClient(app)  # another process, the client retrying with the same key
    busy = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=submit)
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_flight"  # its lease still runs

    time.sleep(0.6)
    retried = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=submit)
    assert retried.status_code == 200, retried.text
    assert retried.json()["result"] == "accepted" and retried.json()["run"]["status"] == "sent"
    replay = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=submit)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == retried.json()
    assert rail.submits == 1


def test_two_retries_after_the_lease_one_takes_the_claim_over(container):
    """The take-over is guarded on the dead holder: of two retries racing for it, one runs and one waits."""
    store = SqlIdempotencyStore(container.engine, lease_s=0.2)
    assert store.begin("usr_t POST /x", "k", "h")[0] == "new"  # its holder dies here
    time.sleep(0.3)
    first = store.begin("usr_t POST /x", "k", "h")
    second = store.begin("usr_t POST /x", "k", "h")
    assert (first[0], second[0]) == ("taken_over", "in_flight")
    assert store.finish("usr_t POST /x", "k", second[3], 200, b"{}") is False  # the loser cannot answer for it
    assert store.finish("usr_t POST /x", "k", first[3], 200, b"{}") is True
    assert store.begin("usr_t POST /x", "k", "h")[:3] == ("replay", 200, b"{}")


def test_a_run_created_by_a_request_that_died_before_answering_is_the_retrys_answer(world, monkeypatch):
    """The run was committed, then the process died before recording the answer: the retry (after the lease)
    runs the handler again, and the key is passed down as the run key, so it answers with that same run."""
    app, _rail, _armed = world
    store = app.state.idempotency
    real_finish = store.finish

    def dies_before_answering(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        monkeypatch.setattr(store, "finish", real_finish)
        raise Killed("after the run was committed")
    monkeypatch.setattr(store, "finish", dies_before_answering)
    create = {**as_role("ap_clerk"), "Idempotency-Key": "run-2026-11-02"}
    with pytest.raises(Killed):
        TestClient(app).post("/v1/payment-runs", json={}, headers=create)

    time.sleep(0.6)
    api = TestClient(app)
    retried = api.post("/v1/payment-runs", json={}, headers=create)
    assert retried.status_code == 201, retried.text
    assert retried.json()["payment_count"] == 2
    runs = api.get("/v1/payment-runs", headers=as_role("auditor")).json()["items"]
    assert [r["id"] for r in runs] == [retried.json()["id"]]  # one run, not two, and not "nothing payable"


def test_a_ledger_post_that_died_is_not_posted_again_by_the_retry(world, monkeypatch):
    """A ledger post without an id is not idempotent by itself: re-running it would post twice. The retry after the
    lease gets 409 idempotency_key_abandoned (look it up, retry with a new key), and it stays the answer."""
    from tests.e2e.test_ledger_api import opening

    app, _rail, _armed = world
    store = app.state.idempotency
    real_finish = store.finish

    def dies_before_answering(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        monkeypatch.setattr(store, "finish", real_finish)
        raise Killed("after the entry was committed")
    monkeypatch.setattr(store, "finish", dies_before_answering)
    post = {**as_role("treasurer"), "Idempotency-Key": "opening-cash"}
    with pytest.raises(Killed):
        TestClient(app).post("/v1/ledger/entries", json=opening(), headers=post)

    time.sleep(0.6)
    api = TestClient(app)
    for _ in range(2):
        retried = api.post("/v1/ledger/entries", json=opening(), headers=post)
        assert retried.status_code == 409 and retried.json()["code"] == "idempotency_key_abandoned"
    entries = api.get("/v1/ledger/entries", headers=as_role("auditor")).json()["items"]
    assert [e["code"] for e in entries].count("opening_balance") == 1  # posted once, by the request that died
