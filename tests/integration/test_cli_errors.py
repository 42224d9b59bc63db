"""Every CLI error is one line with a code on standard error, exit 2 for input refused, never a traceback (issue 12,
item 18): a missing path, a directory, a malformed policy file (with its line and column, as the README promises), a
setting that is not a number, and orphaned journal rows. Run as an operator runs them: the ``disburse`` script."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DISBURSE = Path(sys.executable).with_name("disburse")


@pytest.fixture
def env(tmp_path):  # noqa: ANN001, ANN201
    return {**os.environ, "DISBURSE_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
            "DISBURSE_KEY_DIR": str(tmp_path / "keys"), "DISBURSE_INBOX_DIR": str(tmp_path / "inbox"),
            "DISBURSE_OUTBOX_DIR": str(tmp_path / "outbox"), "DISBURSE_SCHEDULER": "false"}


def disburse(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DISBURSE), *args], env=env, capture_output=True, text=True, timeout=120)


def one_line_error(result: subprocess.CompletedProcess, code: str, status: int = 2) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {code}: "), result.stderr
    return lines[0]


def test_a_missing_path_and_a_directory_are_one_line_each(env, tmp_path):
    assert disburse(env, "init").returncode == 0
    for command in (["statements", "import"], ["import", "invoices"]):
        line = one_line_error(disburse(env, *command, str(tmp_path / "nowhere.xml")), "file_not_found")
        assert "nowhere.xml" in line
        one_line_error(disburse(env, *command, str(tmp_path)), "is_a_directory")


def test_a_malformed_policy_file_is_named_with_its_line_and_column(env, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[dates]\nyears_before = 7\n[payments\nrail = "nacha"\n')
    line = one_line_error(disburse({**env, "DISBURSE_POLICY_FILE": str(policy)}, "init"), "invalid_policy")
    assert "policy.toml" in line and "line 3, column" in line
    missing = one_line_error(disburse({**env, "DISBURSE_POLICY_FILE": str(tmp_path / "none.toml")}, "init"),
                             "invalid_policy")
    assert "none.toml" in missing


def test_a_setting_that_is_not_a_number_is_named(env):
    line = one_line_error(disburse({**env, "DISBURSE_PORT": "eighty"}, "config", "show"), "invalid_setting")
    assert "DISBURSE_PORT" in line


def test_orphaned_journal_rows_are_one_line_with_a_code(env, tmp_path):
    assert disburse(env, "init", "--example").returncode == 0
    db = sqlite3.connect(tmp_path / "d.db")
    db.execute("PRAGMA foreign_keys=OFF")  # what a hand edit or a broken restore leaves behind
    db.execute("INSERT INTO ledger_postings VALUES (999999, 0, '100-1010', 'debit', 5, 'USD', '2026-07-01')")
    db.commit()
    db.close()
    line = one_line_error(disburse(env, "db", "upgrade"), "orphaned_rows")
    assert "ledger_postings" in line
