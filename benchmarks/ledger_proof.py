"""How fast one entry's inclusion proof is built in a large journal, in process and over HTTP.

    python benchmarks/ledger_proof.py [--n 1000000] [--pg [URL]] [--samples 200] [--workdir DIR] [--fresh]

* Builds a journal of N two-leg entries through ``LedgerService.post`` in batches of 1,000 (SQLite in
  ``--workdir``, reused when it already holds N; with ``--pg``, a throwaway PostgreSQL database), then signs a
  checkpoint (which stores the Merkle roots of the whole blocks of 1,024 entries, migration 0022).
* **in process**: ``LedgerProofs.inclusion`` for ``--samples`` entries spread over the journal, each a fresh
  read-only unit of work: the entry, the stored block roots, the hashes of the entry's block and of the last
  partial block, the audit path, the bundle. Targets: under 50 ms. Its CPU time (this process's, the database
  driver's included for SQLite) is printed beside: on a host shared with other work, wall time is mostly waiting.
* **over HTTP**: ``GET /v1/ledger/entries/{id}/proof`` through the ASGI app in process (FastAPI's TestClient),
  with an auditor's token. Target: p95 under 100 ms.
* **comparison, in the same run**: the same entries read alone, without a proof (in process: one read-only
  unit of work and ``get_entry``; over HTTP: ``GET /v1/ledger/entries/{id}``), each right after its proof, so
  both see the same host. What the proof costs is the difference.
* Every proof is checked (``ledger.proofs.check_inclusion``) outside the timing. Before timing, the heap is frozen
  as ``disburse serve`` freezes it once its app is built (``freeze_startup_heap``), and one proof warms up.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

IN_PROCESS_MS, HTTP_P95_MS, BUILD_BATCH = 50.0, 100.0, 1000
TOKEN = "dsb_benchproofbenchproofbenchproofbenchproof000"


def container(url: str, work: Path, *, migrate: bool = True):  # noqa: ANN201
    import dataclasses

    import main

    settings = dataclasses.replace(C.settings_for(url, work), bootstrap_admin_token=TOKEN)
    return main.build(settings, migrate=migrate)


def build(url: str, work: Path, n: int) -> tuple[object, str]:
    import main

    c = container(url, work)
    with c.uow(read_only=True) as uow:
        have = uow.ledger_queries.count_entries()
    if have >= n:
        return c, f"reused ({have:,} entries)"
    main.initialize(c, example=True)
    with C.Timer() as t:
        for chunk in C.batches(C.payment_drafts(n), BUILD_BATCH):
            c.ledger.post(chunk)
    return c, f"built in {t.seconds:.1f} s ({C.fmt_rate(n / t.seconds)})"


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"


def measure(c, samples: int) -> dict:  # noqa: ANN001
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    import main
    from adapters.cli.serve_command import freeze_startup_heap
    from ledger.proofs import check_inclusion
    from payments.ledger_proofs import LedgerProofs

    with C.Timer() as t:
        cp = c.ledger.checkpoint()
    print(f"checkpoint at {cp.sequence:,} (block roots stored with it) in {t.seconds:.1f} s")
    rng = random.Random(13)
    sequences = sorted(rng.sample(range(2, cp.sequence + 1), min(samples, cp.sequence - 1)))
    with c.engine.connect() as conn:
        ids = [conn.execute(text("SELECT id FROM ledger_entries WHERE sequence = :s"), {"s": s}).scalar_one()
               for s in sequences]
    proofs, inproc, cpu, read = LedgerProofs(c.uow), [], [], []
    freeze_startup_heap()  # what `disburse serve` does once its app is built, before the first request
    proofs.inclusion(ids[0])  # warm up, untimed, as over HTTP below: the first call compiles its SQL statements
    for entry_id in ids:
        start, start_cpu = time.perf_counter(), time.process_time()
        bundle = proofs.inclusion(entry_id)
        inproc.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert check_inclusion(json.loads(bundle)).ok
        start = time.perf_counter()
        with c.uow(read_only=True) as uow:  # the comparison: the entry alone, as the proof's own read gets it
            assert uow.ledger_queries.get_entry(entry_id) is not None
        read.append((time.perf_counter() - start) * 1000)
    http, http_read = [], []
    with TestClient(main.create_app(c), base_url="https://testserver") as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        client.get(f"/v1/ledger/entries/{ids[0]}/proof", headers=headers)  # warm up
        client.get(f"/v1/ledger/entries/{ids[0]}", headers=headers)
        for entry_id in ids:
            start = time.perf_counter()
            r = client.get(f"/v1/ledger/entries/{entry_id}/proof", headers=headers)
            http.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200 and check_inclusion(r.json()).ok, r.text[:200]
            start = time.perf_counter()
            r = client.get(f"/v1/ledger/entries/{entry_id}", headers=headers)
            http_read.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, r.text[:200]
    return {"n": cp.sequence, "inproc": inproc, "cpu": cpu, "read": read, "http": http, "http_read": http_read}


def report(label: str, m: dict) -> bool:
    inproc_max, http_p95 = max(m["inproc"]), sorted(m["http"])[int(round(0.95 * (len(m["http"]) - 1)))]
    ok = inproc_max < IN_PROCESS_MS and http_p95 < HTTP_P95_MS
    print(f"{label}: a proof among {m['n']:,} entries, {len(m['inproc'])} samples")
    print(f"  in process  {percentiles(m['inproc'])}   (target < {IN_PROCESS_MS:.0f} ms: "
          f"{'met' if inproc_max < IN_PROCESS_MS else 'MISSED'})")
    print(f"    its CPU time  {percentiles(m['cpu'])}")
    print(f"  over HTTP   {percentiles(m['http'])}   (target p95 < {HTTP_P95_MS:.0f} ms: "
          f"{'met' if http_p95 < HTTP_P95_MS else 'MISSED'})")
    print(f"  comparison, the same entries read alone: in process {percentiles(m['read'])}; "
          f"GET /v1/ledger/entries/{{id}} {percentiles(m['http_read'])}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--workdir", help="where the SQLite journal is built and kept for reuse")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--pg", nargs="?", const="", default=None, help="PostgreSQL instead (URL, or the default)")
    args = ap.parse_args(argv)
    C.header("ledger proof")
    if args.pg is not None:
        base = C.pg_url_from(args.pg or None)
        why = C.pg_reachable(base)
        if why:
            print(f"PostgreSQL: {why}")
            return 2
        work = Path(tempfile.mkdtemp(prefix="disburse-bench-proof-pg-"))
        with C.pg_database(base) as url:
            c, how = build(url, work, args.n)
            print(f"PostgreSQL journal: {how}")
            ok = report("PostgreSQL", measure(c, args.samples))
            c.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
        return 0 if ok else 1
    work = Path(args.workdir or Path(tempfile.gettempdir()) / f"disburse-bench-proof-{args.n}")
    if args.fresh:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    c, how = build(C.sqlite_url(work / "journal.db"), work, args.n)
    print(f"SQLite journal: {how} in {work}")
    return 0 if report("SQLite", measure(c, args.samples)) else 1


if __name__ == "__main__":
    sys.exit(main())
