"""`disburse statements import` and `disburse reconcile`: treasury reconciliation from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from adapters.cli.wiring import Wiring


def cmd_statements_import(args: argparse.Namespace, wiring: Wiring) -> int:
    from adapters.gc_pause import LARGE_STATEMENT_BYTES, cyclic_gc_paused
    from payments.reconciliation.statements import FormatError

    service = wiring.wire_recon(wiring.build()).service
    data = Path(args.file).read_bytes()
    try:
        with cyclic_gc_paused(len(data) >= LARGE_STATEMENT_BYTES):
            result = service.import_file(data, format=args.format, name=Path(args.file).name, actor="cli",
                                         dry_run=args.dry_run, strict=args.strict, history=args.history)
    except FormatError as exc:
        print(json.dumps({"rejected": True, "code": exc.code, "location": exc.location, "field": exc.field,
                          "reason": exc.message, "details": exc.details}, default=str) if args.json
              else f"rejected: {exc.code}: {exc.message}", file=sys.stdout if args.json else sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return 0
    head = "dry run, nothing written: " if result.dry_run else ""
    if result.duplicate_file:
        print(f"{head}already imported as {result.file_id} (same SHA-256); nothing posted again")
        return 0
    print(f"{head}imported {Path(args.file).name} as {result.file_id} ({result.format})")
    for label, value in (("lines read", result.lines_read), ("new lines", result.lines_new),
                         ("already imported", result.lines_already_imported), ("matched", result.lines_matched),
                         ("payments settled", result.payments_settled), ("payments failed", result.payments_failed),
                         ("returns posted", result.returns_posted),
                         ("changes proposed", result.changes_proposed), ("exceptions opened", result.exceptions_opened)):
        if value:
            print(f"  {label:<18} {value}")
    for finding in result.findings:
        print(f"  finding: {finding['severity']} {finding['location']}: {finding['message']}")
    for action in result.bank_actions:
        print(f"  bank account: {action}")
    return 0


def cmd_reconcile(args: argparse.Namespace, wiring: Wiring) -> int:
    import datetime as dt

    recon = wiring.wire_recon(wiring.build())
    on = dt.date.fromisoformat(args.date) if args.date else None
    run = recon.service.reconcile(on)
    report = recon.queries.report(dt.date.fromisoformat(run["date"]))
    if args.json:
        print(json.dumps({"run": run, "report": report.to_dict()}, indent=2, default=str))
    elif args.csv:
        from adapters.exports.csv_export import write_csv

        sys.stdout.write(write_csv(*report.table()))
    else:
        print(report.describe())
    return 0 if report.ties_out or not report.cash else 1


def register(sub: Any, wiring: Wiring) -> None:
    statements = sub.add_parser("statements", help="bank files").add_subparsers(dest="statements_cmd", required=True)
    s = statements.add_parser("import", help="import a statement, status report, or returns/NOC file (idempotent)")
    s.add_argument("file")
    s.add_argument("--format", choices=["nacha", "bai2", "camt053", "camt054", "camt052", "pain002"],
                   help="skip sniffing the format")
    s.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    s.add_argument("--strict", action="store_true",
                   help="also validate an ISO 20022 message against its official XSD (refused if none is held)")
    s.add_argument("--history", action="store_true",
                   help="import older history, back to the policy's [dates] history_from")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_statements_import, wiring=wiring))
    s = sub.add_parser("reconcile", help="match what is open, flag overdue payments, print the day's report")
    s.add_argument("--date", help="ISO date (default: today)")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    s.set_defaults(func=partial(cmd_reconcile, wiring=wiring))
