"""Every stored column of every journal table is covered by the hash, or derived from what it covers and checked
(issue 13, found 2): an insider edits one column of one row at a time, triggers out of the way, and
`ledger verify` names the row and the fault. The postings' effective_date, the column that once moved a
reconciliation from "ties out" to "does not tie out" unseen, is the derived_mismatch of its entry.

Each case starts from the same journal (payments, a key rotation, more payments, a checkpoint), on SQLite and
PostgreSQL."""

import datetime as dt
import os
import shutil
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import main
from adapters.clock import FixedClock
from adapters.db.ledger.ledger_tables import LEDGER, checkpoints, signing_keys
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from tests.conftest import make_settings

PAY, ROT, CP = 3, 5, 8  # a payment entry, the rotation entry, the checkpoint's sequence (the last entry)

# (table, column): (SQL that edits that column of one row, the fault code, the sequence it must name)
CASES = {
    ("ledger_entries", "sequence"): ("UPDATE ledger_entries SET sequence = 100 WHERE sequence = 3", "sequence_gap", PAY),
    ("ledger_entries", "id"): ("UPDATE ledger_entries SET id = 'je_01JZ0000000000000000000000' WHERE sequence = 3",
                               "hash_mismatch", PAY),
    ("ledger_entries", "effective_date"): ("UPDATE ledger_entries SET effective_date = '2026-08-02' "
                                           "WHERE sequence = 3", "hash_mismatch", PAY),
    ("ledger_entries", "recorded_at"): ("UPDATE ledger_entries SET recorded_at = '2026-01-01T00:00:00.000000Z' "
                                        "WHERE sequence = 3", "hash_mismatch", PAY),
    ("ledger_entries", "code"): ("UPDATE ledger_entries SET code = 'write_off' WHERE sequence = 3",
                                 "hash_mismatch", PAY),
    ("ledger_entries", "memo"): ("UPDATE ledger_entries SET memo = 'nothing to see' WHERE sequence = 3",
                                 "hash_mismatch", PAY),
    ("ledger_entries", "references_json"): ("UPDATE ledger_entries SET references_json = '{\"payment\":\"pay_x\"}' "
                                            "WHERE sequence = 3", "hash_mismatch", PAY),
    ("ledger_entries", "data_json"): ("UPDATE ledger_entries SET data_json = '{\"rate\":\"1\"}' WHERE sequence = 3",
                                      "hash_mismatch", PAY),
    ("ledger_entries", "reverses"): ("UPDATE ledger_entries SET reverses = 'je_01JZ0000000000000000000000' "
                                     "WHERE sequence = 3", "hash_mismatch", PAY),
    ("ledger_entries", "key_id"): ("UPDATE ledger_entries SET key_id = 'k_0000000000000000' WHERE sequence = 3",
                                   "hash_mismatch", PAY),
    ("ledger_entries", "prev_hash"): ("UPDATE ledger_entries SET prev_hash = hash WHERE sequence = 3",
                                      "hash_mismatch", PAY),
    ("ledger_entries", "hash"): ("UPDATE ledger_entries SET hash = prev_hash WHERE sequence = 3",
                                 "hash_mismatch", PAY),
    ("ledger_entries", "signature"): ("UPDATE ledger_entries SET signature = (SELECT signature FROM ledger_entries "
                                      "WHERE sequence = 2) WHERE sequence = 3", "bad_signature", PAY),
    ("ledger_entries", "cosignature"): ("UPDATE ledger_entries SET cosignature = signature WHERE sequence = 3",
                                        "unexpected_cosignature", PAY),
    ("ledger_entries", "cosignature of a rotation"): ("UPDATE ledger_entries SET cosignature = signature "
                                                      "WHERE sequence = 5", "bad_signature", ROT),
    ("ledger_postings", "entry_sequence"): ("UPDATE ledger_postings SET entry_sequence = 2, idx = 9 "
                                            "WHERE entry_sequence = 3 AND idx = 1", "hash_mismatch", 2),
    ("ledger_postings", "idx"): ("UPDATE ledger_postings SET idx = 7 WHERE entry_sequence = 3 AND idx = 1",
                                 "derived_mismatch", PAY),
    ("ledger_postings", "account"): ("UPDATE ledger_postings SET account = '100-1010' WHERE entry_sequence = 3 "
                                     "AND idx = 1", "hash_mismatch", PAY),
    ("ledger_postings", "direction"): ("UPDATE ledger_postings SET direction = 'debit' WHERE entry_sequence = 3 "
                                       "AND idx = 1", "hash_mismatch", PAY),
    ("ledger_postings", "amount_minor"): ("UPDATE ledger_postings SET amount_minor = 1 WHERE entry_sequence = 3",
                                          "hash_mismatch", PAY),
    ("ledger_postings", "currency"): ("UPDATE ledger_postings SET currency = 'EUR' WHERE entry_sequence = 3",
                                      "hash_mismatch", PAY),
    ("ledger_postings", "effective_date"): ("UPDATE ledger_postings SET effective_date = '2026-06-30' "
                                            "WHERE entry_sequence = 3 AND idx = 0", "derived_mismatch", PAY),
    ("signing_keys", "journal"): ("UPDATE signing_keys SET journal = 'other' WHERE journal = 'ledger' "
                                  "AND valid_from_sequence = 1", "registry_mismatch", 1),
    ("signing_keys", "key_id"): ("UPDATE signing_keys SET key_id = 'k_0000000000000000' WHERE journal = 'ledger' "
                                 "AND valid_from_sequence = 1", "registry_mismatch", 1),
    ("signing_keys", "public_key"): ("UPDATE signing_keys SET public_key = (SELECT public_key FROM signing_keys "
                                     "WHERE journal = 'ledger' AND valid_from_sequence = 6) WHERE journal = 'ledger' "
                                     "AND valid_from_sequence = 1", "registry_mismatch", 1),
    ("signing_keys", "valid_from_sequence"): ("UPDATE signing_keys SET valid_from_sequence = 4 WHERE journal = 'ledger' "
                                              "AND valid_from_sequence = 6", "registry_mismatch", 3),
    ("signing_keys", "valid_from"): ("UPDATE signing_keys SET valid_from = '2020-01-01T00:00:00.000000Z' "
                                     "WHERE journal = 'ledger' AND valid_from_sequence = 6", "registry_mismatch", ROT),
    ("signing_keys", "valid_to_sequence"): ("UPDATE signing_keys SET valid_to_sequence = NULL WHERE journal = 'ledger' "
                                            "AND valid_from_sequence = 1", "registry_mismatch", ROT),
    ("signing_keys", "valid_to"): ("UPDATE signing_keys SET valid_to = '2030-01-01T00:00:00.000000Z' "
                                   "WHERE journal = 'ledger' AND valid_from_sequence = 1", "registry_mismatch", ROT),
    ("checkpoints", "sequence"): ("UPDATE checkpoints SET sequence = 7 WHERE journal = 'ledger'",
                                  "checkpoint_mismatch", 7),
    ("checkpoints", "head_hash"): ("UPDATE checkpoints SET head_hash = merkle_root WHERE journal = 'ledger'",
                                   "checkpoint_mismatch", CP),
    ("checkpoints", "merkle_root"): ("UPDATE checkpoints SET merkle_root = head_hash WHERE journal = 'ledger'",
                                     "checkpoint_mismatch", CP),
    ("checkpoints", "balances_digest"): ("UPDATE checkpoints SET balances_digest = head_hash WHERE journal = 'ledger'",
                                         "checkpoint_mismatch", CP),
    ("checkpoints", "created_at"): ("UPDATE checkpoints SET created_at = '2020-01-01T00:00:00.000000Z' "
                                    "WHERE journal = 'ledger'", "checkpoint_mismatch", CP),
    ("checkpoints", "key_id"): ("UPDATE checkpoints SET key_id = 'k_0000000000000000' WHERE journal = 'ledger'",
                                "checkpoint_mismatch", CP),
    ("checkpoints", "signature"): ("UPDATE checkpoints SET signature = (SELECT signature FROM ledger_entries "
                                   "WHERE sequence = 8) WHERE journal = 'ledger'", "checkpoint_mismatch", CP),
    ("ledger_head", "id"): ("UPDATE ledger_head SET id = 2", "head_mismatch", CP),
    ("ledger_head", "sequence"): ("UPDATE ledger_head SET sequence = 7", "head_mismatch", CP),
    ("ledger_head", "hash"): ("UPDATE ledger_head SET hash = (SELECT prev_hash FROM ledger_entries "
                              "WHERE sequence = 8)", "head_mismatch", CP),
}
# Two columns are named elsewhere: the checkpoints' row number, which nothing reads (checkpoints are read by
# sequence), and a checkpoint's journal, which moves it to the audit trail, whose verify refuses it.


