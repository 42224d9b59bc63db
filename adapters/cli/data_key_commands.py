"""`disburse data-keys rotate|status`: the field cipher's data keys (bank account numbers and TINs at rest).

Not the ledger's signing keys (`disburse keys`): these encrypt secrets in the database. `rotate` makes a new
data key active and re-seals every stored secret under it, a batch per transaction; run it again with
`--resume` after an interruption, or after restarting servers that kept sealing with the previous key. Both the
rotation and the re-sealing are audit events naming the operator's OS user. `status` counts what is still
sealed under older keys.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from functools import partial
from typing import Any


def _operator() -> str:
    return f"cli_{getpass.getuser() or 'operator'}"


def cmd_rotate(args: argparse.Namespace, wiring: Any) -> int:
    if args.batch < 1 or args.batch > 100_000:
        print("error: invalid_batch: --batch takes a whole number from 1 to 100000", file=sys.stderr)
        return 2
    container = wiring.build()

    def show(p: Any) -> None:
        sys.stderr.write(f"\r{p.column}: {p.rows_read:,} read, {p.resealed:,} re-sealed")
        sys.stderr.flush()

    summary = wiring.rotate_data_key(container, operator=_operator(), resume=args.resume, batch=args.batch,
                                     progress=show if sys.stderr.isatty() and not args.json else None)
    if sys.stderr.isatty() and not args.json:
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        verb = "resumed re-sealing under" if summary["resumed"] else "rotated to"
        print(f"{verb} data key {summary['active_key']} (was {summary['previous_key']})")
        for column, n in summary["resealed"].items():
            print(f"  {column}: {n:,} re-sealed, {summary['left_under_old_keys'][column]:,} left under older keys")
    return 0 if not any(summary["left_under_old_keys"].values()) else 1


def cmd_status(args: argparse.Namespace, wiring: Any) -> int:
    left = wiring.data_key_status(wiring.build())
    print(json.dumps(left, sort_keys=True) if args.json else "\n".join(
        f"{column}: {n:,} under older keys" for column, n in left.items()))
    return 0 if not any(left.values()) else 1


def register(sub: Any, wiring: Any) -> None:
    keys = sub.add_parser("data-keys", help="the field cipher's data keys (secrets at rest)")
    cmds = keys.add_subparsers(dest="data_keys_cmd", required=True)
    s = cmds.add_parser("rotate", help="a new active data key, and every stored secret re-sealed under it")
    s.add_argument("--resume", action="store_true", help="keep the active key; re-seal what is left")
    s.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_rotate, wiring=wiring))
    s = cmds.add_parser("status", help="how many stored secrets are still sealed under older data keys")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_status, wiring=wiring))
