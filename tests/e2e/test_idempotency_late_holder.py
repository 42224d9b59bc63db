"""One Idempotency-Key, one answer, even when a request outlives its lease (found by the bank test, issue 17).

A :submit stalled past its lease (a lock wait, a slow disk) while the client retried with the same key: the retry took
the claim over and submitted (``accepted``), then the stalled request woke, found the run's submission in other hands
and answered its own client ``busy``. Two answers for one key. A request that lost its claim now answers with the
key's recorded answer (or 409 in flight until there is one), never its own.
"""

import threading
import time

from fastapi.testclient import TestClient

from tests.e2e.conftest import as_role
from tests.e2e.test_crash_recovery_api import world  # noqa: F401 - the fixture: two invoices, a memory rail


def test_a_request_that_outlived_its_lease_answers_with_the_retrys_answer(world):  # noqa: F811
    app, rail, _armed = world
    api = TestClient(app)
    run = api.post("/v1/payment-runs", json={}, headers=as_role("ap_clerk")).json()
    assert api.post(f"/v1/payment-runs/{run['id']}:release", headers=as_role("treasurer")).status_code == 200
    service, stalled, wake = app.state.payments, threading.Event(), threading.Event()
    real_submit = service.submit_run

    def first_call_stalls(principal, run_id):  # noqa: ANN001, ANN202
        if not stalled.is_set():
            stalled.set()
            wake.wait(10)  # past the 0.5 s lease
        return real_submit(principal, run_id)
    service.submit_run = first_call_stalls
    submit = {**as_role("treasurer"), "Idempotency-Key": "submit-once"}
    answers: list = []
    slow = threading.Thread(target=lambda: answers.append(TestClient(app).post(f"/v1/payment-runs/{run['id']}:submit",
                                                                               headers=submit)))
    slow.start()
    assert stalled.wait(10)
    time.sleep(0.6)
    retried = api.post(f"/v1/payment-runs/{run['id']}:submit", headers=submit)  # takes the claim over, submits
    wake.set()
    slow.join(10)
    late = answers[0]
    assert retried.status_code == 200 and retried.json()["result"] == "accepted", retried.text
    assert (late.status_code, late.json()) == (200, retried.json())  # the key's one answer, not "busy"
    assert late.headers.get("Idempotent-Replayed") == "true"
    assert rail.submits == 1
