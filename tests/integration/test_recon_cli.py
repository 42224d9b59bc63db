"""`disburse statements import` and `disburse reconcile` as an operator uses them, and the drop folder."""

from __future__ import annotations

import json
import os
import time

import pytest

import main
from adapters.statements.drop_folder import pick_up
from tests.unit.reconciliation.nacha_files import returns_file
from tests.unit.reconciliation.statement_files import bai2

from .recon_support import seed_payments

EXAMPLE_CASH = 1_650_000_000


@pytest.fixture
def env(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("DISBURSE_INBOX_DIR", str(tmp_path / "inbox"))
    assert main.cli(["init", "--example"]) == 0
    container = main.build()  # the example agency holds 16,500,000.00 of cash, as the bank's opening balance says
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])
    container.engine.dispose()
    return tmp_path


def _statement(env, name="stmt.bai2", **kw):  # noqa: ANN001, ANN003, ANN202
    path = env / name
    path.write_bytes(bai2([("466", 746999, "ACH0923", "run_1", "ACH SETTLEMENT")], opening=EXAMPLE_CASH, **kw))
    return path


def test_import_prints_what_it_did_and_a_second_import_does_nothing(env, capsys):
    path = _statement(env)
    capsys.readouterr()
    assert main.cli(["statements", "import", str(path), "--dry-run"]) == 0
    assert "dry run, nothing written" in capsys.readouterr().out
    assert main.cli(["statements", "import", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["lines_matched"], out["payments_settled"], out["duplicate_file"]) == (1, 2, False)
    assert main.cli(["statements", "import", str(path)]) == 0
    assert "already imported" in capsys.readouterr().out


def test_a_malformed_file_exits_2_naming_where(env, capsys):
    path = env / "bad.bai2"
    path.write_bytes(_statement(env).read_bytes().replace(b"746999", b"74X999", 1))
    capsys.readouterr()
    assert main.cli(["statements", "import", str(path), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] and out["code"].startswith("malformed_") and out["location"]


def test_returns_file_with_explicit_format_and_reconcile_report(env, capsys):
    (env / "r.ach").write_bytes(returns_file([(2, 1999, "R01")]))
    assert main.cli(["statements", "import", str(env / "r.ach"), "--format", "nacha"]) == 0
    assert main.cli(["statements", "import", str(_statement(env))]) == 0
    capsys.readouterr()
    assert main.cli(["reconcile", "--date", "2026-09-23", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["report"]["ties_out"], body["report"]["cash"]
    assert main.cli(["reconcile", "--date", "2026-09-23", "--csv"]) == 0
    assert capsys.readouterr().out.startswith('"section","reference",')
    assert main.cli(["reconcile", "--date", "2026-09-23"]) == 0
    assert "TIES OUT" in capsys.readouterr().out


def test_the_drop_folder_imports_moves_and_explains_rejections(env):
    container = main.build()
    inbox = env / "inbox"
    inbox.mkdir()
    _statement(inbox, "good.bai2")
    (inbox / "bad.bai2").write_bytes(b"01,garbage/\n")
    old = time.time() - 60
    for p in inbox.iterdir():
        os.utime(p, (old, old))
    results = {r["file"]: r["result"] for r in pick_up(inbox, main.wire_recon(container).service.import_file)}
    assert results == {"good.bai2": "imported", "bad.bai2": "rejected"}
    assert (inbox / "done" / "good.bai2").exists() and (inbox / "rejected" / "bad.bai2.reason.txt").exists()
    assert pick_up(inbox, main.wire_recon(container).service.import_file) == []


def test_the_scheduler_knows_the_reconciliation_jobs(env):
    names = {job.name for job in main.jobs(main.build())}
    assert {"statements_pick_up", "reconcile"} <= names
