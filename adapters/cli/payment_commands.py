"""`disburse payments run|submit|status`: the payment runs from the command line."""

from __future__ import annotations

import argparse
import json
from functools import partial
from typing import Any

from adapters.cli.wiring import Wiring
from ledger.money import format_minor


def cmd_payments(args: argparse.Namespace, wiring: Wiring) -> int:
    import datetime as dt

    container = wiring.build()
    service = wiring.wire_payments(container)
    if args.payments_cmd == "run":
        run_date = dt.date.fromisoformat(args.date) if args.date else None
        result = service.create_run(run_date=run_date, run_key=args.key, rail=args.rail, created_by="cli",
                                    same_day=args.same_day)
        if result.run is None:
            out = {"run": None, "skipped": [s.reason.value for s in (result.plan.skipped if result.plan else ())]}
            print(json.dumps(out) if args.json else "nothing is payable in this window")
            return 0
        run = result.run
        print(json.dumps({"run_id": run.id, "created": result.created, "payments": run.payment_count,
                          "total_minor": run.total_minor, "status": run.status.value,
                          "effective_date": run.effective_date.isoformat(), "same_day": run.same_day}) if args.json else
              f"{'created' if result.created else 'existing'} run {run.id}: {run.payment_count} payments, "
              f"{format_minor(run.total_minor, run.currency)}, effective {run.effective_date}"
              f"{' (same-day)' if run.same_day else ''}, {run.status.value}")
    elif args.payments_cmd == "submit":
        outcomes = service.submit_released()
        rows = [{"submission_id": o.submission_id, "run_id": o.run_id, "result": o.result, "reference": o.reference}
                for o in outcomes]
        print(json.dumps(rows) if args.json else "\n".join(
            f"{r['run_id']}: {r['result']} {r['reference'] or ''}" for r in rows) or "nothing to submit")
    else:
        counts = service.poll_status() if args.poll else {}
        runs = [service.get_run(args.run_id)] if args.run_id else service.list_runs(limit=args.limit)
        rows = [{"run_id": r.id, "status": r.status.value, "payments": r.payment_count, "total_minor": r.total_minor,
                 "currency": r.currency,
                 "by_status": _count_by_status(service.payments_of_run(r.id)), "redated": r.redated} for r in runs]
        print(json.dumps({"polled": counts, "runs": rows}) if args.json else "\n".join(
            f"{r['run_id']}  {r['status']:<9} {r['payments']:>5} payments {format_minor(r['total_minor'], r['currency']):>18}  "
            f"{r['by_status']}" + (f"\n  re-dated: {r['redated']['reason']}" if r["redated"] else "")
            for r in rows) or "no payment runs")
    return 0


def _count_by_status(payments: list) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in payments:
        out[p.status.value] = out.get(p.status.value, 0) + 1
    return out


def register(sub: Any, wiring: Wiring) -> None:
    pay = sub.add_parser("payments", help="payment runs").add_subparsers(dest="payments_cmd", required=True)
    s = pay.add_parser("run", help="create the payment run for a business day (idempotent with --key)")
    s.add_argument("--date", help="ISO date (default: today's business day, honouring the cut-off)")
    s.add_argument("--key", help="run key: a second call with the same key returns the first run")
    s.add_argument("--rail", help="rail name (default: the policy's)")
    s.add_argument("--same-day", action="store_true",
                   help="settle today (same-day ACH); refused after the rail's same-day cut-off")
    s.add_argument("--json", action="store_true")
    s = pay.add_parser("submit", help="submit released runs; finish any submission a crash or timeout left open")
    s.add_argument("--json", action="store_true")
    s = pay.add_parser("status", help="runs and their payments; --poll asks the rails first")
    s.add_argument("run_id", nargs="?")
    s.add_argument("--poll", action="store_true")
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--json", action="store_true")
    for name in ("run", "submit", "status"):
        pay.choices[name].set_defaults(func=partial(cmd_payments, wiring=wiring))
