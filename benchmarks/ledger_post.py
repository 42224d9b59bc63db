"""Posting throughput of the signed journal, against a bare sqlite3 loop and a peer library, in one run.

    python benchmarks/ledger_post.py [--n 50000] [--batch 1000] [--peer-n 1000] [--pg URL | --no-pg]

What is timed (setup, key loading and draft construction are not):

* **library, SQLite**: ``LedgerService.post(batch)`` for N two-leg ``payment_sent`` entries, ``--batch``
  per call, i.e. per transaction (validation, id de-duplication, account lookup, head lock by
  ``BEGIN IMMEDIATE``, canonical JSON, SHA-256 chain, Ed25519 signature, insert, commit), on a
  migrated database in WAL mode holding the example chart.
* **bare loop, SQLite (the limit)**: the same rows produced with nothing but the ``sqlite3`` module:
  per batch ``BEGIN IMMEDIATE``, read the head, per entry the same canonical JSON + SHA-256 chain +
  Ed25519 signature, ``executemany`` into the same tables (created by the project's migrations, so the
  same indexes, foreign keys and triggers), move the head, ``COMMIT``; WAL, ``synchronous=NORMAL``.
  It validates nothing. Its rows are checked with the library's verifier afterwards. The library
  and the bare loop run batch by batch in turn (alternating which goes first), so both see the same
  machine load; wall-clock rates are the figures, CPU-time rates are printed beside them.
* **peer, SQLite**: the ``python-accounting`` package (SQLAlchemy ORM, its own SHA-256 ledger hash
  chain) posting the same journal entries (a JournalEntry on one account with one line item on the
  other), same pragmas. It posts and commits entry by entry (it has no batch API) and slows as its
  tables grow (its transaction number is a COUNT over all transactions), so it is timed on
  ``--peer-n`` entries and its rate is reported as measured on that sample. It runs in a child
  process from ``.bench-deps/pyacc`` (installed there with ``pip --no-deps`` when missing, with
  python-dateutil and six; never a project dependency). It uses the project's SQLAlchemy 2.0: it
  declares >= 2.1.4 but runs unchanged on 2.0 (its entries' hash chain checks afterwards).
* **library, PostgreSQL** (when reachable: ``--pg``, else $DISBURSE_TEST_POSTGRES_URL, else
  postgresql://postgres@127.0.0.1:5432/test; a throwaway database is created and dropped): one
  writer posting N, then 4 writer processes each posting N/4 into the same journal, timed from a
  common start barrier to the last commit (aggregate rate); the chain is verified afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

PEER_DIR = C.ROOT / ".bench-deps" / "pyacc"
PEER_PACKAGES = ["python-accounting", "python-dateutil<3", "six"]
TARGET_BARE, TARGET_PEER, TARGET_PG4 = 0.6, 100.0, 8000.0
PG_WRITERS = 4


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


def bare_canonical(row: tuple, sequence: int, recorded_at: str, key_id: str) -> bytes:
    eid, eff, code, memo, refs, legs = row
    return _ENC({"code": code, "data": {}, "effective_date": eff, "id": eid, "key_id": key_id, "memo": memo,
                 "postings": [{"account": a, "amount_minor": m, "currency": c, "direction": d} for a, d, m, c in legs],
                 "recorded_at": recorded_at, "references": refs, "reverses": None,
                 "sequence": sequence}).encode("utf-8")


def bare_setup(path: Path, work: Path) -> None:
    """Same schema as the library (its migrations), the two accounts the postings reference, no journal rows."""
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

    def post(self, chunk: list[tuple]) -> None:
        conn, sign, sha256, key_id = self.conn, self._sign, hashlib.sha256, self.key_id
        conn.execute("BEGIN IMMEDIATE")
        head = conn.execute("SELECT sequence, hash FROM ledger_head WHERE id = 1").fetchone()
        seq, prev = (head[0], head[1]) if head else (0, bytes(32))
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
        if first == 1:
            conn.execute("INSERT INTO ledger_head (id, sequence, hash) VALUES (1, ?, ?)", (seq, prev))
        else:
            conn.execute("UPDATE ledger_head SET sequence = ?, hash = ? WHERE id = 1 AND sequence = ?",
                         (seq, prev, first - 1))
        conn.execute("COMMIT")


def check_bare(path: Path, work: Path, key, sample: int = 2000) -> str:  # noqa: ANN001
    """The bare loop's rows verify under the library's own verifier (first ``sample`` entries)."""
    import itertools

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from adapters.db.ledger.journal_store import SqlJournalStore
    from adapters.db.ledger.ledger_tables import LEDGER
    from ledger.keys import KeyRecord
    from ledger.signing import key_id_for
    from ledger.verify import verify_journal

    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    keys = {key_id_for(public): KeyRecord(key_id_for(public), public, 1, "")}
    c = library_container(C.sqlite_url(path), work, migrate=False, init=False)
    try:
        with c.uow(read_only=True) as uow:
            entries = itertools.islice(SqlJournalStore(uow.conn, LEDGER).iter_entries(), sample)
            report = verify_journal(entries, keys, workers=1)
    finally:
        c.engine.dispose()
    return report.describe()


# -- the peer: python-accounting ----------------------------------------------------------------------

def ensure_peer() -> str | None:
    """None when python-accounting can be imported from PEER_DIR (installing it there if needed), else why not."""
    if (PEER_DIR / "python_accounting").is_dir() and (PEER_DIR / "dateutil").is_dir():
        return None
    print(f"installing the peer into {PEER_DIR.relative_to(C.ROOT)} (pip --no-deps; not a project dependency) ...",
          flush=True)
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(PEER_DIR), *PEER_PACKAGES]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return "pip failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return None


def peer_child(n: int, db: str) -> None:
    """Runs in a child process with PEER_DIR on sys.path; prints one JSON line."""
    sys.path.insert(0, str(PEER_DIR))
    from decimal import Decimal

    from sqlalchemy import create_engine, event, func, select

    import python_accounting
    from python_accounting.database.session import get_session
    from python_accounting.models import Account, Base, Currency, Entity, LineItem, Ledger
    from python_accounting.transactions import JournalEntry

    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001 - same durability settings as the library's SQLite
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    Base.metadata.create_all(engine)
    drafts = bare_rows(C.payment_drafts(n))
    with get_session(engine) as s:
        entity = Entity(name="City of Riverton")
        s.add(entity)
        s.commit()
        usd = Currency(name="US Dollars", code="USD", entity_id=entity.id)
        s.add(usd)
        s.commit()
        payable = Account(name="Vouchers payable", account_type=Account.AccountType.PAYABLE, currency_id=usd.id,
                          entity_id=entity.id)
        transit = Account(name="Disbursements in transit", account_type=Account.AccountType.BANK,
                          currency_id=usd.id, entity_id=entity.id)
        s.add_all([payable, transit])
        s.commit()
        with C.Timer() as t:
            for eid, _eff, _code, memo, _refs, legs in drafts:
                amount = Decimal(legs[0][2]) / 100
                entry = JournalEntry(narration=memo, transaction_date=dt.datetime.now(), account_id=payable.id,
                                     entity_id=entity.id, currency_id=usd.id)  # main account: debited
                entry.credited = False
                s.add(entry)
                s.flush()
                leg = LineItem(narration=eid, account_id=transit.id, amount=amount, entity_id=entity.id,
                               credited=True)
                s.add(leg)
                s.flush()
                entry.line_items.add(leg)
                s.add(entry)
                entry.post(s)  # writes both ledger rows, hash-chained, and commits
        rows = s.scalar(select(func.count()).select_from(Ledger).execution_options(ignore_isolation=True))
        secure = entry.is_secure(s)
    version = getattr(python_accounting, "__version__", None)
    if version is None:
        from importlib.metadata import version as v
        try:
            version = v("python-accounting")
        except Exception:  # noqa: BLE001
            version = "?"
    print(json.dumps({"n": n, "seconds": t.seconds, "ledger_rows": rows, "last_secure": bool(secure),
                      "version": version}))


def run_peer(n: int, work: Path) -> dict | str:
    why = ensure_peer()
    if why:
        return why
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PEER_DIR), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, __file__, "--_peer-child", str(n), str(work / "peer.db")],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return "peer failed: " + "\n".join(done.stderr.strip().splitlines()[-5:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- PostgreSQL: concurrent writers --------------------------------------------------------------------

def pg_writer(url: str, work: str, n: int, batch: int, ready, go, done, out) -> None:  # noqa: ANN001
    c = library_container(url, Path(work), migrate=False, init=False)
    drafts = C.payment_drafts(n)
    c.ledger.keys()  # open the pool's connection before the clock starts
    ready.wait()
    go.wait()
    t0, cpu = time.perf_counter(), time.process_time()
    post_library(c, drafts, batch)
    out.put((t0, time.perf_counter(), len(drafts), time.process_time() - cpu))
    done.wait()  # the parent reads the server processes' CPU time before they go away
    c.engine.dispose()


def pg_concurrent(url: str, work: Path, n: int, batch: int, writers: int) -> tuple[float, int, float, float | None]:
    """Wall seconds from the common start to the last commit, entries, writers' CPU and their server processes' CPU."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, done, out = ctx.Barrier(writers + 1), ctx.Barrier(writers + 1), ctx.Barrier(writers + 1), ctx.Queue()
    share = [n // writers + (1 if i < n % writers else 0) for i in range(writers)]
    procs = [ctx.Process(target=pg_writer, args=(url, str(work), k, batch, ready, go, done, out)) for k in share]
    for p in procs:
        p.start()
    ready.wait()
    server0 = C.pg_backends_cpu(url)
    go.wait()
    results = [out.get() for _ in procs]
    server1 = C.pg_backends_cpu(url)
    done.wait()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a writer process failed (exit {p.exitcode})")
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    server = server1 - server0 if server0 is not None and server1 is not None else None
    return end - start, sum(r[2] for r in results), sum(r[3] for r in results), server


def cpu_note(n: int, client: float, server0: float | None, server1: float | None) -> str:
    """CPU per entry on both sides, and what that allows on this machine's idle cores whatever the concurrency."""
    line = f"CPU per entry: client {client / n * 1e6:.0f} us"
    if server0 is None or server1 is None:
        return line + " (server CPU not measurable: not a local server)"
    server = server1 - server0
    total = (client + server) / n
    return (line + f" + server {server / n * 1e6:.0f} us = {total * 1e6:.0f} us; at that cost, at most "
            f"{C.cores() / total:,.0f} entries/s on {C.cores()} idle cores, however many writers")


# -- the run ------------------------------------------------------------------------------------------

def profile_library(c, drafts: list, batch: int, top: int = 30) -> None:  # noqa: ANN001
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    post_library(c, drafts, batch)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def run_sqlite(args, work: Path, figures: dict[str, float]) -> None:  # noqa: ANN001
    """The library against the bare sqlite3 loop, and the peer; figures land in ``figures``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    # library and bare loop on SQLite, batch by batch in turn (alternating which goes first), so that
    # both see the same machine load; each keeps its own clocks (wall and CPU).
    lib = library_container(C.sqlite_url(work / "lib.db"), work / "lib")
    key = Ed25519PrivateKey.generate()
    bare_setup(work / "bare.db", work / "bare")
    bare = BareLoop(work / "bare.db", key)
    drafts = C.payment_drafts(args.n)
    rows = bare_rows(drafts)
    from ledger.canonical import canonical_bytes
    assert bare_canonical(rows[0], 7, "2026-01-01T00:00:00.000000Z", "k_x") == \
        canonical_bytes(drafts[0], sequence=7, recorded_at="2026-01-01T00:00:00.000000Z", key_id="k_x")
    before = count_entries(lib)
    clocks = {"lib": [0.0, 0.0], "bare": [0.0, 0.0]}
    steps = {"lib": lib.ledger.post, "bare": bare.post}
    for i, (lchunk, bchunk) in enumerate(zip(C.batches(drafts, args.batch), C.batches(rows, args.batch))):
        for name in (("lib", "bare") if i % 2 == 0 else ("bare", "lib")):
            w, cpu = time.perf_counter(), time.process_time()
            steps[name](lchunk if name == "lib" else bchunk)
            clocks[name][0] += time.perf_counter() - w
            clocks[name][1] += time.process_time() - cpu
    bare.conn.close()
    assert count_entries(lib) == before + args.n
    for name, label in (("lib", "library (LedgerService.post)  "), ("bare", "bare sqlite3 loop (the limit)")):
        wall, cpu = clocks[name]
        figures[name], figures[name + "_cpu"] = C.rate(args.n, wall), C.rate(args.n, cpu)
        print(f"SQLite      {label}    {C.fmt_rate(figures[name]):>22}   ({args.n:,} in {wall:.2f} s; "
              f"{figures[name + '_cpu']:,.0f}/s of CPU time)", flush=True)
    print(f"            bare loop's rows, by the library's verifier: "
          f"{check_bare(work / 'bare.db', work / 'bare', key)}")

    # the peer
    if args.no_peer:
        print("SQLite      python-accounting (peer)         skipped (--no-peer)")
    else:
        peer = run_peer(args.peer_n, work)
        if isinstance(peer, str):
            print(f"SQLite      python-accounting (peer)         not measured: {peer}")
        else:
            figures["peer"] = C.rate(peer["n"], peer["seconds"])
            print(f"SQLite      python-accounting {peer['version']} (peer) {C.fmt_rate(figures['peer']):>19}   "
                  f"({peer['n']:,}-entry sample in {peer['seconds']:.2f} s, entry by entry; "
                  f"{peer['ledger_rows']:,} ledger rows; last entry's hash chain checks: {peer['last_secure']})",
                  flush=True)

    if args.profile:
        print("\ncProfile of a further library run on SQLite (same N, sorted by own time):")
        profile_library(lib, C.payment_drafts(args.n), args.batch)
    lib.engine.dispose()


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50_000, help="entries to post (default 50,000)")
    ap.add_argument("--batch", type=int, default=1000, help="entries per call and transaction (default 1000)")
    ap.add_argument("--peer-n", type=int, default=1000, help="entries the peer posts (default 1,000; it is slow)")
    ap.add_argument("--pg", help=f"PostgreSQL URL (default ${C.PG_ENV}, else {C.DEFAULT_PG})")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--no-peer", action="store_true", help="skip python-accounting")
    ap.add_argument("--pg-only", action="store_true", help="only the PostgreSQL runs (no SQLite, no peer)")
    ap.add_argument("--writers", type=int, default=PG_WRITERS, help="concurrent writers on PostgreSQL (default 4)")
    ap.add_argument("--profile", action="store_true", help="also cProfile a library SQLite run and print the top")
    ap.add_argument("--_peer-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._peer_child:
        peer_child(int(args._peer_child[0]), args._peer_child[1])
        return 0


    C.header(f"ledger_post: {args.n:,} two-leg entries in batches of {args.batch:,}")
    work = Path(tempfile.mkdtemp(prefix="disburse-bench-post-"))
    figures: dict[str, float] = {}
    try:
        if not args.pg_only:
            run_sqlite(args, work, figures)

        # PostgreSQL
        pg_note = ""
        if args.no_pg:
            pg_note = "skipped (--no-pg)"
        else:
            pg = C.pg_url_from(args.pg)
            why = C.pg_reachable(pg)
            if why:
                pg_note = f"skipped: {why}"
            else:
                with C.pg_database(pg) as db:
                    c = library_container(db, work / "pg1")
                    pg_drafts = C.payment_drafts(args.n)
                    server0, cpu0 = C.pg_backends_cpu(db), time.process_time()
                    secs = post_library(c, pg_drafts, args.batch)
                    client, server1 = time.process_time() - cpu0, C.pg_backends_cpu(db)
                    c.engine.dispose()
                figures["pg1"] = C.rate(args.n, secs)
                print(f"PostgreSQL  library, 1 writer                {C.fmt_rate(figures['pg1']):>22}   "
                      f"({args.n:,} in {secs:.2f} s)", flush=True)
                print("            " + cpu_note(args.n, client, server0, server1))
                with C.pg_database(pg) as db:
                    c = library_container(db, work / "pg4")
                    head0 = count_entries(c)
                    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    secs, posted, client, server = pg_concurrent(db, work / "pg4", args.n, args.batch, args.writers)
                    figures["pg4"] = C.rate(posted, secs)
                    print(f"PostgreSQL  library, {args.writers} writers (aggregate)  "
                          f"{C.fmt_rate(figures['pg4']):>22}   ({posted:,} in {secs:.2f} s, "
                          f"{args.writers} processes x {args.n // args.writers:,}; load average before {load})",
                          flush=True)
                    print(f"            the machine right now: 2 busy processes do {C.parallel_headroom():.2f}x the work "
                          "of 1 (2.00x on two idle cores)")
                    print(f"            CPU per entry: writers {client / posted * 1e6:.0f} us + their server processes "
                          + (f"{server / posted * 1e6:.0f} us" if server is not None else "not measurable")
                          + f"; {C.rate(posted, client + (server or 0)):,.0f} entries per CPU-second")
                    with C.Timer() as t:
                        report = c.ledger.verify()
                    ok = report.ok and report.head_sequence == head0 + posted
                    print(f"            after the {args.writers} writers: {report.describe()} "
                          f"[{'gap-free, none lost' if ok else 'ENTRIES MISSING'}; verified in {t.seconds:.1f} s]")
                    figures["pg4_verifies"] = float(ok)
                    c.engine.dispose()
        if pg_note:
            print(f"PostgreSQL  {pg_note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nratios and targets:")
    summary = []
    if "lib" in figures:
        r = figures["lib"] / figures["bare"]
        print(f"  library / bare sqlite3 loop   = {r:.2f}x   (target >= {TARGET_BARE}x)  {verdict(r >= TARGET_BARE)}"
              f"  [by CPU time {figures['lib_cpu'] / figures['bare_cpu']:.2f}x]")
        summary += [f"SQLite {figures['lib']:,.0f}/s", f"{r:.2f}x bare sqlite3 loop ({figures['bare']:,.0f}/s)"]
    if "peer" in figures:
        r = figures["lib"] / figures["peer"]
        print(f"  library / python-accounting   = {r:,.0f}x   (target >= {TARGET_PEER:.0f}x)  "
              f"{verdict(r >= TARGET_PEER)}  [peer rate from a {args.peer_n:,}-entry sample]")
        summary.append(f"{r:,.0f}x python-accounting ({figures['peer']:,.1f}/s on {args.peer_n:,})")
    if "pg4" in figures:
        ok = figures["pg4"] >= TARGET_PG4 and figures["pg4_verifies"]
        print(f"  PostgreSQL, {args.writers} writers        = {C.fmt_rate(figures['pg4'])}   "
              f"(target >= {TARGET_PG4:,.0f})  {verdict(ok)}{'' if figures['pg4_verifies'] else ' (chain FAILED)'}")
        summary.append(f"PostgreSQL 1 writer {figures['pg1']:,.0f}/s, {args.writers} writers {figures['pg4']:,.0f}/s "
                       f"aggregate ({'chain verifies' if figures['pg4_verifies'] else 'CHAIN FAILS'})")
    print(f"\nsummary: ledger_post N={args.n:,} batch={args.batch:,}: " + "; ".join(summary) + f" — {C.machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
