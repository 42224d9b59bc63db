"""Issue 12, item 8: ``disburse.db`` and its ``-wal``/``-shm`` are created 0600, not world-readable (the key folder
already was): the journal, the audit trail and sealed account numbers are nobody else's to read."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

import main
from adapters.db.engine import make_engine


def mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():  # noqa: ANN201
    old = os.umask(0o022)  # what most shells run with: new files 0644 unless asked otherwise
    yield
    os.umask(old)


def test_the_cli_creates_the_database_and_its_wal_and_shm_0600(tmp_path, monkeypatch, umask_022):
    db = tmp_path / "disburse.db"
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["init"]) == 0
    assert mode(db) == 0o600
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:  # while a connection is open, WAL mode keeps -wal and -shm beside the file
        conn.execute(text("SELECT count(*) FROM users")).scalar()
        assert {p.name: mode(p) for p in tmp_path.iterdir() if p.name.startswith("disburse.db")} == {
            "disburse.db": 0o600, "disburse.db-wal": 0o600, "disburse.db-shm": 0o600}
    engine.dispose()
    assert mode(tmp_path / "keys") & 0o077 == 0


def test_a_database_left_world_readable_is_tightened_when_opened(tmp_path, umask_022):
    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    os.chmod(db, 0o644)
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar()
        assert mode(db) == 0o600 and mode(f"{db}-wal") == 0o600
    engine.dispose()
