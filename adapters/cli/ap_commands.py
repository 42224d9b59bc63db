"""`disburse import`: an ERP's CSV export of purchase orders, receipts or invoices, all or nothing;
`disburse budgets rebuild`: each fiscal year's budget line recounted from the journal."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from adapters.cli.wiring import Wiring


def cmd_import(args: argparse.Namespace, wiring: Wiring) -> int:
    """`disburse import purchase-orders|receipts|invoices FILE.csv`: all or nothing, every fault listed."""
    import getpass

    from adapters.gc_pause import LARGE_CSV_BYTES, cyclic_gc_paused
    from payments.ap.csv_rows import ImportRejected
    from payments.ap.csv_import import CsvImporter
    from payments.identity import Principal, Role

    text = Path(args.file).read_text(encoding="utf-8-sig")
    clerk = Principal.staff(f"cli_{getpass.getuser() or 'operator'}", Role.AP_CLERK)

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\rimporting {args.kind} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    try:
        with cyclic_gc_paused(len(text) >= LARGE_CSV_BYTES):
            result = CsvImporter(wiring.ap_services(wiring.build())).run(
                args.kind, text, clerk, progress=show if sys.stderr.isatty() and not args.json else None)
    except ImportRejected as exc:
        if args.json:
            print(json.dumps({"imported": 0, "errors": [{"row": e.row, "column": e.column, "message": e.message,
                                                         "code": e.code} for e in exc.errors]}, indent=2))
        else:
            print(f"{args.file}: rejected, nothing imported ({len(exc.errors)} error(s)):", file=sys.stderr)
            for e in exc.errors:
                print(f"  {e.describe()}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"imported": result.documents, "rows": result.rows, "ids": list(result.ids)}, indent=2))
    else:
        print(f"imported {result.documents:,} {args.kind.replace('-', ' ')} ({result.rows:,} rows) from {args.file}")
    return 0


def cmd_budgets_rebuild(args: argparse.Namespace, wiring: Wiring) -> int:
    """`disburse budgets rebuild`: after upgrading from before fiscal-year budget lines kept their sums
    (migration 0013), or to check them: dates old orders by policy and recounts every line from the journal."""
    import getpass

    from payments.identity import Principal, Role

    treasurer = Principal.staff(f"cli_{getpass.getuser() or 'operator'}", Role.TREASURER)
    recount = wiring.ap_services(wiring.build()).budget_totals.rebuild(treasurer)
    if args.json:
        print(json.dumps({"lines": recount.lines, "orders_dated": recount.orders_dated,
                          "entries_without_split": recount.entries_without_split,
                          "ambiguous_entries": list(recount.ambiguous_entries)}, indent=2))
    else:
        print(f"recounted {recount.lines:,} budget line(s); {recount.orders_dated:,} order(s) approved before fiscal "
              f"years were kept dated by policy; {recount.entries_without_split:,} entry(ies) without a year split "
              "charged to their order's year")
        for entry_id in recount.ambiguous_entries:
            print(f"  {entry_id}: orders of several years on one account, charged to the earliest", file=sys.stderr)
    return 0


def register(sub: Any, wiring: Wiring) -> None:
    s = sub.add_parser("import", help="import purchase orders, receipts or invoices from an ERP's CSV export")
    s.add_argument("kind", choices=["purchase-orders", "receipts", "invoices"])
    s.add_argument("file", help="a CSV file; columns in docs/csv-import.md")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_import, wiring=wiring))
    budgets = sub.add_parser("budgets", help="fiscal-year budget lines").add_subparsers(dest="budgets_cmd",
                                                                                       required=True)
    s = budgets.add_parser("rebuild", help="recount each year's encumbered and expended sums from the journal "
                                           "(the upgrade to 0013 runs it once by itself)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_budgets_rebuild, wiring=wiring))
