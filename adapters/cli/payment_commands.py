"""`disburse payments run [--preview]|cancel|submit|status`: the payment runs from the command line."""

from __future__ import annotations

import argparse
import json
from functools import partial
from typing import Any

from adapters.cli.cli_errors import InvalidDate
from adapters.cli.wiring import Wiring
from ledger.money import format_minor


def cmd_payments(args: argparse.Namespace, wiring: Wiring) -> int:
    import datetime as dt

    container = wiring.build()
    service = wiring.wire_payments(container)
    if args.payments_cmd == "run" and args.preview:
        run_date = _date(args.date)
        return _print_plan(service.preview(run_date=run_date, rail=args.rail, same_day=args.same_day), args.json)
    if args.payments_cmd == "cancel":
        import getpass

        from payments.identity import Principal, Role

        # The operator at the server's shell, as the other CLI commands act (ap_commands): audited under cli_<user>.
        clerk = Principal.staff(f"cli_{getpass.getuser() or 'operator'}", Role.AP_CLERK)
        run = service.cancel(clerk, args.run_id, reason=args.reason)
        print(json.dumps({"run_id": run.id, "status": run.status.value}) if args.json else
              f"run {run.id} cancelled: its invoices are free for a later run")
        return 0
    if args.payments_cmd == "run":
        run_date = _date(args.date)
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


def _date(text: str | None) -> Any:
    """``--date``: an ISO date, or a precise refusal (exit 2)."""
    import datetime as dt

    from payments.errors import InvalidInput

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(f"--date {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _print_plan(plan: Any, as_json: bool) -> int:
    """The preview: what a run would pay now; nothing is written."""
    from payments.disbursements.plan_view import plan_view

    body = plan_view(plan)
    if as_json:
        print(json.dumps(body))
        return 0
    lines = [f"preview (nothing written): {body['payment_count']} payments, {body['total']}, "
             f"effective {body['effective_date']}"]
    lines += [f"  {p['payee_name']:<30} {p['amount']:>18}  {len(p['remittance'])} invoice(s)"
              + (f", {len(p['credits'])} credit(s)" if p["credits"] else "") for p in body["payments"]]
    lines += [f"  left out {s['invoice_id']}: {s['reason']} {s['detail']}".rstrip() for s in body["skipped"]]
    print("\n".join(lines))
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
    s.add_argument("--preview", action="store_true", help="show what the run would pay; write nothing")
    s.add_argument("--json", action="store_true")
    s = pay.add_parser("cancel", help="withdraw a run not yet submitted; its invoices are freed for a later run")
    s.add_argument("run_id")
    s.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    s.add_argument("--json", action="store_true")
    s = pay.add_parser("submit", help="submit released runs; finish any submission a crash or timeout left open")
    s.add_argument("--json", action="store_true")
    s = pay.add_parser("status", help="runs and their payments; --poll asks the rails first")
    s.add_argument("run_id", nargs="?")
    s.add_argument("--poll", action="store_true")
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--json", action="store_true")
    for name in ("run", "cancel", "submit", "status"):
        pay.choices[name].set_defaults(func=partial(cmd_payments, wiring=wiring))
