"""`disburse ledger verify|checkpoint` and `disburse keys`: the signed journal from the command line."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any, Callable

from adapters.cli.output import write_or_print
from adapters.cli.wiring import Wiring


def _progress(total: int) -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        sys.stderr.write(f"\rverifying {done:,}/{total:,} entries")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")
    return show


def cmd_ledger_verify(args: argparse.Namespace, wiring: Wiring) -> int:
    from ledger.checkpoint import Checkpoint
    from ledger.keys import import_keys

    container = wiring.build()
    keys = import_keys(Path(args.keys).read_text()) if args.keys else None
    cp = Checkpoint.from_json(Path(args.checkpoint).read_text()) if args.checkpoint else None
    with container.uow(read_only=True) as uow:
        total = uow.ledger_queries.count_entries()
    report = container.ledger.verify(keys=keys, checkpoint=cp, workers=args.workers,
                                     progress=None if args.json else _progress(total))
    print(report.to_json() if args.json else report.describe())
    return 0 if report.ok else 1


def cmd_ledger_checkpoint(args: argparse.Namespace, wiring: Wiring) -> int:
    cp = wiring.build().ledger.checkpoint()
    write_or_print(cp.to_json(), args.out, f"checkpoint at sequence {cp.sequence} written to {args.out}")
    return 0


def cmd_keys(args: argparse.Namespace, wiring: Wiring) -> int:
    container = wiring.build()
    if args.keys_cmd == "generate":
        signer = container.vault.create("ledger")
        print(f"generated {signer.key_id} (not yet in use; `disburse keys rotate` introduces a new key)")
    elif args.keys_cmd == "rotate":
        entry = container.ledger.rotate_key()
        print(f"rotated to {entry.draft.data['key_id']} at sequence {entry.sequence}")
    elif args.keys_cmd == "list":
        for k in container.ledger.keys():
            window = f"{k.valid_from_sequence}..{k.valid_to_sequence or ''}"
            print(f"{k.key_id}  sequences {window:<12} from {k.valid_from}" + (f" to {k.valid_to}" if k.valid_to else ""))
    elif args.keys_cmd == "export-public":
        write_or_print(container.ledger.export_public_keys(), args.out, f"public keys written to {args.out}")
    return 0


def register(sub: Any, wiring: Wiring) -> None:
    ledger = sub.add_parser("ledger", help="the signed journal").add_subparsers(dest="ledger_cmd", required=True)
    s = ledger.add_parser("verify", help="re-derive hashes, check signatures, balances and sequence")
    s.add_argument("--json", action="store_true")
    s.add_argument("--checkpoint", help="an exported checkpoint the journal must still extend")
    s.add_argument("--keys", help="an exported public-key file to trust instead of the database's registry")
    s.add_argument("--workers", type=int, default=None, help="processes for signature checks (default: all cores)")
    s.set_defaults(func=partial(cmd_ledger_verify, wiring=wiring))
    s = ledger.add_parser("checkpoint", help="write a signed checkpoint")
    s.add_argument("--out", help="also export it to this file")
    s.set_defaults(func=partial(cmd_ledger_checkpoint, wiring=wiring))

    keys = sub.add_parser("keys", help="signing keys")
    keys.add_argument("keys_cmd", choices=["generate", "rotate", "list", "export-public"])
    keys.add_argument("--out")
    keys.set_defaults(func=partial(cmd_keys, wiring=wiring))
