"""The journal's rows in SQL: implements ``ledger.ports.JournalStore`` inside one open connection."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from typing import Any, Iterable, Iterator, Mapping, Sequence

import psycopg
from sqlalchemy import (BigInteger, Boolean, Date, Integer, LargeBinary, SmallInteger, String, Text, func, select,
                        update)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from adapters.db.ledger.journal_rows import SqlRowReader
from adapters.db.ledger.ledger_tables import JournalTables, accounts, merkle_blocks, signing_keys
from ledger.accounts import Account, AccountType, Direction
from ledger.canonical import GENESIS_PREV_HASH
from ledger.entries import EntryDraft, Posting, SealedEntry
from ledger.keys import KeyRecord
from ledger.ports import AppendConflict
from ledger.verify_report import StoredState

_DIRS = {"debit": Direction.DEBIT, "credit": Direction.CREDIT}
_json_sorted = json.JSONEncoder(sort_keys=True).encode  # what json.dumps(..., sort_keys=True) writes, built once


def _loads(text: str):  # noqa: ANN202
    return {} if text == "{}" else json.loads(text)


def _json(value) -> str:  # noqa: ANN001
    return _json_sorted(dict(value)) if value else "{}"


class SqlJournalStore:
    """One journal (ledger or audit) on one connection whose transaction the caller owns."""

    def __init__(self, conn: Connection, tables: JournalTables) -> None:
        self._conn = conn
        self._t = tables

    def lock_head(self) -> tuple[int, bytes]:
        from adapters import metrics  # imported late: `disburse serve` picks the metrics' storage first

        head = self._t.head
        stmt = select(head.c.sequence, head.c.hash).where(head.c.id == 1)
        if self._conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()  # SQLite already holds the write lock from BEGIN IMMEDIATE
        started = time.perf_counter()
        row = self._conn.execute(stmt).first()
        metrics.HEAD_LOCK_WAIT.labels(self._t.name).observe(time.perf_counter() - started)
        if row is None:
            return 0, GENESIS_PREV_HASH
        return int(row.sequence), bytes(row.hash)

    def lock_head_and_key(self) -> tuple[int, bytes, str | None]:
        # The open key is read by a second statement, after the lock was granted: on PostgreSQL a rotation that
        # committed while this waited is then seen (READ COMMITTED takes a new snapshot per statement; a subquery
        # of the locking statement would still see the registry as it was before the wait).
        sequence, digest = self.lock_head()
        k = signing_keys
        open_keys = self._conn.execute(select(k.c.key_id).where(k.c.journal == self._t.name,
                                                                 k.c.valid_to_sequence.is_(None))
                                       .order_by(k.c.valid_from_sequence)).scalars().all()
        return sequence, digest, open_keys[-1] if open_keys else None

    def entries_by_id(self, ids: Iterable[str]) -> Mapping[str, SealedEntry]:
        ids = list(ids)
        out: dict[str, SealedEntry] = {}
        for i in range(0, len(ids), 500):
            rows = self._conn.execute(select(self._t.entries).where(self._t.entries.c.id.in_(ids[i:i + 500]))).all()
            out.update((e.id, e) for e in self._hydrate(rows))
        return out

    def reversed_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        col = self._t.entries.c.reverses
        return {r[0] for r in self._conn.execute(select(col).where(col.in_(ids)))} if ids else set()

    def append(self, entries: Iterable[SealedEntry]) -> None:
        # The hot path of posting, run under the head lock: plain tuples straight to the driver, not
        # SQLAlchemy's per-row parameter dicts and type processors (they cost more than the signature).
        # On PostgreSQL each entry row goes into a COPY as soon as it is sealed, so the server inserts
        # while the next one is signed. A savepoint makes a replayed id (the unique index refuses it)
        # an AppendConflict that leaves the caller's transaction as it was.
        from adapters import metrics

        started = time.perf_counter()
        try:
            with self._conn.begin_nested():
                if self._conn.dialect.name == "postgresql":
                    first, last = self._append_pg(entries)
                else:
                    first, last = self._append_sqlite(entries)
                if last is not None:
                    self._move_head(first, last)
        except (IntegrityError, psycopg.IntegrityError) as exc:
            raise AppendConflict(f"an entry id or reversal target is already in the journal: {exc}") from None
        metrics.LEDGER_APPEND.labels(self._t.name).observe(time.perf_counter() - started)
        if last is not None:
            metrics.LEDGER_ENTRIES.labels(self._t.name).inc(last.sequence - first + 1)

    def _append_pg(self, entries: Iterable[SealedEntry]) -> tuple[int, SealedEntry | None]:
        first, last, postings = 0, None, []
        entries_table, postings_table = self._t.entries, self._t.postings
        driver = self._conn.connection.driver_connection
        if driver is None:
            raise RuntimeError("the unit of work's connection is closed")
        cur = driver.cursor()
        try:
            # Binary COPY: the hashes and signatures go as bytes, not hex text, and nothing is parsed back.
            with cur.copy(self._copy_sql(entries_table)) as copy:
                copy.set_types(_pg_types(entries_table))
                write = copy.write_row
                for e in entries:
                    d, seq = e.draft, e.sequence
                    first = first or seq
                    write((seq, d.id, d.effective_date, e.recorded_at, d.code, d.memo, _json(d.references),
                           _json(d.data), d.reverses, e.key_id, e.prev_hash, e.hash, e.signature, e.cosignature))
                    for idx, p in enumerate(d.postings):
                        postings.append((seq, idx, p.account, p.direction.value, p.amount_minor, p.currency,
                                         d.effective_date))
                    last = e
            if postings:
                with cur.copy(self._copy_sql(postings_table)) as copy:
                    copy.set_types(_pg_types(postings_table))
                    for row in postings:
                        copy.write_row(row)
        finally:
            cur.close()
        return first, last

    def _append_sqlite(self, entries: Iterable[SealedEntry]) -> tuple[int, SealedEntry | None]:
        first, last, entry_rows, posting_rows = 0, None, [], []
        for e in entries:
            d, seq = e.draft, e.sequence
            first = first or seq
            eff = d.effective_date.isoformat()
            entry_rows.append((seq, d.id, eff, e.recorded_at, d.code, d.memo, _json(d.references), _json(d.data),
                               d.reverses, e.key_id, e.prev_hash, e.hash, e.signature, e.cosignature))
            for idx, p in enumerate(d.postings):
                posting_rows.append((seq, idx, p.account, p.direction.value, p.amount_minor, p.currency, eff))
            last = e
        if entry_rows:
            self._conn.exec_driver_sql(self._insert_sql(self._t.entries), entry_rows)
        if posting_rows:
            self._conn.exec_driver_sql(self._insert_sql(self._t.postings), posting_rows)
        return first, last

    def _move_head(self, first: int, last: SealedEntry) -> None:
        head = self._t.head
        moved = self._conn.execute(update(head).where(head.c.id == 1, head.c.sequence == first - 1)
                                   .values(sequence=last.sequence, hash=last.hash)).rowcount
        if moved == 0:
            if first != 1:
                raise RuntimeError("journal head moved during append: the head lock was not held")
            self._conn.execute(head.insert().values(id=1, sequence=last.sequence, hash=last.hash))

    @staticmethod
    def _copy_sql(table) -> str:  # noqa: ANN001
        return f"COPY {table.name} ({', '.join(c.name for c in table.columns)}) FROM STDIN (FORMAT BINARY)"

    def _insert_sql(self, table) -> str:  # noqa: ANN001
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        cols = [c.name for c in table.columns]
        return f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"

    def accounts(self, codes: Iterable[str]) -> Mapping[str, Account]:
        codes = list(codes)
        if not codes:
            return {}
        rows = self._conn.execute(select(accounts).where(accounts.c.code.in_(codes))).all()
        return {r.code: account_from_row(r) for r in rows}

    def iter_entries(self, after_sequence: int = 0, batch_size: int = 2000) -> Iterator[SealedEntry]:
        # Verification streams every entry: plain driver rows read by position, not SQLAlchemy rows with
        # per-column result processors (parsing dates and copying blobs cost more than the hashing).
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        e, p = self._t.entries, self._t.postings
        entries_sql = (f"SELECT {', '.join(c.name for c in e.columns)} FROM {e.name} WHERE sequence > {mark} "
                       f"ORDER BY sequence LIMIT {mark}")
        postings_sql = (f"SELECT entry_sequence, account, direction, amount_minor, currency FROM {p.name} "
                        f"WHERE entry_sequence BETWEEN {mark} AND {mark} ORDER BY entry_sequence, idx")
        last = after_sequence
        while True:
            rows = self._conn.exec_driver_sql(entries_sql, (last, batch_size)).all()
            if not rows:
                return
            legs: dict[int, list[Posting]] = {}
            for seq, account, direction, amount, currency in self._conn.exec_driver_sql(
                    postings_sql, (rows[0][0], rows[-1][0])):
                legs.setdefault(seq, []).append(Posting(account, _DIRS.get(direction, direction), amount, currency))
            for (seq, eid, eff, recorded_at, code, memo, refs, data, reverses, key_id, prev_hash, digest, signature,
                 cosignature) in rows:
                if not isinstance(eff, dt.date):
                    eff = dt.date.fromisoformat(eff)
                draft = EntryDraft(eid, eff, code, tuple(legs.get(seq, ())), memo, _loads(refs), reverses, _loads(data))
                yield SealedEntry(draft, seq, recorded_at, key_id, bytes(prev_hash), bytes(digest), bytes(signature),
                                  bytes(cosignature) if cosignature is not None else None)
            last = rows[-1][0]

    def last_sequence(self) -> int:
        e = self._t.entries
        return int(self._conn.execute(select(func.coalesce(func.max(e.c.sequence), 0))).scalar_one())

    def entry_hashes(self, first: int, last: int) -> list[bytes]:
        # Plain driver rows: a proof reads a block of 1,024 of these, and SQLAlchemy's row objects cost more.
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        rows = self._conn.exec_driver_sql(f"SELECT hash FROM {self._t.entries.name} WHERE sequence BETWEEN {mark} "
                                          f"AND {mark} ORDER BY sequence", (first, last)).fetchall()
        return [bytes(h) for (h,) in rows]

    def merkle_blocks(self, first: int, last: int) -> Mapping[int, bytes]:
        m = merkle_blocks
        rows = self._conn.execute(select(m.c.block, m.c.root).where(m.c.journal == self._t.name,
                                                                    m.c.block.between(first, last)))
        return {int(b): bytes(r) for b, r in rows}

    def add_merkle_blocks(self, roots: Mapping[int, bytes]) -> None:
        if roots:
            self._conn.execute(merkle_blocks.insert(), [{"journal": self._t.name, "block": b, "root": r}
                                                        for b, r in sorted(roots.items())])

    def balance_totals(self, last_sequence: int) -> dict[tuple[str, str], list[int]]:
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        totals: dict[tuple[str, str], list[int]] = {}
        for account, currency, direction, amount in self._conn.exec_driver_sql(
                f"SELECT account, currency, direction, SUM(amount_minor) FROM {self._t.postings.name} "
                f"WHERE entry_sequence <= {mark} GROUP BY account, currency, direction", (last_sequence,)):
            sides = totals.setdefault((account, currency), [0, 0])
            sides[0 if direction == "debit" else 1] += int(amount)
        return totals

    def system_rows(self, last_sequence: int) -> list[tuple[Any, ...]]:
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        e = self._t.entries
        rows = self._conn.exec_driver_sql(
            f"SELECT {', '.join(c.name for c in e.columns)} FROM {e.name} WHERE code IN ('ledger_genesis', "
            f"'key_rotated') AND sequence <= {mark} ORDER BY sequence", (last_sequence,)).fetchall()
        return [(*row, ()) for row in rows]  # system entries carry no postings (a verifier names any that do)

    def stored_state(self, last_sequence: int) -> StoredState:
        """The head row and any postings outside 1..``last_sequence`` (a posting inside it whose entry is gone
        leaves a gap the verifier names anyway), read without locking."""
        head, p = self._t.head, self._t.postings
        rows = self._conn.execute(select(head.c.id, head.c.sequence, head.c.hash)).all()
        low, high = self._conn.execute(select(func.min(p.c.entry_sequence), func.max(p.c.entry_sequence))).one()
        orphans = tuple(s for s in (low, high) if s is not None and not 1 <= s <= last_sequence)
        if not rows:
            stored_head = (0, GENESIS_PREV_HASH)
        elif len(rows) == 1 and rows[0].id == 1:
            stored_head = (int(rows[0].sequence), bytes(rows[0].hash))
        else:  # the appenders read and move the row with id 1 only: anything else misleads them
            stored_head = (-1, bytes(32))
        return StoredState(head=stored_head, orphan_sequences=orphans,
                           block_roots=self.merkle_blocks(0, 2**62))  # all of them, past the last entry too

    def row_reader(self) -> SqlRowReader | None:
        return SqlRowReader.for_url(self._conn.engine.url, self._t)

    def keys(self) -> Sequence[KeyRecord]:
        rows = self._conn.execute(select(signing_keys).where(signing_keys.c.journal == self._t.name)
                                  .order_by(signing_keys.c.valid_from_sequence)).all()
        return [KeyRecord(r.key_id, bytes(r.public_key), r.valid_from_sequence, r.valid_from, r.valid_to_sequence,
                          r.valid_to) for r in rows]

    def add_key(self, key: KeyRecord) -> None:
        self._conn.execute(signing_keys.insert().values(
            journal=self._t.name, key_id=key.key_id, public_key=key.public_key,
            valid_from_sequence=key.valid_from_sequence, valid_from=key.valid_from,
            valid_to_sequence=key.valid_to_sequence, valid_to=key.valid_to))

    def close_key(self, key_id: str, valid_to_sequence: int, valid_to: str) -> None:
        self._conn.execute(update(signing_keys).where(signing_keys.c.journal == self._t.name,
                                                      signing_keys.c.key_id == key_id,
                                                      signing_keys.c.valid_to_sequence.is_(None))
                           .values(valid_to_sequence=valid_to_sequence, valid_to=valid_to))

    def _hydrate(self, rows: Sequence) -> list[SealedEntry]:
        if not rows:
            return []
        seqs = [r.sequence for r in rows]
        p = self._t.postings
        legs: dict[int, list[Posting]] = {}
        lo, hi = min(seqs), max(seqs)
        # A contiguous run (verification streams these) is one range scan; scattered ids use IN.
        where = p.c.entry_sequence.between(lo, hi) if hi - lo < 2 * len(seqs) else p.c.entry_sequence.in_(seqs)
        for q in self._conn.execute(select(p.c.entry_sequence, p.c.account, p.c.direction, p.c.amount_minor,
                                           p.c.currency).where(where).order_by(p.c.entry_sequence, p.c.idx)):
            legs.setdefault(q[0], []).append(Posting(q[1], _DIRS.get(q[2], q[2]), q[3], q[4]))
        out = []
        for r in rows:
            eff = r.effective_date if isinstance(r.effective_date, dt.date) else dt.date.fromisoformat(r.effective_date)
            draft = EntryDraft(id=r.id, effective_date=eff, code=r.code, postings=tuple(legs.get(r.sequence, ())),
                               memo=r.memo, references=json.loads(r.references_json), reverses=r.reverses,
                               data=json.loads(r.data_json))
            out.append(SealedEntry(draft=draft, sequence=r.sequence, recorded_at=r.recorded_at, key_id=r.key_id,
                                   prev_hash=bytes(r.prev_hash), hash=bytes(r.hash), signature=bytes(r.signature),
                                   cosignature=bytes(r.cosignature) if r.cosignature is not None else None))
        return out


_PG_TYPE_NAMES = {BigInteger: "int8", SmallInteger: "int2", Integer: "int4", Date: "date", LargeBinary: "bytea",
                  String: "text", Text: "text", Boolean: "bool"}


@functools.lru_cache(maxsize=None)
def _pg_types(table) -> tuple[str, ...]:  # noqa: ANN001
    """The PostgreSQL type of each column, in table order, for a binary COPY."""
    def name(column) -> str:  # noqa: ANN001
        for kind in type(column.type).__mro__:
            if kind in _PG_TYPE_NAMES:
                return _PG_TYPE_NAMES[kind]
        raise TypeError(f"no binary COPY type for {column}")
    return tuple(name(c) for c in table.columns)


def account_from_row(r) -> Account:  # noqa: ANN001
    return Account(r.code, r.name, AccountType(r.type), Direction(r.normal), r.fund, r.department, r.object_code,
                   bool(r.active))
