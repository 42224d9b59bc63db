"""Reconciliation throughput: a statement of N lines against N sent payments, on SQLite, at growing N.

    python benchmarks/reconcile.py [--sizes 100000,300000,1000000] [--batch-share 0.2] [--pg [URL]]

Per size, on a fresh migrated SQLite database (WAL, synchronous=NORMAL) holding the example chart, and with
``--pg`` also on a fresh PostgreSQL database, side by side (the production database; the target is SQLite's):

* **setup (not timed)**: N payments in status ``sent`` with trace numbers, one invoice item each, inserted in bulk
  into the payment tables; a BAI2 statement whose lines settle them: most lines carry one payment's trace
  (the customer reference), and ``--batch-share`` of the payments sit in ACH batches of 10 that the bank settles
  with one debit naming the batch, plus one unmatched bank fee. So "N lines" is the count of 16 records.
* **timed**: ``ReconciliationService.import_file(bytes)``, the whole use case in one transaction: BAI2 parse and
  control-total check, line identities and the duplicate-line look-up, the set-based trace match (the lines
  it decides are counted as "(decided in SQL)" among the methods), loading the open payments, matching,
  inserting lines and match rows, the guarded ``sent -> settled`` updates, the ``payment_settled`` entries
  (signed, hash-chained) and the commit.

It prints time and lines/s per size and the rate at the largest size relative to the smallest: near 1.0 means
the cost grows linearly. Targets (issue 17): 1M lines in <= 35 s on SQLite and <= 45 s on PostgreSQL, with the
import's peak RSS <= 1 GiB on each (the seeding runs in a forked child, so its rows never count; ``--db pg`` runs
PostgreSQL alone, so its peak is its own).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SENT = dt.date(2026, 9, 22)
BOOKED = dt.date(2026, 9, 23)
ODFI = "23138010"
TARGET_1M_S = {"SQLite": 35.0, "PostgreSQL": 45.0}  # issue 17
TARGET_RSS_MIB = 1024


def seed(container, n: int, batch_share: float) -> tuple[bytes, int]:  # noqa: ANN001
    """N sent payments and the statement that settles them; returns (statement bytes, statement lines)."""
    from sqlalchemy import insert

    from adapters.db.disbursements.payment_tables import payment_items, payment_runs, payments
    from ulid import ULID

    now = f"{SENT.isoformat()}T15:00:00+00:00"
    batched = int(n * batch_share) // 10 * 10
    runs, rows, items, lines = [], [], [], []
    stamp = int(dt.datetime(2026, 9, 22, 15, tzinfo=dt.timezone.utc).timestamp() * 1000)
    for k in range(n):
        # As the payment flow names them (``pay_`` + a ULID drawn when the run is built): ordered by the time
        # they were created, here one per millisecond, and stored in that order.
        pid = f"pay_{ULID.from_timestamp((stamp + k) / 1000)}"
        amount = 100 + (k * 7919) % 9_999_900
        run = f"run_b{k // 10:07d}" if k < batched else f"run_s{k:07d}"
        if k < batched and k % 10 == 0 or k >= batched:
            runs.append(dict(id=run, run_key=None, run_date=SENT.isoformat(), effective_date=SENT.isoformat(),
                             status="sent", currency="USD", rail="nacha", created_at=now, created_by="bench",
                             total_minor=0, payment_count=0, required_releases=1, submission_id=None, skipped="[]",
                             updated_at=now))
        trace = f"{ODFI}{k + 1:07d}"
        rows.append(dict(id=pid, run_id=run, vendor_id=f"ven_{k % 5000}", account_id=f"bac_{k % 5000}",
                         payee_name="VENDOR", currency="USD", amount_minor=amount, kind="live", sec_code="CCD",
                         status="sent", effective_date=SENT.isoformat(), trace_number=trace, submission_id=None,
                         status_reason=None, live_prenote_account_id=None, created_at=now, updated_at=now))
        items.append(dict(payment_id=pid, invoice_id=f"inv_{pid[4:]}", live_invoice_id=f"inv_{pid[4:]}",
                          invoice_number=f"INV-{k}", invoice_date=None, due_date=None, amount_minor=amount,
                          discount_minor=0, interest_minor=0, fund="100", expenditure_account=None,
                          approver_ids="[]"))
        if k >= batched:
            lines.append(f"16,466,{amount},Z,BR{k},{trace},ACH/")
    for b in range(batched // 10):
        total = sum(r["amount_minor"] for r in rows[b * 10:(b + 1) * 10])
        lines.append(f"16,466,{total},Z,BB{b},run_b{b:07d},ACH BATCH/")
    lines.append("16,469,2500,Z,SVC1,,SERVICE CHARGE/")
    with container.engine.begin() as conn:
        for table, data in ((payment_runs, runs), (payments, rows), (payment_items, items)):
            for start in range(0, len(data), 20_000):
                conn.execute(insert(table), data[start:start + 20_000])
    debits = sum(int(x.split(",")[2]) for x in lines)
    opening = 10**13
    closing = opening - debits
    control = opening + closing + debits
    account = [f"03,4412345678,USD,010,{opening},,,015,{closing},,/", *lines, f"49,{control},{len(lines) + 2}/"]
    text = "\n".join([f"01,021000021,CITY,{BOOKED:%y%m%d},0600,BENCH{n},80,1,2/",
                      f"02,CITY,021000021,1,{BOOKED:%y%m%d},2400,USD,2/", *account,
                      f"98,{control},1,{len(account) + 2}/", f"99,{control},1,{len(account) + 4}/"]) + "\n"
    return text.encode(), len(lines)


def seeded_in_child(url: str, work: Path, n: int, batch_share: float) -> tuple[bytes, int]:
    """Seed in a forked child, so that the rows built for the bulk insert never count in this process's peak RSS:
    what the parent's ``ru_maxrss`` then shows is the import's own peak (plus the interpreter and the statement)."""
    import main
    from payments.example.example_agency import example_accounts

    out = work / "statement.bai2"
    pid = os.fork()
    if pid == 0:  # the child: build, seed, write the statement, and leave without running the parent's cleanup
        code = 1
        try:
            container = main.build(C.settings_for(url, work), migrate=True)
            main.initialize(container, example=False)
            container.ledger.add_accounts(example_accounts())
            data, lines = seed(container, n, batch_share)
            container.engine.dispose()
            out.write_bytes(data)
            (work / "lines").write_text(str(lines))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit(f"seeding failed in the child (status {status})")
    return out.read_bytes(), int((work / "lines").read_text())


def run_size(n: int, batch_share: float, pg: str | None = None) -> tuple[float, int, dict, dict, float]:
    import main
    from adapters.gc_pause import LARGE_STATEMENT_BYTES, cyclic_gc_paused
    from adapters.statements.bank_files import read_bank_file
    from payments.reconciliation.recon_service import ReconciliationService

    with tempfile.TemporaryDirectory(prefix="recon-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        url = stack.enter_context(C.pg_database(pg)) if pg else \
            C.sqlite_url(work / "bench.db")
        data, line_count = seeded_in_child(url, work, n, batch_share)
        # migrate=True: a no-op on the schema the child made, unless a migration appeared meanwhile (a shared tree)
        container = main.build(C.settings_for(url, work), migrate=True)
        service = ReconciliationService(container.uow, container.vault, container.clock, read=read_bank_file)
        cpu = time.process_time()
        with C.Timer() as t, cyclic_gc_paused(len(data) >= LARGE_STATEMENT_BYTES):
            result = service.import_file(data, name=f"bench-{n}.bai2")
        result.timings_s["cpu_total"] = round(time.process_time() - cpu, 1)
        result.methods["(decided in SQL)"] = result.lines_set_based
        assert result.payments_settled == n and result.exceptions_opened == 1, result.to_dict()
        container.engine.dispose()
    # The peak so far of this process (seeding ran in a child): the largest import's, as sizes only grow.
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return t.seconds, line_count, result.methods, result.timings_s, rss_mib


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--batch-share", type=float, default=0.2)
    parser.add_argument("--pg", nargs="?", const="", default=None, metavar="URL",
                        help="also on PostgreSQL (default URL: $DISBURSE_TEST_POSTGRES_URL, else the local server)")
    parser.add_argument("--db", choices=("both", "sqlite", "pg"), default="both",
                        help="with --pg: 'pg' alone gives PostgreSQL's own peak RSS (one process per database)")
    args = parser.parse_args()
    pg = None
    if args.pg is not None or args.db == "pg":
        pg = C.pg_url_from(args.pg or None)
        if (why := C.pg_reachable(pg)) is not None:
            sys.exit(f"PostgreSQL is not reachable: {why}")
    on_sqlite, on_pg = args.db in ("both", "sqlite"), pg is not None and args.db in ("both", "pg")
    C.header("reconcile: statement lines against as many sent payments, "
             + " and ".join(d for d, on in (("SQLite", on_sqlite), ("PostgreSQL", on_pg)) if on) + ", one import each")
    figures: dict[str, list[tuple[int, int, float]]] = {"SQLite": [], "PostgreSQL": []}
    for n in (int(x) for x in args.sizes.split(",")):
        sq_seconds = None
        for name, url in (("SQLite", None), ("PostgreSQL", pg)):
            if not (on_sqlite if name == "SQLite" else on_pg):
                continue
            seconds, lines, methods, timings, rss_mib = run_size(n, args.batch_share, url)
            figures[name].append((n, lines, seconds))
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            versus = f"  = {seconds / sq_seconds:.2f}x SQLite's time" if sq_seconds else ""
            print(f"{name:<10} N={n:>9,} payments  {lines:>9,} lines  {seconds:7.1f} s (client CPU "
                  f"{timings['cpu_total']:.1f} s)  {C.rate(lines, seconds):>9,.0f} lines/s{versus}  peak RSS "
                  f"{rss_mib:,.0f} MiB (target <= {TARGET_RSS_MIB:,} MiB: "
                  f"{'met' if rss_mib <= TARGET_RSS_MIB else 'MISSED'})  load {load}  methods {methods}", flush=True)
            print(f"    phases (s): {timings}", flush=True)
            sq_seconds = seconds if url is None else sq_seconds
    for name, rows in figures.items():
        if not rows:
            continue
        (n0, l0, s0), (n1, l1, s1) = rows[0], rows[-1]
        ratio = C.rate(l1, s1) / C.rate(l0, s0)
        print(f"\n{name}: rate at N={n1:,} / rate at N={n0:,} = {ratio:.2f} (1.0 = linear growth; target >= 0.9)")
        if n1 >= 1_000_000:
            target = TARGET_1M_S[name]
            print(f"{name} 1M: {s1:.1f} s (target <= {target:.0f} s) {'MET' if s1 <= target else 'MISSED'}")
        print(f"summary {name}: reconcile " + "; ".join(f"{n:,} payments ({lines:,} lines) {s:.1f} s, "
                                                  f"{C.rate(lines, s):,.0f} lines/s" for n, lines, s in rows)
              + f" - {C.machine()}")


if __name__ == "__main__":
    main_()
