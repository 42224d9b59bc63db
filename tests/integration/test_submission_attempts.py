"""The submission lease belongs to one delivery attempt, not to the process (issue 17): two ``:submit`` calls on
the same server a few milliseconds apart must not both hand the batch to the rail. A rail that does not
deduplicate sees exactly one call."""

from __future__ import annotations

import threading

import main
from payments.identity import Principal, Role
from payments.disbursements.payment_states import PaymentStatus
from payments.disbursements.rails import RailBatch, RailSubmission
from tests.integration.payment_worker import JsonPayables, invoice_rows, write_invoices
from tests.payment_fakes import FakeAccounts, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))


class SlowCountingRail(MemoryRail):
    """Takes its time over a file and never deduplicates: every submit() is a file at the bank."""

    def __init__(self) -> None:
        super().__init__(name="nacha")
        self.inside = threading.Event()
        self.let_go = threading.Event()

    def submit(self, batch: RailBatch) -> RailSubmission:
        with self.lock:
            self.submits += 1
        self.inside.set()
        self.let_go.wait(10)
        with self.lock:
            self.received[batch.submission_id] = batch
        return self._receipt(batch)


def test_two_submits_of_one_run_in_one_process_reach_the_rail_once(container, tmp_path):
    rail = SlowCountingRail()
    write_invoices(tmp_path, invoice_rows(0, 4))
    svc = main.wire_payments(container, invoices=JsonPayables(tmp_path / "invoices.json"), accounts=FakeAccounts(),
                             rails=lambda _name: rail)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    results: dict[str, str] = {}

    def submit(name: str) -> None:
        results[name] = svc.submit_run(TREASURER, run.id).result

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    assert rail.inside.wait(10)  # the first request is at the bank with the file ...
    second = threading.Thread(target=submit, args=("second",))
    second.start()  # ... when the second arrives, 30 ms later, on the same server
    second.join(2)
    rail.let_go.set()
    first.join(10)
    second.join(10)

    assert rail.submits == 1
    assert results == {"first": "accepted", "second": "busy"}
    assert {p.status for p in svc.payments_of_run(run.id)} == {PaymentStatus.SENT}
    assert svc.recover() == []  # nothing left open, nothing left leased
    assert container.ledger.verify().ok