def _admin(sql):
    """One statement on the server's maintenance database, where databases are made and dropped."""
    url = make_url(os.environ["DISBURSE_TEST_POSTGRES_URL"]).set(drivername="postgresql+psycopg", database="postgres")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def build_journal(db_url, work, clock):
    c = main.build(make_settings(db_url, work), clock=clock, migrate=True)
    main.initialize(c, example=False)
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    pay = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                      (Posting("100-2010", Direction.DEBIT, 1000 + i, "USD"),
                       Posting("100-1050", Direction.CREDIT, 1000 + i, "USD"))) for i in range(6)]
    c.ledger.post(pay[:3])       # 2, 3, 4
    c.ledger.rotate_key()        # 5
    c.ledger.post(pay[3:6])      # 6, 7, 8
    cp = c.ledger.checkpoint()   # at 8
    assert cp.sequence == CP and c.ledger.verify(workers=1).ok
    c.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def journal_db(request, tmp_path_factory):
    """The journal, built once per database kind: (kind, url, work directory with its keys)."""
    work = tmp_path_factory.mktemp(f"ledger-columns-{request.param}")
    clock = FixedClock(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc))
    if request.param == "sqlite":
        url = f"sqlite:///{work / 'disburse.db'}"
        build_journal(url, work, clock)
        yield "sqlite", url, work
        return
    if not os.environ.get("DISBURSE_TEST_POSTGRES_URL"):
        pytest.skip("DISBURSE_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped")
    name = f"ledger_columns_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    url = make_url(os.environ["DISBURSE_TEST_POSTGRES_URL"]).set(database=name).render_as_string(hide_password=False)
    build_journal(url, work, clock)
    yield "postgres", url, work
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


