"""Statement lines stored in bulk (executemany on SQLite, one COPY on PostgreSQL): all of them, or, when one
breaks a constraint, none of them and the same IntegrityError an INSERT gives. SQLite and PostgreSQL."""

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from adapters.db.bulk import bulk_insert
from adapters.db.engine import make_engine
from adapters.db.migrate import upgrade
from adapters.db.reconciliation.recon_tables import recon_lines


def line(n: int, identity: bytes) -> tuple:
    row = dict(id=f"sln_{n:02d}", identity=identity, file_id="rfl_01", statement_id="stm_01", line_ref=f"L{n}",
               account_id="4412345678", booking_date="2026-09-23", direction="debit", amount_minor=12500 + n,
               currency="USD", kind="ach_debit", type_code="466", bank_reference=f"BR{n}",
               customer_reference="231380100000077", refs="231380100000077", end_to_end_ids="", text=None,
               is_return=False, return_reason=None, state="matched")
    return tuple(row[c.name] for c in recon_lines.columns)


def test_lines_go_in_whole_or_not_at_all(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO recon_files (id, digest, format, imported_at, imported_by, summary) "
                             "VALUES ('rfl_01', 'd1', 'bai2', '2026-09-23T06:00:00+00:00', 'clerk', '{}')")
        conn.exec_driver_sql("INSERT INTO recon_statements (id, file_id, account_id, currency, interim) "
                             "VALUES ('stm_01', 'rfl_01', '4412345678', 'USD', false)")
    digest = [hashlib.sha256(f"line {n}".encode()).digest() for n in range(3)]
    with engine.begin() as conn:
        bulk_insert(conn, recon_lines, (line(n, digest[n]) for n in range(3)), 3)
    # Two more lines, the second repeating line 2's identity: refused whole, nothing of it stored.
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            bulk_insert(conn, recon_lines, [line(10, hashlib.sha256(b"new").digest()), line(11, digest[2])], 2)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(recon_lines)).scalar_one() == 3
        stored = conn.execute(select(recon_lines.c.identity).where(recon_lines.c.id == "sln_01")).scalar_one()
    assert bytes(stored) == digest[1]
    engine.dispose()
