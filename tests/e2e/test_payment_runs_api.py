"""/v1/payment-runs and /v1/payments over HTTP: a clerk creates the day's run, a treasurer releases and submits it."""

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from payments.disbursements.payment_runs import PayableInvoice
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail


@pytest.fixture
def setup(container):
    import main

    payables = FakePayables([PayableInvoice(f"inv_{n}", f"ven_{n % 2}", f"INV-{n}", "USD", 10_000 * n,
                                            dt.date(2026, 11, 4), approver_ids=frozenset({"usr_ann"}))
                             for n in range(1, 5)])
    rail = MemoryRail(name="nacha")
    main.wire_payments(container, invoices=payables, accounts=FakeAccounts(), rails=lambda _name: rail)
    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as client:
        yield client, rail


def test_create_release_submit_and_read_back(setup):
    api, rail = setup
    clerk = {**as_role("ap_clerk"), "Idempotency-Key": "run-2026-11-02"}
    created = api.post("/v1/payment-runs", json={}, headers=clerk)
    assert created.status_code == 201, created.text
    run = created.json()
    assert run["status"] == "draft" and run["payment_count"] == 2 and run["total_minor"] == 100_000
    replay = api.post("/v1/payment-runs", json={}, headers=clerk)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json()["id"] == run["id"]

    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("ap_clerk")).status_code == 403
    approver = api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer", "usr_ann"))
    assert approver.status_code == 403 and approver.json()["code"] == "approver_cannot_release"
    released = api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer"))
    assert released.status_code == 200 and released.json()["status"] == "released"

    submitted = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=as_role("treasurer"))
    assert submitted.status_code == 200 and submitted.json()["result"] == "accepted"
    again = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=as_role("treasurer"))
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert rail.submits == 1

    got = api.get(f"/v1/payment-runs/{run['id']}", headers=as_role("auditor")).json()
    assert got["status"] == "sent" and {p["status"] for p in got["payments"]} == {"sent"}
    payments = api.get("/v1/payments", params={"run_id": run["id"], "limit": 1}, headers=as_role("auditor")).json()
    assert len(payments["items"]) == 1 and payments["next_cursor"]
    rest = api.get("/v1/payments", params={"run_id": run["id"], "cursor": payments["next_cursor"]},
                   headers=as_role("auditor")).json()
    assert len(rest["items"]) == 1
    one = api.get(f"/v1/payments/{rest['items'][0]['id']}", headers=as_role("auditor")).json()
    assert one["end_to_end_id"] == one["id"] and one["trace_number"]
    assert api.get("/v1/payment-runs", headers=as_role("auditor")).json()["items"][0]["id"] == run["id"]
    assert api.get("/v1/payments/pay_nope", headers=as_role("auditor")).status_code == 404
    assert api.get("/v1/payment-runs", headers={}).status_code == 401


def test_nothing_payable_is_an_empty_answer_not_an_empty_run(setup):
    api, _ = setup
    api.post("/v1/payment-runs", json={}, headers=as_role("treasurer"))
    second = api.post("/v1/payment-runs", json={}, headers=as_role("treasurer"))
    assert second.status_code == 200 and second.json()["run"] is None


def test_a_run_read_back_names_what_was_withdrawn_at_submission():
    """A run keeps the total it was released for; a payment withdrawn at submission (its invoice held after
    release) never left, so the body says so and what the bank debit still adds up to."""
    from adapters.http.disbursements.payment_routes import run_out
    from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord
    from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
    from payments.disbursements.rails import RailSec

    at = dt.datetime(2026, 11, 4, 15, tzinfo=dt.timezone.utc)
    run = PaymentRunRecord("run_1", dt.date(2026, 11, 4), dt.date(2026, 11, 5), RunStatus.SENT, "USD", "nacha", at,
                           "usr_clerk", 350_000, 2)

    def payment(pid: str, amount: int, status: PaymentStatus) -> PaymentRecord:
        return PaymentRecord(id=pid, run_id="run_1", vendor_id=f"ven_{pid}", account_id=f"ba_{pid}",
                             payee_name=pid.upper(), currency="USD", amount_minor=amount, kind=PaymentKind.LIVE,
                             sec_code=RailSec.CCD, status=status, effective_date=dt.date(2026, 11, 5), created_at=at)

    body = run_out(run, [payment("pay_a", 100_000, PaymentStatus.SENT),
                         payment("pay_b", 250_000, PaymentStatus.CANCELLED)])
    assert body["total_minor"] == 350_000 and body["total"] == "3,500.00 USD"
    assert body["cancelled"] == {"payment_count": 1, "total_minor": 250_000, "total": "2,500.00 USD"}
    assert body["total_in_force_minor"] == 100_000
    assert "cancelled" not in run_out(run)  # a list of runs carries no payments to count
