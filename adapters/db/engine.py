"""Engines for the embedded SQLite default and for PostgreSQL in production."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def normalize_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class PoolOptions:
    """The PostgreSQL pool and the server-side timeouts every session starts with (``DISBURSE_DB_*``).

    The timeouts are what keeps a request from waiting forever: ``lock_timeout`` bounds a wait for a row lock (the
    chain head, a run being submitted), ``statement_timeout`` a runaway query, ``idle_in_transaction_session_timeout``
    a process that stalled (or was stopped) while holding locks in an open transaction. 0 turns one off. Migrations
    lift the statement and idle limits for their own transaction (``migrate.migration_connection``).
    """

    size: int = 5
    max_overflow: int = 10
    timeout_s: int = 30
    recycle_s: int = 1800
    pre_ping: bool = True
    statement_timeout_ms: int = 300_000
    lock_timeout_ms: int = 60_000
    idle_in_transaction_timeout_ms: int = 300_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, bool) and value < 0:
                raise ValueError(f"pool option {name} must not be negative ({value})")

    def server_options(self) -> str:
        """libpq's ``options``: settings the server applies to each new session."""
        return (f"-c statement_timeout={self.statement_timeout_ms} -c lock_timeout={self.lock_timeout_ms} "
                f"-c idle_in_transaction_session_timeout={self.idle_in_transaction_timeout_ms}")


def make_engine(url: str, *, echo: bool = False, pool_size: int | None = None,
                options: PoolOptions | None = None) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        private_sqlite_files(make_url(url).database)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    o = options or PoolOptions()
    return create_engine(url, echo=echo, pool_size=o.size if pool_size is None else pool_size,
                         max_overflow=o.max_overflow, pool_timeout=o.timeout_s, pool_recycle=o.recycle_s or -1,
                         pool_pre_ping=o.pre_ping,
                         connect_args={"options": o.server_options(), "application_name": "disburse"})


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
