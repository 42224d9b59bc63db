"""Engines for the embedded SQLite default and for PostgreSQL in production."""

from __future__ import annotations

import os
import stat

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def normalize_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        private_sqlite_files(make_url(url).database)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


def private_sqlite_files(database: str | None) -> None:
    """The database file, and its ``-wal`` and ``-shm``, readable and writable by the owner only (0600).

    The file is created here, before SQLite opens it, with mode 0600 (the umask can only take bits away); SQLite
    creates its write-ahead log and shared-memory files with the database file's mode. Files left group- or
    world-readable by an older version are tightened. An in-memory database has no file.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    fd = os.open(database, os.O_RDWR | os.O_CREAT, 0o600)  # never truncates an existing database
    os.close(fd)
    for path in (database, f"{database}-wal", f"{database}-shm"):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(path, mode & 0o600)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and never takes the write lock up front; we
    # turn it off and begin IMMEDIATE ourselves, so two writers serialize at BEGIN rather than
    # failing later on lock upgrade. This is what serializes appends to the journal's chain head.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        read_only = conn.get_execution_options().get("disburse_read_only")
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
