"""The CLI as an operator uses it: init, verify (exit codes), checkpoint export, keys, config show."""

import json
import os
import stat

import pytest
from sqlalchemy import text

import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    return tmp_path


def test_init_example_then_verify_checkpoint_rotate_and_verify_offline(env, capsys):
    assert main.cli(["init", "--example"]) == 0
    assert main.cli(["init", "--example"]) == 0
    assert "already exists" in capsys.readouterr().out
    keyfile = next((env / "keys").glob("ledger-*.ed25519"))
    assert stat.S_IMODE(os.stat(keyfile).st_mode) == 0o600
    assert main.cli(["ledger", "checkpoint", "--out", str(env / "cp.json")]) == 0
    assert main.cli(["keys", "rotate"]) == 0
    assert main.cli(["keys", "export-public", "--out", str(env / "keys.json")]) == 0
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--json", "--checkpoint", str(env / "cp.json"),
                     "--keys", str(env / "keys.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    with main.build().uow(read_only=True) as uow:  # the example's AP documents post entries of their own
        total = uow.ledger_queries.count_entries()
    assert report["ok"] and report["entries_checked"] == total >= 6


def test_verify_exits_1_and_names_the_entry_when_the_database_was_edited(env, capsys):
    main.cli(["init", "--example"])
    c = main.build()
    with c.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER ledger_postings_no_update"))
        conn.execute(text("UPDATE ledger_postings SET amount_minor = amount_minor + 1 WHERE entry_sequence = 3 "
                          "AND idx = 0"))
    capsys.readouterr()
    assert main.cli(["ledger", "verify", "--trust-database"]) == 1
    out = capsys.readouterr().out
    assert "hash_mismatch" in out and "sequence 3" in out


def test_config_show_masks_the_database_password(env, monkeypatch, capsys):
    monkeypatch.setenv("DISBURSE_DATABASE_URL", "postgresql://ap:s3cret-pw@db.example/disburse")
    assert main.cli(["config", "show", "--json"]) == 0
    out = capsys.readouterr().out
    assert "s3cret-pw" not in out and "***" in out


def test_a_domain_error_is_a_clear_message_and_exit_2(env, capsys):
    main.cli(["init"])
    bad = env / "cp.json"
    bad.write_text("{not json")
    assert main.cli(["ledger", "verify", "--trust-database", "--checkpoint", str(bad)]) == 2
    assert "invalid_checkpoint_file" in capsys.readouterr().err


def test_nacha_check_summarizes_a_good_file_and_exits_1_on_problems(tmp_path, capsys):
    from pathlib import Path
    good = Path(__file__).parents[1] / "data" / "nacha" / "ccd_credit.ach"
    assert main.cli(["nacha", "check", str(good), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    broken = tmp_path / "broken.ach"
    lines = good.read_text().splitlines()
    lines[2] = lines[2][:29] + "9" + lines[2][30:]  # one amount digit changed: totals and hash no longer agree
    broken.write_text("\n".join(lines) + "\n")
    assert main.cli(["nacha", "check", str(broken)]) == 1
    assert "line" in capsys.readouterr().out
