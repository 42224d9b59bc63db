"""Positional reads of journal rows by sequence range, for verification workers (``ledger.verify.RowReader``).

Each worker process opens its own read connection the first time it reads (a connection never crosses
a fork) and gets plain driver tuples: no SQLAlchemy rows, no objects per entry. The URL is kept only in
memory and never shown. Postings come with their ``idx`` and ``effective_date``, the columns outside the
hash that the verifier checks against what the hash covers.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from adapters.db.ledger.ledger_tables import JournalTables

_ENTRY_COLUMNS = ("sequence, id, effective_date, recorded_at, code, memo, references_json, data_json, reverses, "
                  "key_id, prev_hash, hash, signature, cosignature")


class SqlRowReader:
    """``reader(first, last)``: rows first..last of one journal, each with its legs, in sequence order."""

    def __init__(self, url: URL, tables: JournalTables) -> None:
        self._sqlite = url.get_backend_name() == "sqlite"
        self._target = (url.database or "") if self._sqlite else \
            url.set(drivername="postgresql").render_as_string(hide_password=False)
        mark = "?" if self._sqlite else "%s"
        self._entries_sql = (f"SELECT {_ENTRY_COLUMNS} FROM {tables.entries.name} "
                             f"WHERE sequence BETWEEN {mark} AND {mark} ORDER BY sequence")
        self._legs_sql = (f"SELECT entry_sequence, account, direction, amount_minor, currency, idx, effective_date "
                          f"FROM {tables.postings.name} "
                          f"WHERE entry_sequence BETWEEN {mark} AND {mark} ORDER BY entry_sequence, idx")
        self._conn: Any = None
        self._pid = 0

    @classmethod
    def for_url(cls, url: URL, tables: JournalTables) -> "SqlRowReader | None":
        """None for an in-memory SQLite database, which no other process can open."""
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None
        return cls(url, tables)

    def __repr__(self) -> str:  # never show the connection string
        return f"SqlRowReader({'sqlite' if self._sqlite else 'postgresql'})"

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_conn": None, "_pid": 0}

    def _connection(self) -> Any:  # noqa: ANN401
        if self._conn is None or self._pid != os.getpid():
            if self._sqlite:
                self._conn = sqlite3.connect(f"file:{self._target}?mode=ro", uri=True, check_same_thread=False)
            else:
                self._conn = psycopg.connect(self._target, autocommit=True)
            self._pid = os.getpid()
        return self._conn

    def __call__(self, first: int, last: int) -> list[tuple]:
        conn = self._connection()
        entries = conn.execute(self._entries_sql, (first, last)).fetchall()
        legs: dict[int, list[tuple]] = {}
        derived: dict[int, list[tuple]] = {}
        for seq, account, direction, amount, currency, idx, eff in conn.execute(self._legs_sql, (first, last)).fetchall():
            legs.setdefault(seq, []).append((account, direction, amount, currency))
            derived.setdefault(seq, []).append((idx, eff))
        # Each row ends with no carried canonical bytes (that is a file's) and the postings' derived columns.
        return [(*row, tuple(legs.get(row[0], ())), None, tuple(derived.get(row[0], ()))) for row in entries]

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None
