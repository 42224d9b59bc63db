"""Verification throughput of the signed journal, against a bare single-core verify loop, in one run.

    python benchmarks/ledger_verify.py [--n 50000] [--workers N] [--repeat 2] [--workdir DIR] [--fresh]

* Builds a journal of N two-leg entries on SQLite through the library (genesis, example chart, then
  ``LedgerService.post`` in batches of 1,000), or reuses the one in ``--workdir`` when it already
  holds exactly that many (default workdir: ``$TMPDIR/disburse-bench-verify-<N>``; ``--fresh`` rebuilds).
* **library**: ``LedgerService.verify(workers=...)``: worker processes (default: one per core) each read
  runs of 1,024 rows themselves (plain driver tuples on their own read connections) and re-derive the
  canonical bytes, hash chain, balances, key windows and Ed25519 signatures, returning each run's Merkle
  subtree and balance totals; the parent links the runs' ends and checks the checkpoint state.
* **bare loop**: one process, the ``sqlite3`` module: reads the same rows (entries, and postings by
  a range scan), recomputes the canonical bytes and the SHA-256 chain, checks sequence continuity and
  every Ed25519 signature with the one registered public key loaded once. It checks less than the
  library does (no balances, key windows, Merkle root or tally): it is the floor of what a verifier
  must do, on one core.
* The two run in turn ``--repeat`` times (bare first, then library); the best time of each is the figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

TARGET = 1.6
BUILD_BATCH = 1000
_ENC = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def container(work: Path, *, migrate: bool = True):  # noqa: ANN201
    import main

    return main.build(C.settings_for(C.sqlite_url(work / "journal.db"), work), migrate=migrate)


def count(c) -> int:  # noqa: ANN001
    with c.uow(read_only=True) as uow:
        return uow.ledger_queries.count_entries()


def build_journal(work: Path, n: int, fresh: bool) -> tuple[object, int, str]:
    """A journal holding genesis, the example ledger and ``n`` payments; reused when it is already there."""
    import main

    marker = work / "built.json"
    if not fresh and marker.exists() and (work / "journal.db").exists():
        info = json.loads(marker.read_text())
        c = container(work)  # SQLite upgrades its own schema, as `disburse` does
        total = count(c)
        if info.get("n") == n and total == info.get("total"):
            return c, total, f"reused {work}"
        c.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    c = container(work)
    main.initialize(c, example=True)
    with C.Timer() as t:
        for chunk in C.batches(C.payment_drafts(n), BUILD_BATCH):
            c.ledger.post(chunk)
    total = count(c)
    marker.write_text(json.dumps({"n": n, "total": total}))
    return c, total, f"built in {t.seconds:.1f} s ({C.fmt_rate(n / t.seconds)}) in {work}"


def bare_verify(db: Path, public_keys: dict[str, bytes]) -> tuple[int, bytes]:
    """The single-core floor: sequence, canonical bytes, chain and signature of every entry. Raises on a fault."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verifiers = {k: Ed25519PublicKey.from_public_bytes(v).verify for k, v in public_keys.items()}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    sha256, enc = hashlib.sha256, _ENC
    prev, last, step = bytes(32), 0, 5000
    while True:
        rows = conn.execute("SELECT sequence, id, effective_date, recorded_at, code, memo, references_json, "
                            "data_json, reverses, key_id, prev_hash, hash, signature FROM ledger_entries "
                            "WHERE sequence > ? ORDER BY sequence LIMIT ?", (last, step)).fetchall()
        if not rows:
            return last, prev
        legs: dict[int, list] = {}
        for seq, account, direction, amount, currency in conn.execute(
                "SELECT entry_sequence, account, direction, amount_minor, currency FROM ledger_postings "
                "WHERE entry_sequence BETWEEN ? AND ? ORDER BY entry_sequence, idx", (rows[0][0], rows[-1][0])):
            legs.setdefault(seq, []).append({"account": account, "amount_minor": amount, "currency": currency,
                                             "direction": direction})
        for seq, eid, eff, rec, code, memo, refs, data, rev, key_id, prev_hash, digest, sig in rows:
            if seq != last + 1 or prev_hash != prev:
                raise AssertionError(f"chain broken at {seq}")
            body = enc({"code": code, "data": json.loads(data), "effective_date": eff, "id": eid, "key_id": key_id,
                        "memo": memo, "postings": legs.get(seq, []), "recorded_at": rec,
                        "references": json.loads(refs), "reverses": rev, "sequence": seq}).encode("utf-8")
            if sha256(b"\x01" + prev + body).digest() != digest:
                raise AssertionError(f"hash mismatch at {seq}")
            verifiers[key_id](sig, digest)  # raises InvalidSignature
            prev, last = digest, seq


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50_000, help="payment entries in the journal (default 50,000)")
    ap.add_argument("--workers", type=int, default=None, help="library's signature workers (default: all cores)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each, in turn; the best counts (default 2)")
    ap.add_argument("--workdir", help="where the journal is built and kept for reuse")
    ap.add_argument("--fresh", action="store_true", help="rebuild the journal even if one is there")
    args = ap.parse_args(argv)
    workers = args.workers or C.cores()

    C.header(f"ledger_verify: a journal of {args.n:,} entries on SQLite; library with {workers} worker(s) "
             f"against a single-core bare loop")
    work = Path(args.workdir) if args.workdir else Path(tempfile.gettempdir()) / f"disburse-bench-verify-{args.n}"
    c, total, how = build_journal(work, args.n, args.fresh)
    print(f"journal : {total:,} entries, {how}")
    keys = {k.key_id: k.public_key for k in c.ledger.keys()}

    best = {"lib": float("inf"), "bare": float("inf")}
    for r in range(1, args.repeat + 1):
        w, cpu = time.perf_counter(), time.process_time()
        head, head_hash = bare_verify(work / "journal.db", keys)
        secs, cpu = time.perf_counter() - w, time.process_time() - cpu
        assert head == total, (head, total)
        best["bare"] = min(best["bare"], secs)
        print(f"run {r}: bare single-core loop  {C.fmt_rate(total / secs):>20}  ({secs:.2f} s, {cpu:.2f} s CPU)",
              flush=True)
        kids0, cpu0 = _children_cpu(), time.process_time()
        with C.Timer() as t:
            report = c.ledger.verify(workers=workers)  # its pool is shut down (workers reaped) on return
        lib_cpu = time.process_time() - cpu0 + _children_cpu() - kids0
        best["lib_cpu"] = min(best.get("lib_cpu", float("inf")), lib_cpu)
        best["bare_cpu"] = min(best.get("bare_cpu", float("inf")), cpu)
        if not (report.ok and report.head_sequence == total and report.head_hash == head_hash.hex()):
            print(f"library verify disagrees: {report.describe()}")
            return 1
        best["lib"] = min(best["lib"], t.seconds)
        print(f"run {r}: library, {workers} worker(s)     {C.fmt_rate(total / t.seconds):>20}  ({t.seconds:.2f} s, "
              f"{lib_cpu:.2f} s CPU in all its processes)  {report.describe()}", flush=True)
    c.engine.dispose()

    headroom = C.parallel_headroom()
    lib, bare = total / best["lib"], total / best["bare"]
    ratio = lib / bare
    print(f"\nbest of {args.repeat}: library {C.fmt_rate(lib)}, bare single-core loop {C.fmt_rate(bare)}")
    print(f"  library / bare single-core loop = {ratio:.2f}x   (target >= {TARGET}x)  "
          f"{'MET' if ratio >= TARGET else 'MISSED'}")
    # What the same work would give on idle cores: CPU cost per entry, library (all processes) vs bare.
    lib_us, bare_us = best["lib_cpu"] / total * 1e6, best["bare_cpu"] / total * 1e6
    ceiling = min(workers, C.cores()) * bare_us / lib_us
    print(f"  CPU per entry: library {lib_us:.0f} us (main + workers), bare {bare_us:.0f} us; on {C.cores()} idle "
          f"cores the library could reach at most {ceiling:.2f}x (load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"  the machine right now: 2 processes of Ed25519 verification do {headroom:.2f}x the work of 1 "
          "(2.00x on two idle cores): the most any 2-worker verifier can show against a 1-core loop")
    print(f"\nsummary: ledger_verify N={total:,}: library {lib:,.0f} entries/s with {workers} workers = {ratio:.2f}x "
          f"the bare single-core loop ({bare:,.0f}/s) — {C.machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
