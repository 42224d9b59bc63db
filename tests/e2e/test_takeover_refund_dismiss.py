"""A retry that takes over the Idempotency-Key of a request that died (issue 17) gets the real outcome on the
reconciliation routes a refund and a dismissal take: found by the mark the step left when the dead request had
committed (the exception resolved by this caller, for this reason), run now when it had not. Never 409
idempotency_key_abandoned, never a refusal of the step the dead request took itself. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from adapters.db.idempotency import SqlIdempotencyStore
from tests.e2e.conftest import as_role
from tests.e2e.paying import acme, approved_invoice, balance, credit_memo, pay  # noqa: F401
from tests.e2e.people import client, people, stack  # noqa: F401
from tests.e2e.test_takeover_answers import dies_before_answering, dies_once, killed


def _waiting_refund(stack, client, clock, acme):  # noqa: ANN001, ANN202
    """Acme owes us a $300 credit and wires it back: the deposit waits as an unmatched line; the refund's path and
    body."""
    from adapters.rails.sandbox_statements import Statement, StatementItem, bai2_text

    client.app.state.idempotency = SqlIdempotencyStore(stack.engine, lease_s=0.5)
    approved_invoice(acme, "INV-A")
    pay(client, clock, acme)
    memo = credit_memo(client, acme, "CM-300", "300.00", chairs=2)
    cast, day = acme["cast"], dt.date(2026, 12, 17)
    clock.set(dt.datetime(2026, 12, 17, 22, tzinfo=dt.timezone.utc))
    deposit = Statement("000123456789", "USD", day, 0, (
        StatementItem(True, 30_000, "195", "DEP1217", "ACME REFUND CM-300", "incoming money transfer", day),))
    assert client.post("/v1/statements", headers=cast["tess"], params={"format": "bai2", "name": "refund.bai2"},
                       content=bai2_text(deposit, created=clock.now(), file_id="D1217").encode()).status_code == 201
    [waiting] = [e for e in client.get("/v1/reconciliation/exceptions", headers=cast["aud"]).json()["items"]
                 if e["kind"] == "unmatched_line"]
    body = {"reason": "Acme wired back the damaged-chairs credit",
            "credits": [{"credit_memo_id": memo["id"], "fund": "100"}]}
    return f"/v1/reconciliation/exceptions/{waiting['id']}/refund", body


def test_a_refund_that_committed_before_the_process_died_is_the_retrys_answer(stack, client, clock, acme,
                                                                               monkeypatch):
    path, body = _waiting_refund(stack, client, clock, acme)
    headers = {**acme["cast"]["tess"], "Idempotency-Key": "refund-acme"}
    dies_before_answering(monkeypatch, client.app)
    killed(client.app, path, headers, json=body)
    assert balance(stack, "100-1310") == 0  # the dead request's refund committed

    retried = client.post(path, headers=headers, json=body)
    assert retried.status_code == 200, retried.text
    answer = retried.json()
    assert (answer["status"], answer["resolution"]) == ("resolved", "vendor_refund")
    assert answer["entry_id"] and answer["credits"][0]["receivable_open_minor"] == 0
    entry = client.get(f"/v1/ledger/entries/{answer['entry_id']}", headers=acme["cast"]["aud"]).json()
    assert entry["code"] == "vendor_credit_refunded"
    assert balance(stack, "100-1310") == 0  # answered, not refunded twice
    replay = client.post(path, headers=headers, json=body)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == answer


def test_a_refund_that_died_before_committing_is_done_by_the_retry(stack, client, clock, acme, monkeypatch):
    path, body = _waiting_refund(stack, client, clock, acme)
    headers = {**acme["cast"]["tess"], "Idempotency-Key": "refund-acme-2"}
    dies_once(monkeypatch, client.app.state.recon.refunds, "resolve_as_refund")
    killed(client.app, path, headers, json=body)
    assert balance(stack, "100-1310") == 30_000  # nothing happened

    retried = client.post(path, headers=headers, json=body)
    assert retried.status_code == 200, retried.text
    assert retried.json()["resolution"] == "vendor_refund" and retried.json()["credits"][0]["cleared_minor"] == 30_000
    assert balance(stack, "100-1310") == 0


def test_a_dismissal_is_answered_by_its_own_mark_or_done_by_the_retry(api, container, monkeypatch):
    app = api.app
    app.state.idempotency = SqlIdempotencyStore(container.engine, lease_s=0.5)
    from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
    from payments.reconciliation.recon_rows import ExceptionRecord

    ana = as_role("treasurer", "usr_ana")
    # A payment over the rail's limit waits as an exception with no statement line: one a reason may close.
    with container.uow() as uow:
        uow.recon.add_exceptions([ExceptionRecord("rex_fedwire", "over:pay_1", ExceptionKind.OVER_RAIL_LIMIT,
                                                  ExceptionStatus.OPEN, -120_000, "USD", "over the rail's limit",
                                                  container.clock.now())])
        uow.commit()
    path, why = "/v1/reconciliation/exceptions/rex_fedwire/dismiss", {"reason": "paid by Fedwire IMAD 20261105"}

    dies_once(monkeypatch, app.state.recon.exceptions, "dismiss")  # dies before it dismisses anything
    killed(app, path, {**ana, "Idempotency-Key": "dismiss-1"}, json=why)
    assert api.get("/v1/reconciliation/exceptions/rex_fedwire", headers=ana).json()["status"] == "open"
    dies_before_answering(monkeypatch, app)  # the retry dismisses it, and dies before it answers
    killed(app, path, {**ana, "Idempotency-Key": "dismiss-1"}, json=why)

    retried = TestClient(app).post(path, headers={**ana, "Idempotency-Key": "dismiss-1"}, json=why)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["resolution"]) == ("resolved", "explained")
    assert retried.json()["resolved_by"] == "usr_ana"
    other = api.post(path, headers={**as_role("treasurer", "usr_ben"), "Idempotency-Key": "dismiss-1"}, json=why)
    assert (other.status_code, other.json()["code"]) == (409, "recon_exception_not_open")  # ben's key: not his mark
