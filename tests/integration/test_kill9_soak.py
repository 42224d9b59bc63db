"""Kill -9 soak (issue 17): a payment process that creates, releases and submits runs in a loop is SIGKILLed at
random moments, and at each named crash point in turn, then restarted; new invoices are approved between kills.
Whatever the moment: 0 files written twice (each trace in one delivered file), 0 submissions lost (every payment the
books call sent is in a file, every file's payments are sent), every invoice paid exactly once, and the journal
verifies with one ``payment_sent`` a payment.

The default suite kills it at each crash point and a few random moments, on SQLite and PostgreSQL; ``DISBURSE_SOAK=1``
kills it 100 times and prints the counts.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import main
from adapters.db.disbursements.payment_tables import payments
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.example.example_agency import example_accounts
from sqlalchemy import select
from tests.conftest import make_settings
from tests.integration.payment_worker import container_for, invoice_rows, write_invoices
from tests.integration.test_payment_exactly_once import (CRASH_POINTS, TREASURER, assert_each_invoice_paid_once,
                                                         delivered_traces)

SOAK = os.environ.get("DISBURSE_SOAK") == "1"


def pay_forever(db_url: str, tmp: str, crash: str | None) -> None:
    """The payment process (forked): every approved invoice into a run, released and handed to the rail, again and
    again, until it is killed."""
    if crash:
        os.environ["DISBURSE_CRASH_POINT"] = crash  # it SIGKILLs itself there (adapters/crash_points.py)
    else:
        os.environ.pop("DISBURSE_CRASH_POINT", None)
    svc = container_for(db_url, Path(tmp)).payments
    while True:
        svc.create_run()
        for run in svc.list_runs(status=RunStatus.DRAFT, limit=1000):
            svc.release(TREASURER, run.id)
        svc.submit_released()
        time.sleep(0.005)


def test_a_payment_process_killed_at_random_and_at_each_crash_point_pays_once_and_loses_nothing(db_url, tmp_path,
                                                                                                clock):
    c = main.build(make_settings(db_url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=False)
    c.ledger.add_accounts(example_accounts())
    c.engine.dispose()  # the parent holds no connection while it forks
    rng = random.Random(17)
    kills = 100 if SOAK else 5
    ctx = multiprocessing.get_context("fork")
    rows: list[dict] = []
    counts = {"kills": 0, "killed at a crash point": 0, "killed at random": 0}
    for i in range(kills):
        rows += invoice_rows(len(rows), rng.randrange(2, 9))
        write_invoices(tmp_path, rows)
        crash = CRASH_POINTS[i % len(CRASH_POINTS)] if i < len(CRASH_POINTS) or rng.random() < 0.3 else None
        worker = ctx.Process(target=pay_forever, args=(db_url, str(tmp_path), crash))
        worker.start()
        if crash:
            worker.join(60)  # it kills itself when it reaches the point; new invoices make sure it does
        else:
            time.sleep(rng.uniform(0.05, 1.0))
        if worker.is_alive():
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(30)
        assert worker.exitcode == -signal.SIGKILL, f"the worker ended by itself ({worker.exitcode}): it failed"
        counts["kills"] += 1
        counts["killed at a crash point" if crash else "killed at random"] += 1

    # Restarted for good: one clean pass finishes what the last kill left, and pays anything still approved.
    svc = container_for(db_url, tmp_path).payments
    svc.submit_released()
    svc.create_run()
    for run in svc.list_runs(status=RunStatus.DRAFT, limit=1000):
        svc.release(TREASURER, run.id)
    svc.submit_released()

    with c.engine.connect() as conn:
        sent = {r.trace_number for r in conn.execute(select(payments.c.trace_number)
                                                      .where(payments.c.status == PaymentStatus.SENT.value))}
        not_sent = conn.execute(select(payments.c.id, payments.c.status)
                                .where(payments.c.status != PaymentStatus.SENT.value)).all()
    traces = delivered_traces(tmp_path / "outbox" / "nacha")
    assert not traces or max(traces.values()) == 1, "a payment was written into two files"
    assert set(traces) == sent, "the books and the delivered files disagree"
    assert not_sent == [], f"left behind: {not_sent[:5]}"
    assert_each_invoice_paid_once(c, {r["id"] for r in rows})
    with c.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.list_entries(code="payment_sent", limit=10_000)) == len(sent)
    assert c.ledger.verify().ok
    counts.update({"invoices": len(rows), "payments sent": len(sent),
                   "files": len(list((tmp_path / "outbox" / "nacha").glob("*.ach")))})
    print("kill -9 soak:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    c.engine.dispose()
