"""Migration 0012_recon_speed on a database that already holds imported lines: line identities become the 32
bytes of their SHA-256, converted exactly, so a statement imported before the upgrade is still recognized after
it; the downgrade gives back the very same hex. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from adapters.db.engine import make_engine
from adapters.db.migrate import alembic_config, migration_connection
from adapters.db.reconciliation.recon_tables import recon_lines

IDENTITY_TEXT = "4412345678|2026-09-23|ref|BR77|debit|12500"


def _migrate(engine, step, revision: str) -> None:  # noqa: ANN001
    cfg = alembic_config()
    with migration_connection(engine) as conn:  # as ``disburse db upgrade`` runs them
        cfg.attributes["connection"] = conn
        step(cfg, revision)


def _line_row(identity: str | bytes) -> dict:
    return dict(id="sln_01", identity=identity, file_id="rfl_01", statement_id="stm_01", line_ref="L3",
                account_id="4412345678", booking_date="2026-09-23", direction="debit", amount_minor=12500,
                currency="USD", kind="ach_debit", type_code="466", bank_reference="BR77",
                customer_reference="231380100000077", refs="231380100000077 BR77", end_to_end_ids="",
                text="ACH", is_return=False, return_reason=None, state="matched")


@pytest.mark.empty_db  # it walks the migrations itself, from before 0012
def test_line_identities_are_converted_exactly_both_ways(db_url) -> None:  # noqa: ANN001
    engine = make_engine(db_url)
    digest = hashlib.sha256(IDENTITY_TEXT.encode())
    _migrate(engine, command.upgrade, "0007_recon")
    with engine.begin() as conn:  # as 0007 stored it: the hex digest in a text column
        conn.exec_driver_sql(
            "INSERT INTO recon_files (id, digest, format, imported_at, imported_by, summary) "
            "VALUES ('rfl_01', 'd1', 'bai2', '2026-09-23T06:00:00+00:00', 'clerk', '{}')")
        conn.exec_driver_sql(
            "INSERT INTO recon_statements (id, file_id, account_id, currency, interim) "
            "VALUES ('stm_01', 'rfl_01', '4412345678', 'USD', false)")
        marker = "%s" if db_url.startswith("postgres") else "?"
        row = _line_row(digest.hexdigest())
        conn.exec_driver_sql(f"INSERT INTO recon_lines ({', '.join(row)}) VALUES ({', '.join([marker] * len(row))})",
                             tuple(row.values()))
        # ... and settled a payment: a match row refers to the line, as after any reconciled statement (SQLite
        # rebuilds recon_lines to change its column; with foreign keys on, dropping the old table would fail).
        conn.exec_driver_sql(
            "INSERT INTO recon_matches (line_id, payment_id, role, method, confidence_pct, amount_minor, currency, "
            "booking_date, posted, entry_id, matched_at, matched_by) VALUES ('sln_01', 'pay_01', 'settlement', "
            "'trace', 100, 12500, 'USD', '2026-09-23', true, NULL, '2026-09-23T06:00:00Z', 'system')")

    _migrate(engine, command.upgrade, "heads")
    with engine.connect() as conn:
        stored = conn.execute(select(recon_lines.c.identity)).scalar_one()
    assert bytes(stored) == digest.digest()  # what the importer now computes for the same line
    with engine.connect() as conn:  # the settlement still names its line
        assert conn.exec_driver_sql("SELECT line_id FROM recon_matches").scalar_one() == "sln_01"
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("payments")}
    assert "ix_payments_trace_number" in indexes
    with engine.begin() as conn:  # the identity is still UNIQUE: the same bank entry cannot be stored twice
        with pytest.raises(IntegrityError, match="(?i)unique"), conn.begin_nested():
            conn.execute(insert(recon_lines).values(**{**_line_row(digest.digest()), "id": "sln_02"}))

    _migrate(engine, command.downgrade, "0012_recon_speed-1")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT identity FROM recon_lines").scalar_one() == digest.hexdigest()
    assert "ix_payments_trace_number" not in {ix["name"] for ix in inspect(engine).get_indexes("payments")}
    engine.dispose()
