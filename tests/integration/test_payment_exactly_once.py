"""Exactly once, whatever happens: a process SIGKILLed at each named point, a rail that times out after taking
the file, many processes triggering the same run, two schedulers firing together.

The invariant checked everywhere: every approved invoice is held by exactly one live payment, every payment
appears in exactly one delivered file (by its trace), and the ledger verifies.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

import main
from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
from adapters.rails.nacha.rail import NachaOriginator, NachaRail
from adapters.formats.nacha.reader import read
from adapters.rails.transport import DirectoryDrop
from adapters.scheduler import JobRunner
from payments.identity import Principal, Role
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.disbursements.rails import RailTimeout
from tests.integration.payment_worker import JsonPayables, container_for, invoice_rows, race_rounds, write_invoices
from tests.payment_fakes import FakeAccounts

ROOT = Path(__file__).resolve().parents[2]
TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
CRASH_POINTS = ["after_claiming", "after_writing_file", "after_rail_accepted", "before_commit"]


def delivered_traces(outbox: Path) -> Counter:
    traces: Counter = Counter()
    for path in sorted(outbox.glob("*.ach")):
        result = read(path.read_bytes(), strict=True)
        assert result.ok, (path, result.problems)
        traces.update(e.trace_number for e in result.entries())
    return traces


def assert_each_invoice_paid_once(container, invoice_ids: set[str]) -> None:
    with container.engine.connect() as conn:
        live = Counter(r[0] for r in conn.execute(select(payment_items.c.live_invoice_id)
                                                  .where(payment_items.c.live_invoice_id.is_not(None))))
    assert set(live) == invoice_ids, f"missed: {sorted(invoice_ids - set(live))[:5]}"
    assert max(live.values()) == 1


def run_worker(db_url: str, tmp: Path, *args: str, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DISBURSE_CRASH_POINT"}
    if crash:
        env["DISBURSE_CRASH_POINT"] = crash
    return subprocess.run([sys.executable, "-m", "tests.integration.payment_worker", db_url, str(tmp), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_process_killed_at_each_point_is_finished_by_the_next_one_exactly_once(container, db_url, tmp_path, point):
    write_invoices(tmp_path, invoice_rows(0, 12))
    svc = container_for(db_url, tmp_path).payments
    run = svc.create_run(run_key="daily").run
    svc.release(TREASURER, run.id)

    killed = run_worker(db_url, tmp_path, "submit", crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    finished = run_worker(db_url, tmp_path, "submit")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert svc.submit_released() == []  # a third pass finds nothing left to do

    assert svc.get_run(run.id).status is RunStatus.SENT
    sent = svc.payments_of_run(run.id)
    assert {p.status for p in sent} == {PaymentStatus.SENT}
    traces = delivered_traces(tmp_path / "outbox" / "nacha")
    assert sorted(traces) == sorted(p.trace_number for p in sent) and set(traces.values()) == {1}
    assert_each_invoice_paid_once(container, {r["id"] for r in invoice_rows(0, 12)})
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.list_entries(code="payment_sent", limit=100)) == len(sent)
    assert container.ledger.verify().ok


class TimesOutAfterDelivery(DirectoryDrop):
    """The bank's server takes the file, then the connection drops before it answers."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.deliveries = 0

    def deliver(self, name: str, data: bytes) -> bool:
        self.deliveries += 1
        super().deliver(name, data)
        if self.deliveries == 1:
            raise RailTimeout("no answer from the bank within 30 s")
        return False


def test_unknown_outcome_the_rail_accepts_then_times_out_exactly_one_submission(container, tmp_path):
    outbox = tmp_path / "outbox" / "nacha"
    transport = TimesOutAfterDelivery(outbox)
    rail = NachaRail(NachaOriginator(container.policy["nacha"]), outbox, transport=transport)
    write_invoices(tmp_path, invoice_rows(0, 6))
    svc = main.wire_payments(container, invoices=JsonPayables(tmp_path / "invoices.json"), accounts=FakeAccounts(),
                             rails=lambda _name: rail)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["unknown"]
    assert [o.result for o in svc.submit_released()] == ["accepted"]  # status check found the file: recorded
    assert transport.deliveries == 1  # never sent again
    assert len(list(outbox.glob("*.ach"))) == 1
    assert {p.status for p in svc.payments_of_run(run.id)} == {PaymentStatus.SENT}
    assert container.ledger.verify().ok


@pytest.mark.postgres
def test_eight_processes_racing_25_rounds_double_nothing_and_miss_nothing(pg_url, tmp_path, clock):
    c = main.build(__import__("tests.conftest", fromlist=["make_settings"]).make_settings(pg_url, tmp_path),
                   clock=clock, migrate=True)
    main.initialize(c, example=True)
    processes, rounds, per_round = 8, 25, 6
    # Forked (not spawned) so that eight interpreters start in a blink; the parent holds no connection then.
    c.engine.dispose()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes + 1)
    workers = [ctx.Process(target=race_rounds, args=(pg_url, str(tmp_path), i, rounds, barrier))
               for i in range(processes)]
    for w in workers:
        w.start()
    try:
        rows: list[dict] = []
        for r in range(rounds):
            rows += invoice_rows(len(rows), per_round)
            write_invoices(tmp_path, rows)  # approved before the round starts: the round must pay them
            barrier.wait(timeout=120)
            barrier.wait(timeout=120)
            assert_each_invoice_paid_once(c, {row["id"] for row in rows})
    finally:
        for w in workers:
            w.join(timeout=60)
    assert all(w.exitcode == 0 for w in workers)
    with c.engine.connect() as conn:
        doubled = conn.execute(select(payment_items.c.invoice_id).group_by(payment_items.c.invoice_id)
                               .having(func.count() > 1)).all()
        assert doubled == []
        assert conn.execute(select(func.count()).select_from(payments)).scalar() >= rounds
    c.engine.dispose()


def test_two_schedulers_firing_together_make_one_run_and_one_submission(container, tmp_path):
    write_invoices(tmp_path, invoice_rows(0, 8))
    main.wire_payments(container, invoices=JsonPayables(tmp_path / "invoices.json"), accounts=FakeAccounts())
    jobs = {j.name: j for j in main.jobs(container)}
    runners = [JobRunner(SqlLeaderLock(container.engine, f"host-{i}:1"), SqlRunKeys(container.engine, f"host-{i}:1"),
                         container.clock) for i in range(2)]
    at = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.timezone.utc)

    def fire_both(job_name: str) -> list[str]:
        results: list[str] = []
        threads = [threading.Thread(target=lambda r=r: results.append(r.fire(jobs[job_name], at))) for r in runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sorted(results)

    assert fire_both("payments_create_run").count("done") == 1
    (run,) = container.payments.list_runs()
    container.payments.release(TREASURER, run.id)
    assert fire_both("payments_submit").count("done") == 1
    assert len(list((tmp_path / "outbox" / "nacha").glob("*.ach"))) == 1
    assert container.payments.get_run(run.id).status is RunStatus.SENT
    for r in runners:
        r._leader.release()
