"""`disburse publish checkbook|ocds`: open data written to the publication folder (the job's body, run now)."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from functools import partial
from typing import Any


def cmd_publish(args: argparse.Namespace, wiring: Any) -> int:
    container = wiring.build()
    publish = wiring.publish_checkbook if args.dataset == "checkbook" else wiring.publish_ocds
    result = publish(container, args.out)
    folder = wiring.publication_dir(container, args.out) / args.dataset
    unit = "rows" if args.dataset == "checkbook" else "releases"
    if args.json:
        print(json.dumps({"dataset": args.dataset, unit: result.rows, "changed": result.changed,
                          "folder": str(folder), "files": list(result.files)}))
    else:
        state = "written" if result.changed else "unchanged (already published)"
        print(f"{args.dataset}: {result.rows} {unit}, {state}, in {folder}")
    return 0


def _dollars(minor: int) -> str:
    return f"{Decimal(minor).scaleb(-2):,.2f}"


def cmd_1099(args: argparse.Namespace, wiring: Any) -> int:
    from adapters.exports.iris_csv import IrisFileRefused

    try:
        run, files = wiring.form_1099(wiring.build(), args.year, args.out)
    except IrisFileRefused as exc:
        if args.json:
            print(json.dumps({"refused": True, "code": exc.code, "problems": exc.problems}))
        else:
            print(f"error: {exc.code}: nothing written", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        return 2
    summary = run.summary() | {"files": [str(f) for f in files]}
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"1099-NEC {run.year}: threshold {_dollars(run.threshold_minor)}; {len(run.reportable)} vendors reported, "
          f"{len(run.below_threshold)} below the threshold, {len(run.missing_tin)} missing a TIN")
    for row in summary["reportable"]:
        print(f"  {row['vendor_id']}  {row['tin'] or 'NO TIN':<10} {_dollars(row['paid_minor']):>14}  {row['name']}")
    for f in files:
        print(f"  wrote {f}")
    return 0


def cmd_manager(args: argparse.Namespace, wiring: Any) -> int:
    import datetime as dt

    reports = wiring.manager_reports(wiring.build())
    if args.report == "spend":
        result = reports.spend(args.fiscal_year)
    elif args.report == "aging":
        result = reports.aging(dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today())
    elif args.report == "cash-forecast":
        result = reports.cash_forecast(dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today(),
                                       args.business_days)
    else:
        start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
        run = {"prompt-pay": reports.prompt_pay, "diversity": reports.diversity, "split-purchases": reports.split_purchases,
               "suppliers": reports.supplier_performance, "local": reports.local_vendors,
               "signals": lambda a, b: reports.signals.queue(a, b)}
        result = run[args.report](start, end)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


def _day(text: str) -> str:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return text


def register(sub: Any, wiring: Any) -> None:
    r = sub.add_parser("reports", help="reports: 1099-NEC, spend against budget, AP aging, prompt-pay performance, diversity")
    reports = r.add_subparsers(dest="report", required=True)
    t = reports.add_parser("1099", help="1099-NEC: who is reported for a calendar year; --out writes the IRIS files")
    t.add_argument("--year", type=int, required=True, help="the calendar (tax) year, by payment date")
    t.add_argument("--out", help="write the IRIS Taxpayer Portal CSV files and the pre-filing report here")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=partial(cmd_1099, wiring=wiring))
    m = reports.add_parser("spend", help="spend against budget for a fiscal year: by coding, vendor and month")
    m.add_argument("--fiscal-year", type=int, required=True)
    a = reports.add_parser("aging", help="unpaid invoices by days past due: current, 1-30, 31-60, 61-90, 90+")
    a.add_argument("--as-of", type=_day, help="the day to age to (default: today)")
    p = reports.add_parser("prompt-pay", help="on-time rate, days to pay, late interest, discounts, by rule set")
    d = reports.add_parser("diversity", help="share of payments to certified vendors, valid on the payment date")
    sp = reports.add_parser("split-purchases", help="the split-purchase review queue (the controls' split rule)")
    su = reports.add_parser("suppliers", help="supplier performance: holds by kind, duplicates, credits, returns, NOCs")
    lo = reports.add_parser("local", help="share of payments to local vendors ([local_vendors])")
    sg = reports.add_parser("signals", help="the assist signals' review queue, dismissed ones left out")
    for r_ in (p, d, sp, su, lo, sg):
        r_.add_argument("--from", dest="start", type=_day, required=True)
        r_.add_argument("--to", dest="end", type=_day, required=True)
    cf = reports.add_parser("cash-forecast", help="what leaves the bank in the next N business days, by account and fund")
    cf.add_argument("--business-days", type=int, default=10, choices=range(1, 61), metavar="1-60")
    cf.add_argument("--as-of", type=_day, help="the first day (default: today)")
    for r_ in (m, a, p, d, sp, su, lo, sg, cf):
        r_.add_argument("--json", action="store_true")
        r_.set_defaults(func=partial(cmd_manager, wiring=wiring))

    p = sub.add_parser("publish", help="publish open data (the open checkbook, OCDS releases) to the publication folder")
    p.add_argument("dataset", choices=["checkbook", "ocds"])
    p.add_argument("--out", help="the publication folder (default: DISBURSE_PUBLISH_DIR, ./var/public)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=partial(cmd_publish, wiring=wiring))
