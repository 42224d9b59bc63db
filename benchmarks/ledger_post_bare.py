"""benchmarks/ledger_post.py's two SQLite contestants: the library as a user calls it, and the bare sqlite3 loop
(the limit: the same canonical JSON, SHA-256 chain, Ed25519 signature and rows, validating nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


# -- library ------------------------------------------------------------------------------------------

def library_container(url: str, work: Path, *, migrate: bool = True, init: bool = True):  # noqa: ANN201
    import main

    c = main.build(C.settings_for(url, work), migrate=migrate)
    if init:
        main.initialize(c, example=True)
    return c


def post_library(c, drafts: list, batch: int) -> float:  # noqa: ANN001
    with C.Timer() as t:
        for chunk in C.batches(drafts, batch):
            c.ledger.post(chunk)
    return t.seconds


def count_entries(c) -> int:  # noqa: ANN001
    with c.uow(read_only=True) as uow:
        return uow.ledger_queries.count_entries()


# -- the bare sqlite3 loop ----------------------------------------------------------------------------

_ENC = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode
_ENTRY_SQL = ("INSERT INTO ledger_entries (sequence, id, effective_date, recorded_at, code, memo, references_json, "
              "data_json, reverses, key_id, prev_hash, hash, signature, cosignature) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_POSTING_SQL = ("INSERT INTO ledger_postings (entry_sequence, idx, account, direction, amount_minor, currency, "
                "effective_date) VALUES (?, ?, ?, ?, ?, ?, ?)")


def bare_rows(drafts: list) -> list[tuple]:
    """The drafts as the plain tuples a hand-written poster would take (not timed, like the drafts)."""
    return [(d.id, d.effective_date.isoformat(), d.code, d.memo, dict(d.references),
             [(p.account, p.direction.value, p.amount_minor, p.currency) for p in d.postings]) for d in drafts]


def bare_canonical(row: tuple, sequence: int, recorded_at: str, key_id: str, data: dict | None = None) -> bytes:
    eid, eff, code, memo, refs, legs = row
    return _ENC({"code": code, "data": data or {}, "effective_date": eff, "id": eid, "key_id": key_id, "memo": memo,
                 "postings": [{"account": a, "amount_minor": m, "currency": c, "direction": d} for a, d, m, c in legs],
                 "recorded_at": recorded_at, "references": refs, "reverses": None,
                 "sequence": sequence}).encode("utf-8")


def bare_setup(path: Path, work: Path) -> None:
    """Same schema as the library (its migrations), the two accounts the postings reference, no journal rows (the
    bare loop writes its own genesis)."""
    c = library_container(C.sqlite_url(path), work, init=False)
    c.engine.dispose()
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO accounts (code, name, type, normal, active) VALUES (?, ?, ?, ?, 1)",
                     [(C.PAYABLE, "Vouchers payable", "liability", "credit"),
                      (C.IN_TRANSIT, "Disbursements in transit", "asset", "debit")])
    conn.commit()
    conn.close()


def bare_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    for pragma in ("foreign_keys=ON", "busy_timeout=30000", "journal_mode=WAL", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


class BareLoop:
    """The limit: a hand-written poster on one sqlite3 connection, one ``post(chunk)`` per transaction."""

    def __init__(self, path: Path, key) -> None:  # noqa: ANN001
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = "k_" + hashlib.sha256(public).hexdigest()[:16]
        self._sign = key.sign
        self.conn = bare_connect(path)
        self._genesis(public)

    def _genesis(self, public: bytes) -> None:
        """Entry 1 introduces the key that signs the rest, as the verifier requires (not timed: the library's
        journal has its genesis from ``initialize`` before the clock starts too)."""
        from ledger.entries import new_entry_id

        recorded_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data = {"key_id": self.key_id, "public_key": public.hex()}
        row = (new_entry_id(), recorded_at[:10], "ledger_genesis", "Disburse journal genesis", {}, [])
        digest = hashlib.sha256(b"\x01" + bytes(32) + bare_canonical(row, 1, recorded_at, self.key_id, data)).digest()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute(_ENTRY_SQL, (1, row[0], row[1], recorded_at, row[2], row[3], "{}", json.dumps(data), None,
                                       self.key_id, bytes(32), digest, self._sign(digest), None))
        self.conn.execute("INSERT INTO ledger_head (id, sequence, hash) VALUES (1, 1, ?)", (digest,))
        self.conn.execute("INSERT INTO signing_keys (journal, key_id, public_key, valid_from_sequence, valid_from) "
                          "VALUES ('ledger', ?, ?, 1, ?)", (self.key_id, public, recorded_at))
        self.conn.execute("COMMIT")

    def post(self, chunk: list[tuple]) -> None:
        conn, sign, sha256, key_id = self.conn, self._sign, hashlib.sha256, self.key_id
        conn.execute("BEGIN IMMEDIATE")
        head = conn.execute("SELECT sequence, hash FROM ledger_head WHERE id = 1").fetchone()
        seq, prev = head
        first = seq + 1
        recorded_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        entries, postings = [], []
        for row in chunk:
            seq += 1
            digest = sha256(b"\x01" + prev + bare_canonical(row, seq, recorded_at, key_id)).digest()
            eid, eff, code, memo, refs, legs = row
            entries.append((seq, eid, eff, recorded_at, code, memo, json.dumps(refs, sort_keys=True), "{}", None,
                            key_id, prev, digest, sign(digest), None))
            postings.extend((seq, i, a, d, m, c, eff) for i, (a, d, m, c) in enumerate(legs))
            prev = digest
        conn.executemany(_ENTRY_SQL, entries)
        conn.executemany(_POSTING_SQL, postings)
        conn.execute("UPDATE ledger_head SET sequence = ?, hash = ? WHERE id = 1 AND sequence = ?",
                     (seq, prev, first - 1))
        conn.execute("COMMIT")


def check_bare(path: Path, work: Path, key, sample: int = 2000) -> str:  # noqa: ANN001
    """The bare loop's rows verify under the library's own verifier (first ``sample`` entries), against the key
    registry its genesis wrote, which must hold ``key``."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from adapters.db.ledger.journal_store import SqlJournalStore
    from adapters.db.ledger.ledger_tables import LEDGER
    from ledger.verify import verify_journal

    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    c = library_container(C.sqlite_url(path), work, migrate=False, init=False)
    try:
        with c.uow(read_only=True) as uow:
            store = SqlJournalStore(uow.conn, LEDGER)
            keys = {k.key_id: k for k in store.keys()}
            if [k.public_key for k in keys.values()] != [public]:
                return "journal does NOT verify: its key registry does not hold the bare loop's key alone"
            entries = itertools.islice(store.iter_entries(), sample)
            report = verify_journal(entries, keys, workers=1)
    finally:
        c.engine.dispose()
    return report.describe()
