"""Schema upgrades with Alembic, configured in code so that no alembic.ini must sit beside the app."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from ledger.errors import CodedError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` inside one transaction.

    Feature migrations branch from a common base and are applied together ("heads"), so that
    features developed side by side need not agree on one linear order. A database already at the heads is left
    alone without starting Alembic's environment (every start of a process and every worker pays for that).
    """
    if revision == "heads" and is_current(engine):
        with migration_connection(engine):  # nothing to apply; SQLite still checks that no row refers to nothing
            return
    cfg = alembic_config()
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class ForeignKeyViolation(CodedError, RuntimeError):
    """A migration left rows that refer to nothing (SQLite, where foreign keys are checked after it)."""

    code = "orphaned_rows"


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for migrations to run in.

    On SQLite, Alembic changes a constraint or a column type by rebuilding the table (create a copy, drop the
    original, rename), and with foreign keys on, dropping a table that other rows refer to fails (0012 rebuilds
    recon_lines, which every settlement's match row names). The pragma is ignored inside a transaction, so
    foreign keys are turned off before it begins, checked as a whole before it commits, and turned on again.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        dbapi = conn.connection.dbapi_connection if sqlite else None
        if dbapi is not None:  # nothing has begun yet: the driver runs this outside any transaction
            dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if not sqlite:  # a migration may rewrite a big table: no statement or idle limit for it
                    conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
                    conn.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = 0")
                yield conn
                if sqlite and (orphans := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise ForeignKeyViolation(f"the migration left rows that refer to nothing: {orphans[:5]}")
        finally:
            if dbapi is not None:
                dbapi.execute("PRAGMA foreign_keys=ON")


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def applied_revisions(engine: Engine) -> set[str]:
    """Every revision the database has passed through: its heads and all they revise."""
    heads = current_revisions(engine)
    if not heads:
        return set()
    return {r.revision for r in _scripts().iterate_revisions(tuple(heads), "base")}


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration scripts, read (and compiled) once a process: they are part of the installed code."""
    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> set[str]:
    return set(_scripts().get_heads())


def is_current(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()
