"""`disburse ledger verify|checkpoint|export` and `disburse keys`: the signed journal from the command line.

A verifier reads and never writes: `ledger verify` opens the database read-only (no migration, no key files
made), and `ledger verify --file EXPORT` needs no database at all. It starts from a trust anchor kept outside
the database: the genesis key's fingerprint (`--anchor`, printed by `disburse init` and `disburse keys
fingerprint`), a keys file (`--keys`, even one exported before later rotations), or, said out loud,
`--trust-database`.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import partial
from pathlib import Path
from typing import Any, Callable

from adapters.cli.cli_errors import (ConflictingTrustAnchors, FileNotReadable, InvalidAnchor, InvalidProofBundle,
                                     InvalidPublicKey, NoTrustAnchor, UsageError)
from adapters.cli.output import write_or_print
from adapters.cli.wiring import Wiring
from ledger.errors import CheckpointWrongJournal, JournalNotInitialized

_FINGERPRINT = re.compile(r"[0-9a-fA-F]{64}")
NO_ANCHOR = ("no trust anchor: give --anchor FINGERPRINT (the genesis key's fingerprint, printed by `disburse init` "
             "and `disburse keys fingerprint`; keep it outside the database), --keys FILE (an exported keys file, "
             "even one from before a rotation), or --trust-database (take the genesis key this database holds as "
             "given: anyone able to rewrite the whole database, keys and all, would pass)")


def _progress(total: int) -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        sys.stderr.write(f"\rverifying {done:,}/{total:,} entries")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")
    return show


def read_text(path: str, what: str) -> str:
    """A file the operator named, or a precise refusal (exit 2) instead of a traceback."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else exc
        raise FileNotReadable(f"cannot read the {what} {path}: {why}") from None


def trust_anchor(args: argparse.Namespace) -> Any:
    """The one trust anchor the options name; refuses none or several (exit 2)."""
    from ledger.keys import import_keys
    from ledger.schedule import TrustAnchor

    given = [name for name, value in (("--anchor", args.anchor), ("--keys", args.keys),
                                      ("--trust-database", args.trust_database)) if value]
    if len(given) > 1:
        raise ConflictingTrustAnchors(f"give one trust anchor, not {' and '.join(given)}")
    if args.anchor:
        if not _FINGERPRINT.fullmatch(args.anchor):
            raise InvalidAnchor("--anchor must be the 64 hex digits of the genesis key's SHA-256 fingerprint")
        return TrustAnchor(fingerprint=args.anchor.lower())
    if args.keys:
        return TrustAnchor(keys=tuple(import_keys(read_text(args.keys, "keys file")).values()))
    if args.trust_database:
        return TrustAnchor(database=True)
    raise NoTrustAnchor(NO_ANCHOR)


def cmd_ledger_verify(args: argparse.Namespace, wiring: Wiring) -> int:
    from ledger.checkpoint import Checkpoint

    if args.proof or args.consistency:
        return verify_proof(args)
    anchor = trust_anchor(args)
    checkpoints = [Checkpoint.from_json(read_text(p, "checkpoint")) for p in args.checkpoint or []]
    if args.file:
        from ledger.export import verify_export

        read_text(args.file, "export")  # a missing or unreadable file is refused before anything else
        _meta, report = verify_export(lambda: open(args.file, encoding="utf-8", newline="\n"), anchor=anchor,
                                      checkpoints=checkpoints, workers=args.workers)
    else:
        for cp in checkpoints:
            if cp.journal != "ledger":
                raise CheckpointWrongJournal(f"that checkpoint is of the {cp.journal} journal, not the ledger")
        container = wiring.build(read_only=True)
        with container.uow(read_only=True) as uow:
            total = uow.ledger.last_sequence()
        since = Checkpoint.from_json(read_text(args.since, "checkpoint")) if args.since else None
        report = container.ledger.verify(anchor=anchor, checkpoints=checkpoints, workers=args.workers,
                                         stored_checkpoints=not args.no_stored_checkpoints, since=since,
                                         progress=None if args.json else _progress(total - (since.sequence
                                                                                             if since else 0)))
    print(report.to_json() if args.json else report.describe())
    return 0 if report.ok else 1