JOURNAL_TABLES = (LEDGER.entries, LEDGER.postings, LEDGER.head, signing_keys, checkpoints)


@pytest.fixture
def journal_copy(journal_db, tmp_path):
    """The journal as built, for one case: a copy of the file on SQLite; on PostgreSQL the same database, its
    journal tables put back as they were after the case."""
    kind, url, work = journal_db
    clock = FixedClock(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc))
    if kind == "sqlite":
        shutil.copy(work / "disburse.db", tmp_path / "disburse.db")
        url = f"sqlite:///{tmp_path / 'disburse.db'}"
    shutil.copytree(work / "keys", tmp_path / "keys")
    c = main.build(make_settings(url, tmp_path), clock=clock, read_only=True)  # what a verifier opens
    saved = {}
    if kind == "postgres":
        with c.engine.connect() as conn:
            saved = {t: [dict(r._mapping) for r in conn.execute(t.select())] for t in JOURNAL_TABLES}
    yield c
    if saved:
        with c.engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            for t, rows in saved.items():
                conn.execute(t.delete())
                conn.execute(t.insert(), rows)
    c.engine.dispose()


def edit(container, sql):
    """One statement as an insider with SQL rights runs it: the immutability triggers out of the way."""
    if container.engine.dialect.name == "sqlite":  # foreign keys switch off only outside a transaction
        raw = sqlite3.connect(container.engine.url.database, isolation_level=None)
        raw.execute("PRAGMA foreign_keys = OFF")
        for t in ("ledger_entries", "ledger_postings", "checkpoints"):
            for what in ("update", "delete"):
                raw.execute(f"DROP TRIGGER IF EXISTS {t}_no_{what}")
        raw.execute(sql)
        raw.close()
        return
    with container.engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # skips triggers for this session
        conn.execute(text(sql))


@pytest.mark.parametrize("table, column", list(CASES), ids=[f"{t}.{c}" for t, c in CASES])
def test_editing_one_column_of_one_row_is_named(journal_copy, table, column):
    sql, code, sequence = CASES[(table, column)]
    edit(journal_copy, sql)
    report = journal_copy.ledger.verify(workers=1)
    assert not report.ok, f"{table}.{column} edited and the journal still verifies"
    assert (report.fault.code, report.fault.sequence) == (code, sequence), report.describe()


def test_the_checkpoints_row_number_is_read_by_nothing(journal_copy):
    edit(journal_copy, "UPDATE checkpoints SET id = id + 100 WHERE journal = 'ledger'")
    report = journal_copy.ledger.verify(workers=1)
    assert report.ok and report.checkpoints_checked == 1


def test_a_ledger_checkpoint_moved_to_the_audit_trail_is_refused_there(journal_copy):
    edit(journal_copy, "UPDATE checkpoints SET journal = 'audit' WHERE journal = 'ledger'")
    with_audit = main.build(journal_copy.settings, clock=journal_copy.clock, migrate=False)
    report = with_audit.audit.verify(workers=1)
    with_audit.engine.dispose()
    assert (report.ok, report.fault.code, report.fault.sequence) == (False, "checkpoint_mismatch", CP)
