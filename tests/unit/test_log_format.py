"""What the CLI logs: Alembic says which migrations ran, not its plugins and dialect on every command."""

import logging

from adapters.log_format import configure_logging


def test_alembic_reports_migrations_run_and_nothing_else(capsys):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("text", "INFO")
    try:
        logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.schemas")
        migration = logging.getLogger("alembic.runtime.migration")
        migration.info("Context impl SQLiteImpl.")
        migration.info("Will assume non-transactional DDL.")
        migration.info("Running upgrade 0001_ledger -> 0015_ledger_refs, journal postings on PostgreSQL")
        migration.warning("something Alembic warns about")
        logging.getLogger("disburse.payments").info("run rn_01 submitted")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "setup plugin" not in err and "Context impl" not in err and "Will assume" not in err
    assert "Running upgrade 0001_ledger -> 0015_ledger_refs" in err
    assert "something Alembic warns about" in err and "run rn_01 submitted" in err