def verify_proof(args: argparse.Namespace) -> int:
    """`ledger verify --proof|--consistency BUNDLE [--public-key HEX ...]`: no database, no anchor but the keys."""
    import json

    from ledger.proofs import check_consistency, check_inclusion

    path = args.proof or args.consistency
    try:
        doc = json.loads(read_text(path, "proof bundle"))
    except ValueError as exc:
        raise InvalidProofBundle(f"proof bundle {path} is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidProofBundle(f"proof bundle {path} is not a JSON object")
    trusted = []
    for text in args.public_key or []:
        if not _FINGERPRINT.fullmatch(text):
            raise InvalidPublicKey("--public-key must be 64 hex digits (the raw Ed25519 key)")
        trusted.append(bytes.fromhex(text))
    report = (check_inclusion if args.proof else check_consistency)(doc, trusted)
    if args.json:
        print(report.to_json())
    elif report.ok:
        print(f"proof verifies: {report.detail}\nunder the key with fingerprint {report.fingerprint}"
              + ("" if trusted else " (the bundle's own: compare it with the key the agency publishes)"))
    else:
        print(f"proof does NOT verify: {report.code}: {report.detail}")
    return 0 if report.ok else 1


def cmd_ledger_prove(args: argparse.Namespace, wiring: Wiring) -> int:
    from ledger.checkpoint import Checkpoint
    from payments.ledger_proofs import LedgerProofs

    proofs = LedgerProofs(wiring.build(read_only=True).uow)
    later = Checkpoint.from_json(read_text(args.checkpoint, "checkpoint")) if args.checkpoint else None
    if args.consistency:
        if args.entry_id:
            raise UsageError("give an entry id or --consistency, not both")
        first = Checkpoint.from_json(read_text(args.consistency, "checkpoint"))
        bundle = proofs.consistency(first, later)
    elif args.entry_id:
        bundle = proofs.inclusion(args.entry_id, later)
    else:
        raise UsageError("give the id of the entry to prove, or --consistency OLD_CHECKPOINT")
    write_or_print(bundle, args.out, f"proof written to {args.out}")
    return 0


def cmd_ledger_checkpoint(args: argparse.Namespace, wiring: Wiring) -> int:
    from adapters.publication import checkpoint_and_publish

    container = wiring.build()
    folder = container.settings.publication_dir
    cp = checkpoint_and_publish(container.ledger, folder)
    write_or_print(cp.to_json(), args.out, f"checkpoint at sequence {cp.sequence} written to {args.out}")
    if folder:
        print(f"published to {folder}", file=sys.stderr if not args.out else sys.stdout)
    return 0


def cmd_ledger_export(args: argparse.Namespace, wiring: Wiring) -> int:
    from ledger.export import export_journal
    from ledger.journal import format_time

    container = wiring.build(read_only=True)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    count = 0
    try:
        with container.uow(read_only=True) as uow:
            lines = export_journal(uow.ledger, uow.ledger_queries.checkpoints("ledger"), journal="ledger",
                                   exported_at=format_time(container.clock.now()))
            for line in lines:
                out.write(line)
                count += 1
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"journal exported to {args.out} ({count} lines)")
    return 0


def cmd_keys(args: argparse.Namespace, wiring: Wiring) -> int:
    if args.keys_cmd == "fingerprint":
        return cmd_keys_fingerprint(wiring)
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


def cmd_keys_fingerprint(wiring: Wiring) -> int:
    """The genesis key's fingerprint, the trust anchor to keep outside the database (read from it: take it
    when the database is new and trustworthy, as `disburse init` prints it)."""
    from ledger.schedule import fingerprint

    container = wiring.build(read_only=True)
    keys = sorted(container.ledger.keys(), key=lambda k: k.valid_from_sequence)
    if not keys:
        raise JournalNotInitialized("the journal has no genesis key yet; run `disburse init`")
    print(f"{fingerprint(keys[0].public_key)}  genesis key {keys[0].key_id}")
    return 0


def register(sub: Any, wiring: Wiring) -> None:
    ledger = sub.add_parser("ledger", help="the signed journal").add_subparsers(dest="ledger_cmd", required=True)
    s = ledger.add_parser("verify", help="re-derive hashes, check rules, signatures, balances, sequence and checkpoints")
    s.add_argument("--json", action="store_true")
    s.add_argument("--anchor", metavar="FINGERPRINT", help="trust anchor: the genesis key's SHA-256 fingerprint")
    s.add_argument("--keys", metavar="FILE", help="trust anchor: an exported public-key file (old ones too)")
    s.add_argument("--trust-database", action="store_true",
                   help="take the genesis key the database (or --file) holds as given; a database rewritten whole, "
                        "keys and all, would pass")
    s.add_argument("--checkpoint", metavar="FILE", action="append",
                   help="an exported checkpoint the journal must still extend (repeatable)")
    s.add_argument("--no-stored-checkpoints", action="store_true",
                   help="skip the checkpoints stored in the database (checked by default)")
    s.add_argument("--file", metavar="EXPORT", help="verify an export (`disburse ledger export`) without a database")
    s.add_argument("--since", metavar="CHECKPOINT",
                   help="a checkpoint you verified before: check the journal still extends it, then verify only "
                        "the entries after it")
    s.add_argument("--workers", type=int, default=None, help="processes for signature checks (default: all cores)")
    s.add_argument("--proof", metavar="BUNDLE", help="check an inclusion proof bundle (`ledger prove`), no database")
    s.add_argument("--consistency", metavar="BUNDLE", help="check a consistency proof bundle, no database")
    s.add_argument("--public-key", metavar="HEX", action="append",
                   help="with --proof/--consistency: a public key you trust (repeatable; default: the bundle's own)")
    s.set_defaults(func=partial(cmd_ledger_verify, wiring=wiring))
    s = ledger.add_parser("prove", help="a Merkle proof that an entry is in a signed checkpoint, or that a checkpoint "
                                        "extends an older one")
    s.add_argument("entry_id", nargs="?", help="the entry (je_...) to prove")
    s.add_argument("--checkpoint", metavar="FILE", help="prove against this checkpoint (default: the latest stored)")
    s.add_argument("--consistency", metavar="OLD_CHECKPOINT", help="prove the journal still extends this checkpoint")
    s.add_argument("--out", help="write the bundle to this file (default: standard output)")
    s.set_defaults(func=partial(cmd_ledger_prove, wiring=wiring))
    s = ledger.add_parser("checkpoint", help="write a signed checkpoint")
    s.add_argument("--out", help="also export it to this file")
    s.set_defaults(func=partial(cmd_ledger_checkpoint, wiring=wiring))
    s = ledger.add_parser("export", help="the whole journal as one self-describing JSON Lines file")
    s.add_argument("--out", help="write to this file (default: standard output)")
    s.set_defaults(func=partial(cmd_ledger_export, wiring=wiring))

    keys = sub.add_parser("keys", help="signing keys")
    keys.add_argument("keys_cmd", choices=["generate", "rotate", "list", "export-public", "fingerprint"])
    keys.add_argument("--out")
    keys.set_defaults(func=partial(cmd_keys, wiring=wiring))
