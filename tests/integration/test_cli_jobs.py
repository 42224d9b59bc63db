"""Every scheduled job from the command line: an agency that runs with the scheduler off drives them from cron."""

import json

import pytest

import main


@pytest.fixture
def agency(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DISBURSE_INBOX_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("DISBURSE_SCHEDULER", "false")
    assert main.cli(["init"]) == 0
    capsys.readouterr()
    return tmp_path


def test_jobs_list_names_every_job_the_scheduler_fires(agency, capsys):
    assert main.cli(["jobs", "list", "--json"]) == 0
    listed = {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert listed == {job.name for job in main.jobs(main.build())}
    assert {"bank_accounts_activate", "payments_prenote_relay", "payments_submit", "reconcile"} <= listed


def test_a_job_run_from_the_command_line_does_what_the_scheduler_would(agency, capsys):
    container = main.build()
    with container.uow(read_only=True) as uow:
        before = len(uow.ledger_queries.checkpoints())
    assert main.cli(["jobs", "run", "ledger_checkpoint", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["job"] == "ledger_checkpoint"
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.checkpoints()) == before + 1
    assert main.cli(["jobs", "run", "bank_accounts_activate"]) == 0  # nothing cooled off yet: activates none
    assert capsys.readouterr().out.strip() == "bank_accounts_activate: 0"


def test_an_unknown_job_is_refused_with_exit_2(agency, capsys):
    assert main.cli(["jobs", "run", "pay_everyone"]) == 2
    assert "unknown_job" in capsys.readouterr().err
