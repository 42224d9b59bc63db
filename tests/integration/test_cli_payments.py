"""disburse payments run|submit|status as an operator uses them (the scheduler's jobs call the same functions)."""

import datetime as dt
import json

import pytest

import main
from payments.disbursements.payment_runs import PayableInvoice
from tests.payment_fakes import FakeAccounts, FakePayables


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DISBURSE_SCHEDULER", "false")
    return tmp_path


def test_run_submit_and_status_on_an_agency_with_nothing_to_pay(env, capsys):
    assert main.cli(["init", "--example"]) == 0
    capsys.readouterr()
    assert main.cli(["payments", "run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["run"] is None
    assert main.cli(["payments", "submit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main.cli(["payments", "status", "--json", "--poll"]) == 0
    assert json.loads(capsys.readouterr().out) == {"polled": {}, "runs": []}


def test_status_lists_a_run_and_its_payments_by_status(env, capsys):
    main.cli(["init", "--example"])
    c = main.build()
    invoices = FakePayables([PayableInvoice(f"inv_{n}", "ven_A", f"INV-{n}", "USD", 5_000, dt.date(2026, 1, 2))
                             for n in range(3)])
    run = main.wire_payments(c, invoices=invoices, accounts=FakeAccounts()).create_run(run_key="k").run
    capsys.readouterr()
    assert main.cli(["payments", "status", run.id, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["run_id"] == run.id and row["by_status"] == {"scheduled": 1} and row["total_minor"] > 15_000
    assert main.cli(["payments", "status"]) == 0
    assert run.id in capsys.readouterr().out


def test_the_scheduler_knows_the_payment_jobs(env):
    main.cli(["init"])
    names = {job.name for job in main.jobs(main.build())}
    assert {"payments_create_run", "payments_submit", "payments_poll_status", "payments_prenote_relay"} <= names
