"""Backups (issue 17): ``pg_dump`` of a live database while payment runs are created, released and handed to the
bank, restored into a fresh database; the restored books verify, hold the last checkpoint, and the restored service
pays on without paying anything twice.

The dump is taken from a snapshot exported by the test (``pg_dump --snapshot``), so what it holds is fixed: run 2
was released before it, and its file reached the bank after it. The restored service must recognise that submission
at the bank (the submission id is derived from the run) rather than write a second file, and must book the traces the
bank holds. Skipped, saying so, when the PostgreSQL client tools are not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

import main
from payments.example.example_agency import example_accounts
from tests.conftest import _pg_database, make_settings
from tests.integration.payment_worker import container_for, invoice_rows, write_invoices
from tests.integration.test_payment_exactly_once import TREASURER, assert_each_invoice_paid_once, delivered_traces

TOOLS = [shutil.which("pg_dump"), shutil.which("pg_restore")]
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not all(TOOLS), reason="pg_dump/pg_restore not installed (apt: postgresql-client)")]


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pay(svc, *, submit: bool = True) -> str:  # noqa: ANN001
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    if submit:
        svc.submit_released()
    return run.id


def cli(monkeypatch, url: str, tmp: Path, *argv: str) -> int:  # noqa: ANN001
    monkeypatch.setenv("DISBURSE_DATABASE_URL", url)
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp / "keys"))
    return main.cli(list(argv))


def test_a_dump_taken_under_writes_restores_verifies_and_pays_on_without_paying_twice(pg_url, tmp_path, clock,
                                                                                     monkeypatch, capsys):
    live = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    main.initialize(live, example=False)
    live.ledger.add_accounts(example_accounts())
    rows = invoice_rows(0, 10)
    write_invoices(tmp_path, rows)
    svc = container_for(pg_url, tmp_path).payments
    pay(svc)  # run 1: at the bank before the backup
    checkpoint = live.ledger.checkpoint()
    (tmp_path / "checkpoint.json").write_text(checkpoint.to_json())
    rows += invoice_rows(10, 8)
    write_invoices(tmp_path, rows)
    run2 = pay(svc, submit=False)  # released before the backup ...

    dump = tmp_path / "disburse.dump"
    with psycopg.connect(libpq(pg_url)) as snap:
        snap.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        snapshot = snap.execute("SELECT pg_export_snapshot()").fetchone()[0]
        svc.submit_released()  # ... and handed to the bank after it
        writes = Counter()

        def keep_writing() -> None:  # more runs made and released while pg_dump reads
            for n in range(3):
                write_invoices(tmp_path, rows + invoice_rows(18, 4 * (n + 1)))
                pay(svc, submit=False)
                writes["runs released during the dump"] += 1
        writer = threading.Thread(target=keep_writing)
        writer.start()
        done = subprocess.run([TOOLS[0], "-Fc", f"--snapshot={snapshot}", "-f", str(dump), libpq(pg_url)],
                              capture_output=True, text=True, timeout=120)
        writer.join(60)
        snap.rollback()
    assert done.returncode == 0, done.stderr
    assert writes["runs released during the dump"] == 3
    live.engine.dispose()

    for restored in _pg_database():  # a fresh database on the same server
        out = subprocess.run([TOOLS[1], "--no-owner", "--exit-on-error", "-d", libpq(restored), str(dump)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        capsys.readouterr()
        assert cli(monkeypatch, restored, tmp_path, "ledger", "verify", "--trust-database",
                   "--checkpoint", str(tmp_path / "checkpoint.json"), "--json") == 0, capsys.readouterr()
        assert cli(monkeypatch, restored, tmp_path, "audit", "verify", "--json") == 0, capsys.readouterr()
        back = main.build(make_settings(restored, tmp_path), clock=clock, migrate=False)
        with back.uow(read_only=True) as uow:
            last = uow.ledger_queries.checkpoints()[-1]
        assert (last.sequence, last.head_hash) == (checkpoint.sequence, checkpoint.head_hash)

        # The restored service: run 2 is released in its books and already at the bank.
        files_before = sorted((tmp_path / "outbox" / "nacha").glob("*.ach"))
        restored_svc = container_for(restored, tmp_path).payments
        outcomes = {o.run_id: o.result for o in restored_svc.submit_released()}
        assert outcomes.get(run2) == "accepted", outcomes  # recognised by its submission id
        assert sorted((tmp_path / "outbox" / "nacha").glob("*.ach")) == files_before  # no second file
        write_invoices(tmp_path, rows + invoice_rows(18, 12))  # everything the live service had approved
        pay(restored_svc)  # the next run pays what the restored books have not paid, once
        sent = {p.trace_number for r in restored_svc.list_runs(limit=100) for p in restored_svc.payments_of_run(r.id)
                if p.status.value == "sent"}
        traces = delivered_traces(tmp_path / "outbox" / "nacha")
        assert max(traces.values()) == 1 and set(traces) == sent, "the restored books and the bank disagree"
        assert_each_invoice_paid_once(back, {r["id"] for r in rows + invoice_rows(18, 12)})
        assert back.ledger.verify().ok
        print("backup:", json.dumps({"dump bytes": dump.stat().st_size, "files at the bank": len(files_before) + 1,
                                     **writes}))
        back.engine.dispose()
