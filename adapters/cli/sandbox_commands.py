"""`disburse sandbox return|noc|statement`: the sandbox bank's returns, NOCs and statements, asked for by a person.

    disburse sandbox return PAYMENT --code R03 [--date D] [--import]
    disburse sandbox noc PAYMENT --code C01 --corrected 000123456780 [--date D] [--import]
    disburse sandbox statement --date D [--format bai2|camt053] [--import]

The bank's file is dropped into the inbox (``DISBURSE_INBOX_DIR``), where the statement pick-up job (or
``disburse statements import FILE``) imports it; ``--import`` imports it at once. Refused (exit 2) unless the
sandbox is the rail in use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from functools import partial
from typing import Any

from adapters.cli.wiring import Wiring


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def cmd_sandbox(args: argparse.Namespace, wiring: Wiring) -> int:
    desk = wiring.wire_sandbox(wiring.build())
    common = {"import_now": args.import_now, "actor": "cli"}
    if args.sandbox_cmd == "return":
        sent = desk.return_payment(args.payment_id, args.code, on=args.date, information=args.information, **common)
    elif args.sandbox_cmd == "noc":
        sent = desk.notify_change(args.payment_id, args.code, args.corrected, on=args.date, **common)
    else:
        sent = desk.statement(args.date, format=args.format, **common)
    if args.json:
        body = sent.to_dict()
        body.pop("content")
        print(json.dumps(body, indent=2, default=str))
        return 0
    if sent.imported is None:
        print(f"the sandbox bank sent {sent.name} ({sent.format}); dropped at {sent.dropped_at}: the statement "
              f"pick-up job imports it, or run `disburse statements import {sent.dropped_at}`")
        return 0
    result = sent.imported
    print(f"the sandbox bank sent {sent.name} ({sent.format}); imported as {result.file_id}")
    for label, value in (("matched", result.lines_matched), ("payments settled", result.payments_settled),
                         ("returns posted", result.returns_posted), ("changes proposed", result.changes_proposed),
                         ("exceptions opened", result.exceptions_opened)):
        if value:
            print(f"  {label:<18} {value}")
    for action in result.bank_actions:
        print(f"  bank account: {action}")
    return 0


def register(sub: Any, wiring: Wiring) -> None:
    sandbox = sub.add_parser("sandbox", help="the sandbox bank: returns, notifications of change, statements").\
        add_subparsers(dest="sandbox_cmd", required=True)
    s = sandbox.add_parser("return", help="the bank returns a payment with an R-code")
    s.add_argument("payment_id")
    s.add_argument("--code", required=True, help="return reason code, e.g. R03")
    s.add_argument("--information", default="", help="addenda information (44 characters)")
    s = sandbox.add_parser("noc", help="the bank sends a notification of change for a payment (or a prenote)")
    s.add_argument("payment_id")
    s.add_argument("--code", required=True, help="change code, e.g. C01")
    s.add_argument("--corrected", nargs="+", required=True, metavar="VALUE",
                   help="the corrected values in the order the code carries them: C01 account; C02 routing; "
                        "C03 routing account; C04 name; C05 transaction code; C06 account code; "
                        "C07 routing account code; C09 identification")
    s = sandbox.add_parser("statement", help="the City's account at the bank for one day (BAI2 or camt.053)")
    s.add_argument("--format", choices=["bai2", "camt053"], default="bai2")
    for name, parser in sandbox.choices.items():
        parser.add_argument("--date", type=_date, required=name == "statement",
                            help="the bank's day (ISO date)" + ("" if name == "statement" else "; default today"))
        parser.add_argument("--import", dest="import_now", action="store_true",
                            help="import the file now instead of dropping it into the inbox")
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(func=partial(cmd_sandbox, wiring=wiring))
