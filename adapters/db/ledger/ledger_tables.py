"""Ledger and audit journal tables (SQLAlchemy Core). Journal rows are insert-only; triggers enforce it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, LargeBinary, SmallInteger,
                        String, Table, Text)

from adapters.db.meta import metadata

accounts = Table(
    "accounts", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("normal", String(6), nullable=False),
    Column("fund", String(20)),
    Column("department", String(20)),
    Column("object_code", String(20)),
    Column("active", Boolean, nullable=False, default=True),
)
Index("ix_accounts_dims", accounts.c.fund, accounts.c.department, accounts.c.object_code)

signing_keys = Table(
    "signing_keys", metadata,
    Column("journal", String(20), primary_key=True),
    Column("key_id", String(64), primary_key=True),
    Column("public_key", LargeBinary(32), nullable=False),
    Column("valid_from_sequence", BigInteger, nullable=False),
    Column("valid_from", String(32), nullable=False),
    Column("valid_to_sequence", BigInteger),
    Column("valid_to", String(32)),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journal", String(20), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("head_hash", LargeBinary(32), nullable=False),
    Column("merkle_root", LargeBinary(32), nullable=False),
    Column("balances_digest", LargeBinary(32), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)

# The root of each whole aligned block of 1,024 entries (block b: sequences b*1024+1 .. (b+1)*1024), for proofs;
# derived from the entries' hashes and checked by verify (migration 0022_merkle_blocks).
merkle_blocks = Table(
    "merkle_blocks", metadata,
    Column("journal", String(20), primary_key=True),
    Column("block", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
)


@dataclass(frozen=True)
class JournalTables:
    """The tables of one hash-chained journal: entries, postings and the head row appenders lock."""

    name: str
    entries: Table
    postings: Table
    head: Table


def journal_tables(name: str) -> JournalTables:
    entries = Table(
        f"{name}_entries", metadata,
        Column("sequence", BigInteger, primary_key=True, autoincrement=False),
        Column("id", String(40), nullable=False, unique=True),
        Column("effective_date", Date, nullable=False),
        Column("recorded_at", String(32), nullable=False),
        Column("code", String(64), nullable=False),
        Column("memo", Text, nullable=False, default=""),
        Column("references_json", Text, nullable=False, default="{}"),
        Column("data_json", Text, nullable=False, default="{}"),
        Column("reverses", String(40), unique=True),
        Column("key_id", String(64), nullable=False),
        Column("prev_hash", LargeBinary(32), nullable=False),
        Column("hash", LargeBinary(32), nullable=False),
        Column("signature", LargeBinary(64), nullable=False),
        Column("cosignature", LargeBinary(64)),
    )
    Index(f"ix_{name}_entries_code_date", entries.c.code, entries.c.effective_date)
    postings = Table(
        f"{name}_postings", metadata,
        Column("entry_sequence", BigInteger, ForeignKey(f"{name}_entries.sequence"), primary_key=True),
        Column("idx", SmallInteger, primary_key=True, autoincrement=False),
        Column("account", String(64), ForeignKey("accounts.code"), nullable=False),
        Column("direction", String(6), nullable=False),
        Column("amount_minor", BigInteger, nullable=False),
        Column("currency", String(3), nullable=False),
        Column("effective_date", Date, nullable=False),
    )
    Index(f"ix_{name}_postings_account", postings.c.account, postings.c.currency, postings.c.effective_date)
    head = Table(
        f"{name}_head", metadata,
        Column("id", SmallInteger, primary_key=True, autoincrement=False),
        Column("sequence", BigInteger, nullable=False),
        Column("hash", LargeBinary(32), nullable=False),
    )
    return JournalTables(name, entries, postings, head)


LEDGER = journal_tables("ledger")
AUDIT = journal_tables("audit")

# Tables whose rows may never change once written.
IMMUTABLE_TABLES = (LEDGER.entries.name, LEDGER.postings.name, AUDIT.entries.name, AUDIT.postings.name,
                    checkpoints.name)
