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
from ledger_post_bare import (BareLoop, bare_canonical, bare_rows, bare_setup, check_bare, count_entries,  # noqa: E402,F401
                             library_container, post_library)
from ledger_post_peer import run_peer  # noqa: E402

TARGET_BARE, TARGET_PEER, TARGET_PG4 = 0.6, 100.0, 8000.0
PG_WRITERS = 4


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
    args = ap.parse_args(argv)


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
