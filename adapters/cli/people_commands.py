"""`disburse users` and `disburse audit`: people, their tokens and passwords, and the audit trail."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from adapters.cli.output import write_or_print
from adapters.cli.wiring import Wiring


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("new password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("the two passwords differ")
    return first


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        import os

        return f"uid{os.getuid()}"


def cmd_users(args: argparse.Namespace, wiring: Wiring) -> int:
    from payments.identity import Role
    from payments.people.users import HostOperator

    # Whoever runs this at the server's shell already holds the database and the keys; every use is audited with
    # their operating-system user.
    operator = HostOperator(_os_user())
    users = wiring.build().users
    if args.users_cmd == "add":
        roles = [Role.VENDOR] if args.vendor else [Role(r) for r in args.role or []]
        password = _read_password(args) if args.password_stdin or args.password_prompt else None
        user = users.add(operator, username=args.username, display_name=args.name or args.username, roles=roles,
                         vendor_id=args.vendor, password=password, email=args.email)
        print(f"added {user.username} ({user.user_id}): {', '.join(sorted(user.roles))}"
              + (f" for vendor {user.vendor_id}" if user.vendor_id else ""))
    elif args.users_cmd == "list":
        rows = users.list(operator, limit=10_000)
        if args.json:
            print(json.dumps([{"id": u.user_id, "username": u.username, "roles": sorted(u.roles),
                               "vendor_id": u.vendor_id, "status": u.status.value} for u in rows], indent=2))
        for u in [] if args.json else rows:
            print(f"{u.username:<24} {u.user_id}  {u.status.value:<8} {','.join(sorted(u.roles))}"
                  + (f"  vendor {u.vendor_id}" if u.vendor_id else ""))
    else:
        user = users.find(operator, args.username)
        if args.users_cmd == "token":
            issued = users.issue_token(operator, user.user_id, name=args.label or "cli", ttl_days=args.ttl_days,
                                       never_expires=args.no_expiry)
            expiry = issued.record.expires_at.isoformat() if issued.record.expires_at else "never"
            print(f"token {issued.record.token_id} for {user.username}, expires {expiry}; shown once:",
                  file=sys.stderr)
            print(issued.secret)
        elif args.users_cmd == "password":
            users.set_password(operator, user.user_id, _read_password(args))
            print(f"password set for {user.username}")
        else:
            getattr(users, args.users_cmd)(operator, user.user_id)
            print(f"{args.users_cmd}d {user.username}" if args.users_cmd != "unlock" else f"unlocked {user.username}")
    return 0


def cmd_audit(args: argparse.Namespace, wiring: Wiring) -> int:
    from ledger.checkpoint import Checkpoint
    from ledger.keys import import_keys

    audit = wiring.build().audit
    if args.audit_cmd == "verify":
        keys = import_keys(Path(args.keys).read_text()) if args.keys else None
        cp = Checkpoint.from_json(Path(args.checkpoint).read_text()) if args.checkpoint else None
        report = audit.verify(keys=keys, checkpoint=cp, workers=args.workers)
        print(report.to_json() if args.json else report.describe().replace("journal", "audit trail", 1))
        return 0 if report.ok else 1
    text = audit.checkpoint().to_json() if args.audit_cmd == "checkpoint" else audit.export_public_keys()
    write_or_print(text, args.out, f"written to {args.out}")
    return 0


def register(sub: Any, wiring: Wiring) -> None:
    from payments.identity import Role

    parent = sub.add_parser("users", help="people: add, list, disable, tokens, passwords")
    parent.set_defaults(func=partial(cmd_users, wiring=wiring))
    users = parent.add_subparsers(dest="users_cmd", required=True)
    s = users.add_parser("add", help="add a staff user (--role, repeatable) or a vendor's portal user (--vendor)")
    s.add_argument("username")
    s.add_argument("--role", action="append", choices=[r.value for r in Role if r is not Role.VENDOR])
    s.add_argument("--vendor", help="make a portal user bound to this vendor id")
    s.add_argument("--name", help="display name")
    s.add_argument("--email", help="where one-time sign-in (reset) links go")
    s.add_argument("--password-prompt", action="store_true", help="set a password for the web sign-in")
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    s = users.add_parser("list", help="list users")
    s.add_argument("--json", action="store_true")
    s = users.add_parser("token", help="mint an API token for a user and print it once")
    s.add_argument("username")
    s.add_argument("--label", help="a name to tell the token apart")
    s.add_argument("--ttl-days", type=int, default=None, help="lifetime in days (default from policy: 90)")
    s.add_argument("--no-expiry", action="store_true", help="a token that never expires (service accounts)")
    s = users.add_parser("password", help="set a user's web sign-in password")
    s.add_argument("username")
    s.add_argument("--password-stdin", action="store_true")
    for name, text in (("disable", "refuse a user everywhere"), ("enable", "undo disable"),
                       ("unlock", "clear a sign-in lock-out")):
        users.add_parser(name, help=text).add_argument("username")

    parent = sub.add_parser("audit", help="the audit trail")
    parent.set_defaults(func=partial(cmd_audit, wiring=wiring))
    audit = parent.add_subparsers(dest="audit_cmd", required=True)
    s = audit.add_parser("verify", help="re-derive every hash and check every signature of the audit trail")
    s.add_argument("--json", action="store_true")
    s.add_argument("--checkpoint", help="an exported audit checkpoint the trail must still extend")
    s.add_argument("--keys", help="an exported public-key file to trust instead of the database's registry")
    s.add_argument("--workers", type=int, default=None)
    audit.add_parser("checkpoint", help="sign a checkpoint of the audit trail").add_argument("--out")
    audit.add_parser("export-keys", help="the audit trail's public keys").add_argument("--out")
