"""Three-way matching at scale: the batch matcher against a naive per-invoice baseline, in one run.

    python benchmarks/match.py [--invoices 100000] [--pos 20000] [--sample 5000] [--batch 20000]

Data (generated, then bulk-inserted with ``sqlite3.executemany`` into a database migrated by the project,
outside any timing): 500 vendors; ``--pos`` approved purchase orders of 5 lines each (mostly 3-way goods,
some 2-way services and 4-way inspected lines), one receipt per PO (3 % of POs only half received, 4-way lines
95 % accepted); ``--invoices`` entered invoices of 3 lines each (300,000 lines for 100,000), 5 per PO, billing
20 units a line at the PO price, with 2 % of lines 5 % over price and 0.5 % re-using an earlier invoice number.
Expect clean matches, ``qty_received``, ``price``, ``amount_ordered``/``max_total`` and ``duplicate_suspected``.

What is timed:

* **batch** (the library): ``InvoiceService.match_entered`` — per ``--batch`` invoices one transaction that
  loads the invoices, the match context (grouped SQL per 500 POs), the duplicate pool and manual releases,
  runs ``matching.match_batch``, and stores match results, holds and guarded status updates in bulk.
* **naive** (the baseline): the same invoices in the same order, one at a time, one transaction each, with
  SQLAlchemy ORM loads of the invoice and its lines, and per line ORM loads of the PO and PO line plus three
  aggregate queries (received, billed by others, credited), three duplicate lookups, ``match_invoice``, and
  an ORM insert of the result and update of the invoice. It runs on a copy of the database taken before the
  batch run, over the first ``--sample`` invoices, and its rate is scaled to the full count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

TARGET_SECONDS, TARGET_RATIO = 20.0, 10.0
MICRO = 1_000_000
LINES_PER_PO, INVOICES_PER_PO, LINES_PER_INVOICE = 5, 5, 3
NOW = "2026-11-02T15:00:00.000000Z"


def build_container(url: str, work: Path):  # noqa: ANN201
    import main

    c = main.build(C.settings_for(url, work), migrate=True)
    main.initialize(c, example=False)
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    return c


class PgRows:
    """The few calls ``generate`` makes of a ``sqlite3`` connection, on PostgreSQL (psycopg's pipelined
    executemany; ``?`` placeholders as ``%s``; SQLite's pragmas skipped; the boolean literal spelled for PostgreSQL)."""

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self.conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s").replace("'net 30', 0, ", "'net 30', FALSE, ")

    def execute(self, sql: str, params: tuple = ()) -> None:
        if sql.startswith("PRAGMA"):
            return
        if sql == "ANALYZE":
            self.conn.commit()
            self.conn.autocommit = True
        self.conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: list) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def generate(path: Path | None, n_pos: int, n_invoices: int, seed: int = 20271, *, pg: str | None = None
             ) -> dict[str, int]:
    """Bulk-insert the documents straight into the tables (the migrations made them): into the SQLite file at
    ``path``, or with ``pg`` into that PostgreSQL database."""
    from payments.ap.matching.duplicates import normalize_invoice_number

    rnd = random.Random(seed)
    db: Any = PgRows(pg) if pg else sqlite3.connect(path)  # type: ignore[arg-type]
    db.execute("PRAGMA synchronous=OFF")
    vendors = [(f"ven_{i:026d}", f"Vendor {i}") for i in range(500)]
    db.executemany("INSERT INTO vendors (id, legal_name, addresses_json, contacts_json, terms, is_1099, "
                   "certifications_json, status, version, create_digest) VALUES (?, ?, '[]', '[]', 'net 30', 0, "
                   "'[]', 'active', 1, '')", vendors)
    pos, lines, receipts, receipt_lines, prices, levels = [], [], [], [], {}, {}
    for p in range(n_pos):
        po_id = f"po_{p:026d}"
        total = 0
        partial = rnd.random() < 0.03
        receipts.append((f"rct_{p:025d}", po_id, "2026-09-20", "posted", "", NOW))
        for n in range(1, LINES_PER_PO + 1):
            price = rnd.randint(500, 50_000)
            roll = rnd.random()
            level, kind = (2, "services") if roll < 0.10 else (4, "goods") if roll < 0.15 else (3, "goods")
            prices[(po_id, n)], levels[(po_id, n)] = price, level
            amount = 100 * price
            total += amount
            lines.append((po_id, n, f"item {n}", 100 * MICRO, "each", str(price), amount, "100", "PW", "5710", kind,
                          level, None, amount, 0))
            received = 50 if partial else 100
            accepted = 95 * MICRO if level == 4 else None
            receipt_lines.append((f"rct_{p:025d}", n, po_id, received * MICRO, accepted, received * price))
        pos.append((po_id, f"PO-{p:07d}", vendors[p % len(vendors)][0], "USD", "approved", 1, None, total, "", ""))
    db.executemany("INSERT INTO purchase_orders (id, number, vendor_id, currency, status, version, max_total_minor, "
                   "total_minor, description, create_digest) VALUES (?,?,?,?,?,?,?,?,?,?)", pos)
    db.executemany("INSERT INTO po_lines (po_id, line_no, item, quantity, unit_of_measure, unit_price_minor, "
                   "amount_minor, fund, department, object_code, kind, match_level, category, encumbered_minor, "
                   "accrued_minor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", lines)
    db.executemany("INSERT INTO receipts (id, po_id, received_on, status, note, created_at, create_digest) "
                   "VALUES (?,?,?,?,?,?,'')", receipts)
    db.executemany("INSERT INTO receipt_lines (receipt_id, po_line_no, po_id, quantity_received, quantity_accepted, "
                   "amount_minor) VALUES (?,?,?,?,?,?)", receipt_lines)
    invoices, invoice_lines = [], []
    start = dt.date(2026, 10, 1)
    for j in range(n_invoices):
        p = j // INVOICES_PER_PO if n_invoices <= n_pos * INVOICES_PER_PO else j % n_pos
        po_id, vendor = f"po_{p:026d}", vendors[p % len(vendors)][0]
        number = f"INV-{j:07d}" if rnd.random() >= 0.005 or j == 0 else f"INV-{j - 1:07d}"
        invoice_id = f"inv_{j:026d}"
        total = 0
        for k in range(LINES_PER_INVOICE):
            n = (j % INVOICES_PER_PO + k) % LINES_PER_PO + 1
            price = prices[(po_id, n)] * (105 if rnd.random() < 0.02 else 100) // 100
            amount = 20 * price
            total += amount
            invoice_lines.append((invoice_id, k + 1, po_id, n, 20 * MICRO, str(price), amount, "", None))
        day = start + dt.timedelta(days=j * 60 // n_invoices)
        invoices.append((invoice_id, vendor, number, normalize_invoice_number(number), day.isoformat(),
                         (day + dt.timedelta(days=1)).isoformat(), "USD", "net 30", total, total, "Remit to HQ",
                         "AR desk", None, "entered", 1, "", "usr_bench", NOW))
    db.executemany("INSERT INTO invoices (id, vendor_id, invoice_number, number_normalized, invoice_date, "
                   "received_on, currency, terms, stated_total_minor, total_minor, remit_to, defect_contact, "
                   "file_digest, status, version, create_digest, entered_by, entered_at) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", invoices)
    db.executemany("INSERT INTO invoice_lines (invoice_id, line_no, po_id, po_line_no, quantity, unit_price_minor, "
                   "amount_minor, description, unit_of_measure) VALUES (?,?,?,?,?,?,?,?,?)", invoice_lines)
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    return {"purchase orders": len(pos), "PO lines": len(lines), "receipts": len(receipts),
            "invoices": len(invoices), "invoice lines": len(invoice_lines)}


def status_counts(c) -> dict[str, int]:  # noqa: ANN001
    from sqlalchemy import func, select

    from adapters.db.ap.ap_tables import invoice_holds, invoices
    with c.uow(read_only=True) as uow:
        statuses = dict(uow.conn.execute(select(invoices.c.status, func.count()).group_by(invoices.c.status)).all())
        holds = dict(uow.conn.execute(select(invoice_holds.c.hold, func.count()).group_by(invoice_holds.c.hold)).all())
    return {**statuses, **{f"hold {k}": v for k, v in sorted(holds.items())}}


def batch_outcomes(c, ids: list[str]) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    from sqlalchemy import select

    from adapters.db.ap.ap_tables import invoices
    out = {}
    with c.uow(read_only=True) as uow:
        for i in range(0, len(ids), 500):
            rows = uow.conn.execute(select(invoices.c.id, invoices.c.status, invoices.c.match_digest)
                                    .where(invoices.c.id.in_(ids[i:i + 500])))
            out.update((r.id, (r.status, r.match_digest)) for r in rows)
    return out


def run_batch(c, batch: int) -> tuple[float, float]:  # noqa: ANN001
    """Wall and CPU seconds (``time.process_time``: on a shared machine the CPU figure is the steadier one)."""
    import time

    import main

    services = main.ap_services(c)
    cpu0 = time.process_time()
    from adapters.gc_pause import cyclic_gc_paused

    with C.Timer() as t, cyclic_gc_paused(batch >= 5_000):
        done = services.invoices.match_entered(batch_size=batch)
    assert done > 0
    return t.seconds, time.process_time() - cpu0


def run_on_pg(base: str, work: Path, args: argparse.Namespace) -> tuple[float, float, dict[str, int]]:
    """The same documents in a fresh PostgreSQL database, matched by the same batch matcher."""
    with C.pg_database(base) as url:
        c = build_container(url, work / "pg")
        generate(None, args.pos, args.invoices, pg=url)
        seconds, cpu_s = run_batch(c, args.batch)
        counts = status_counts(c)
        c.engine.dispose()
    return seconds, cpu_s, counts


def main_(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--invoices", type=int, default=100_000)
    ap.add_argument("--pos", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=5_000)
    ap.add_argument("--batch", type=int, default=50_000)
    ap.add_argument("--pg", nargs="?", const="", default=None, metavar="URL",
                    help="also the batch matcher on PostgreSQL, same data (default URL: $DISBURSE_TEST_POSTGRES_URL)")
    args = ap.parse_args(argv)
    from naive_match import run_naive

    C.header("three-way matching: batch matcher vs naive per-invoice loads (SQLite)"
             + (", and the batch matcher on PostgreSQL" if args.pg is not None else ""))
    work = Path(tempfile.mkdtemp(prefix="disburse_match_"))
    try:
        db = work / "match.db"
        c = build_container(C.sqlite_url(db), work)
        with C.Timer() as gen:
            sizes = generate(db, args.pos, args.invoices)
        print("data    : " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()) + f" (generated in {gen.seconds:.1f} s)")
        c.engine.dispose()
        shutil.copy(db, work / "naive.db")

        batch_s, batch_cpu_s = run_batch(c, args.batch)
        counts = status_counts(c)
        print("outcome : " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        batch_rate = C.rate(args.invoices, batch_s)
        print(f"batch   : {args.invoices:,} invoices matched in {batch_s:.2f} s ({batch_cpu_s:.2f} s CPU) = "
              f"{batch_rate:,.0f} invoices/s "
              f"(batches of {args.batch:,})")

        naive = build_container(C.sqlite_url(work / "naive.db"), work)
        naive_cpu0 = time.process_time()
        naive_s, outcomes = run_naive(naive, args.sample)
        naive_cpu_s = time.process_time() - naive_cpu0
        agreed = sum(1 for i, o in batch_outcomes(c, list(outcomes)).items() if outcomes[i] == o)
        naive_rate = C.rate(args.sample, naive_s)
        print(f"naive   : {args.sample:,} invoices matched in {naive_s:.2f} s ({naive_cpu_s:.2f} s CPU) = "
              f"{naive_rate:,.0f} invoices/s; "
              f"scaled to {args.invoices:,}: {args.invoices / naive_rate:,.1f} s "
              f"(same status and digest as the batch for {agreed:,}/{args.sample:,})")
        naive.engine.dispose()
        ratio = batch_rate / naive_rate
        print(f"ratio   : {ratio:.1f}x the naive rate")
        print()
        print(f"target  : all {args.invoices:,} in <= {TARGET_SECONDS:.0f} s "
              f"({'met' if batch_s <= TARGET_SECONDS else 'MISSED'}), >= {TARGET_RATIO:.0f}x naive "
              f"({'met' if ratio >= TARGET_RATIO else 'MISSED'})")
        if args.pg is not None:
            pg_s, pg_cpu_s, pg_counts = run_on_pg(C.pg_url_from(args.pg or None), work, args)
            same = "same outcome counts as SQLite" if pg_counts == counts else f"OUTCOMES DIFFER: {pg_counts}"
            print(f"pg      : {args.invoices:,} invoices matched in {pg_s:.2f} s ({pg_cpu_s:.2f} s client CPU) = "
                  f"{C.rate(args.invoices, pg_s):,.0f} invoices/s, {pg_s / batch_s:.2f}x SQLite's time; {same}; "
                  f"target <= {TARGET_SECONDS:.0f} s: {'met' if pg_s <= TARGET_SECONDS else 'MISSED'}")
        print(f"README  : | match {args.invoices // 1000}k invoices ({sizes['invoice lines'] // 1000}k lines, "
              f"{args.pos // 1000}k POs), SQLite | {batch_s:.1f} s, {batch_cpu_s:.1f} s CPU ({batch_rate:,.0f} invoices/s) | "
              f"{ratio:.0f}x naive per-invoice ORM ({naive_rate:,.0f}/s) | {C.machine()} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
