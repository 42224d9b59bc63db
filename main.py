"""Disburse's composition root: settings, engine, keys, services, the HTTP app and the ``disburse`` CLI.

This is the only module that imports every package; values flow inward from here.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from config.policy import load_policy
from config.settings import Settings


@dataclass
class Container:
    settings: Settings
    policy: dict[str, Any]
    engine: Any
    clock: Any
    vault: Any
    uow: Callable[..., Any]
    ledger: Any
    recon: Any = None  # treasury reconciliation (wire_recon)
    payments: Any = None  # the payment service, see wire_payments
    # People and controls (wire_identity): the audit trail, users, sign-in, bank accounts, the HTTP authenticator.
    audit: Any = None
    users: Any = None
    auth: Any = None
    bank_accounts: Any = None
    authenticator: Any = None
    csrf: Any = None
    ap: Any = None  # the accounts-payable use cases (ap_services)


def build(settings: Settings | None = None, *, clock: Any = None, migrate: bool | None = None,
          password_hasher: Any = None) -> Container:
    """Wire the application. SQLite upgrades its own schema; PostgreSQL expects `disburse db upgrade`."""
    from adapters.clock import SystemClock
    from adapters.db.engine import is_sqlite, make_engine
    from adapters.db.migrate import is_current, upgrade
    from adapters.db.uow import SqlUnitOfWork
    from adapters.keys.key_files import KeyDirectory
    from payments.ledger_service import LedgerService

    settings = settings or Settings.from_env()
    policy = load_policy(settings.policy_file or None)
    engine = make_engine(settings.database_url)
    if migrate if migrate is not None else is_sqlite(engine):
        upgrade(engine)
    elif not is_current(engine):
        raise SystemExit("the database schema is not current: run `disburse db upgrade`")
    clock = clock or SystemClock()
    vault = KeyDirectory(settings.path("key_dir"))

    def uow(read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    container = Container(settings, policy, engine, clock, vault, uow, LedgerService(uow, vault, clock))
    wire_identity(container, password_hasher=password_hasher)
    return container


def wire_identity(container: Container, *, password_hasher: Any = None) -> None:
    """The audit trail, field cipher, users, sign-in and bank-account services, and the HTTP authenticator."""
    from adapters.http.authn import SessionAuthenticator
    from adapters.keys.field_cipher import AesGcmFieldCipher
    from adapters.keys.passwords import PasswordHasher
    from adapters.keys.tokens import ApiTokenCodec, CsrfTokens
    from payments.audit import AuditTrail
    from payments.auth_service import AuthService
    from payments.bank_account_service import BankAccountService
    from payments.bank_accounts import BankChangePolicy
    from payments.users import SignInPolicy
    from payments.users_service import UsersService

    c = container
    cipher = AesGcmFieldCipher.open(c.settings.path("key_dir"))
    hasher, codec = password_hasher or PasswordHasher(), ApiTokenCodec()
    sign_in = SignInPolicy(**c.policy.get("sign_in", {}))
    bank = c.policy.get("bank_accounts", {})
    c.audit = AuditTrail(c.uow, c.vault, c.clock)
    c.users = UsersService(c.uow, c.audit, hasher, codec, c.clock, sign_in)
    c.auth = AuthService(c.uow, c.audit, hasher, codec, c.clock, sign_in)
    c.bank_accounts = BankAccountService(c.uow, c.audit, cipher, c.clock, BankChangePolicy(
        cooling_off_days=int(bank.get("cooling_off_days", 10)),
        prenote_wait_days=int(bank.get("prenote_wait_business_days", 3))))
    c.csrf = CsrfTokens(cipher.keys.derive("csrf"))
    c.authenticator = SessionAuthenticator(c.auth, c.csrf)
    if c.settings.bootstrap_admin_token:
        c.users.bootstrap_admin(c.settings.bootstrap_admin_token)


def ap_services(container: Container):  # noqa: ANN201
    """The accounts-payable use cases, built once per container."""
    if container.ap is None:
        from adapters.keys.field_cipher import AesGcmFieldCipher
        from payments.ap_deps import APDeps
        from payments.ap_policy import APPolicies
        from payments.ap_services import APServices

        container.ap = APServices(APDeps(container.uow, container.ledger.journal_for, container.clock,
                                         APPolicies.from_policy(container.policy), getattr(container, "audit", None),
                                         AesGcmFieldCipher.open(container.settings.path("key_dir")),
                                         restraints=lambda uow, vendor_id: ap_restraints(container, uow, vendor_id)))
    return container.ap


def ap_restraints(container: Container, uow: Any, vendor_id: str) -> list:
    """Who changed this vendor's bank account and may not approve its invoices while that cools off."""
    bank = getattr(container, "bank_accounts", None)
    return bank.restraints(uow, [vendor_id]) if bank is not None else []


def create_app(container: Container):  # noqa: ANN201
    from adapters.db.idempotency import SqlIdempotencyStore
    from adapters.http.app import create_app as make_app

    return make_app(ap=ap_services(container), payments=wire_payments(container), ledger=container.ledger, uow=container.uow, idempotency=SqlIdempotencyStore(container.engine), recon=wire_recon(container),
                    portal=wire_portal(container),
                    authenticator=getattr(container, "authenticator", None), settings=container.settings,
                    clock=container.clock, audit=container.audit, users=container.users, auth=container.auth,
                    bank_accounts=container.bank_accounts, csrf=container.csrf)


def wire_portal(container: Container) -> Any:
    """The vendor portal: reads scoped to the caller's vendor, invoices submitted through the AP use case, interest
    computed with the payment run's own prompt-pay settings."""
    from adapters.db.portal_queries import SqlPortalQueries
    from payments.portal_service import VendorPortal
    from payments.portal_timeline import InterestRules

    run = wire_payments(container).policy
    bank = getattr(container, "bank_accounts", None)
    return VendorPortal(container.uow, lambda uow: SqlPortalQueries(uow.conn), container.clock,
                        ap_services(container).invoices, InterestRules(run.prompt_pay, run.rates, run.calendar),
                        bank_holds=bank.payment_holds if bank is not None else None)


def jobs(container: Container) -> list:
    """The scheduled jobs; triggers here, bodies in payments/ (the same functions the CLI calls)."""
    from adapters.scheduler import Job

    schedule = container.policy.get("schedule", {})
    return [
        Job("ledger_checkpoint", container.ledger.checkpoint, cron=schedule.get("ledger_checkpoint", "0 2 * * *")),
        *recon_jobs(container),
        *payment_jobs(container),
        Job("bank_accounts_activate", lambda: len(container.bank_accounts.activate_cleared()),
            cron=schedule.get("bank_accounts_activate", "15 * * * *")),
        Job("sessions_purge", container.auth.purge_expired, cron=schedule.get("sessions_purge", "40 3 * * *")),
    ]


def start_scheduler(container: Container):  # noqa: ANN201
    from adapters.db.scheduler_store import SqlLeaderLock, SqlRunKeys
    from adapters.scheduler import JobRunner, build_scheduler, holder_id

    holder = holder_id()
    runner = JobRunner(SqlLeaderLock(container.engine, holder), SqlRunKeys(container.engine, holder), container.clock)
    scheduler = build_scheduler(jobs(container), runner, container.clock, container.settings.timezone)
    scheduler.start()
    return scheduler


def initialize(container: Container, *, example: bool) -> bool:
    """Genesis, default chart and, with ``example``, the City of Riverton. True when the journal was new."""
    from ledger.entries import new_entry_id
    from payments.example_agency import example_accounts, example_ledger

    created = container.ledger.initialize(example_accounts() if example else [])
    if created and example:
        container.ledger.post(example_ledger([new_entry_id() for _ in range(4)]).entries)
        from payments.example_documents import load_example_documents

        load_example_documents(ap_services(container))
    container.audit.initialize()
    if example:
        from payments.example_people import example_people
        from payments.users_service import CLI_OPERATOR

        # A portal user per example vendor (``acme-furniture-co`` …), so a vendor token shows its own invoices.
        vendors = [(r.vendor.id, r.vendor.legal_name)
                   for r in ap_services(container).vendors.list(after=None, limit=100)]
        container.users.ensure(CLI_OPERATOR, example_people(vendors))
    return created


# -- CLI ------------------------------------------------------------------------------------------------

def _configure_logging(settings: Settings) -> None:
    from adapters.keys.redaction import RedactingFilter

    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                           "message": record.getMessage()})


def _progress(total: int) -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        sys.stderr.write(f"\rverifying {done:,}/{total:,} entries")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")
    return show


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    container = build()
    if args.example:
        if initialize(container, example=True):
            print(f"loaded the example agency into {container.settings.database_url}")
    app = create_app(container)
    scheduler = start_scheduler(container) if container.settings.scheduler else None
    try:
        uvicorn.run(app, host=args.host or container.settings.host, port=args.port or container.settings.port,
                    log_config=None)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    container = build()
    created = initialize(container, example=args.example)
    print("initialized a new journal" + (" with the example agency" if args.example else "") if created
          else "the journal already exists; nothing changed")
    return 0


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    build(migrate=True)
    print("schema is current")
    return 0


def cmd_config_show(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    data = {"settings": settings.masked(), "policy": load_policy(settings.policy_file or None)}
    print(json.dumps(data, indent=2, default=str) if args.json else "\n".join(
        f"{k} = {v}" for k, v in data["settings"].items()))
    return 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    from ledger.checkpoint import Checkpoint
    from ledger.keys import import_keys

    container = build()
    keys = import_keys(Path(args.keys).read_text()) if args.keys else None
    cp = Checkpoint.from_json(Path(args.checkpoint).read_text()) if args.checkpoint else None
    with container.uow(read_only=True) as uow:
        total = uow.ledger_queries.count_entries()
    report = container.ledger.verify(keys=keys, checkpoint=cp, workers=args.workers,
                                     progress=None if args.json else _progress(total))
    print(report.to_json() if args.json else report.describe())
    return 0 if report.ok else 1


def cmd_ledger_checkpoint(args: argparse.Namespace) -> int:
    cp = build().ledger.checkpoint()
    if args.out:
        Path(args.out).write_text(cp.to_json())
        print(f"checkpoint at sequence {cp.sequence} written to {args.out}")
    else:
        print(cp.to_json(), end="")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    container = build()
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
        text = container.ledger.export_public_keys()
        if args.out:
            Path(args.out).write_text(text)
            print(f"public keys written to {args.out}")
        else:
            print(text, end="")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("new password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from payments.identity import Role
    from payments.users_service import CLI_OPERATOR as operator

    users = build().users
    if args.users_cmd == "add":
        roles = [Role.VENDOR] if args.vendor else [Role(r) for r in args.role or []]
        password = _read_password(args) if args.password_stdin or args.password_prompt else None
        user = users.add(operator, username=args.username, display_name=args.name or args.username, roles=roles,
                         vendor_id=args.vendor, password=password)
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


def cmd_audit(args: argparse.Namespace) -> int:
    from ledger.checkpoint import Checkpoint
    from ledger.keys import import_keys

    audit = build().audit
    if args.audit_cmd == "verify":
        keys = import_keys(Path(args.keys).read_text()) if args.keys else None
        cp = Checkpoint.from_json(Path(args.checkpoint).read_text()) if args.checkpoint else None
        report = audit.verify(keys=keys, checkpoint=cp, workers=args.workers)
        print(report.to_json() if args.json else report.describe().replace("journal", "audit trail", 1))
        return 0 if report.ok else 1
    text = audit.checkpoint().to_json() if args.audit_cmd == "checkpoint" else audit.export_public_keys()
    if args.out:
        Path(args.out).write_text(text)
        print(f"written to {args.out}")
    else:
        print(text, end="")
    return 0


def _identity_commands(sub: Any) -> None:
    from payments.identity import Role

    parent = sub.add_parser("users", help="people: add, list, disable, tokens, passwords")
    parent.set_defaults(func=cmd_users)
    users = parent.add_subparsers(dest="users_cmd", required=True)
    s = users.add_parser("add", help="add a staff user (--role, repeatable) or a vendor's portal user (--vendor)")
    s.add_argument("username")
    s.add_argument("--role", action="append", choices=[r.value for r in Role if r is not Role.VENDOR])
    s.add_argument("--vendor", help="make a portal user bound to this vendor id")
    s.add_argument("--name", help="display name")
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
    parent.set_defaults(func=cmd_audit)
    audit = parent.add_subparsers(dest="audit_cmd", required=True)
    s = audit.add_parser("verify", help="re-derive every hash and check every signature of the audit trail")
    s.add_argument("--json", action="store_true")
    s.add_argument("--checkpoint", help="an exported audit checkpoint the trail must still extend")
    s.add_argument("--keys", help="an exported public-key file to trust instead of the database's registry")
    s.add_argument("--workers", type=int, default=None)
    audit.add_parser("checkpoint", help="sign a checkpoint of the audit trail").add_argument("--out")
    audit.add_parser("export-keys", help="the audit trail's public keys").add_argument("--out")


def cmd_nacha_check(args: argparse.Namespace) -> int:
    from adapters.rails.nacha.cli import main as nacha_main

    return nacha_main([args.file] + (["--json"] if args.json else []) + (["--strict"] if args.strict else []))


def cmd_import(args: argparse.Namespace) -> int:
    """`disburse import purchase-orders|receipts|invoices FILE.csv`: all or nothing, every fault listed."""
    import getpass

    from payments.csv_import import ImportRejected
    from payments.csv_importer import CsvImporter
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
        result = CsvImporter(ap_services(build())).run(args.kind, text, clerk,
                                                       progress=show if sys.stderr.isatty() and not args.json else None)
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


def _ap_commands(sub: Any) -> None:
    s = sub.add_parser("import", help="import purchase orders, receipts or invoices from an ERP's CSV export")
    s.add_argument("kind", choices=["purchase-orders", "receipts", "invoices"])
    s.add_argument("file", help="a CSV file; columns in docs/csv-import.md")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_import)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="disburse", description="Disburse: public-sector accounts payable.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the API (http://127.0.0.1:8000, OpenAPI at /docs)")
    s.add_argument("--example", action="store_true", help="load the example agency if the database is empty")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("init", help="create the database, a signing key and the default chart")
    s.add_argument("--example", action="store_true", help="also load the example agency")
    s.set_defaults(func=cmd_init)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    cfg = sub.add_parser("config", help="settings").add_subparsers(dest="config_cmd", required=True)
    s = cfg.add_parser("show", help="print effective settings, secrets masked")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_config_show)

    ledger = sub.add_parser("ledger", help="the signed journal").add_subparsers(dest="ledger_cmd", required=True)
    s = ledger.add_parser("verify", help="re-derive hashes, check signatures, balances and sequence")
    s.add_argument("--json", action="store_true")
    s.add_argument("--checkpoint", help="an exported checkpoint the journal must still extend")
    s.add_argument("--keys", help="an exported public-key file to trust instead of the database's registry")
    s.add_argument("--workers", type=int, default=None, help="processes for signature checks (default: all cores)")
    s.set_defaults(func=cmd_ledger_verify)
    s = ledger.add_parser("checkpoint", help="write a signed checkpoint")
    s.add_argument("--out", help="also export it to this file")
    s.set_defaults(func=cmd_ledger_checkpoint)

    nacha = sub.add_parser("nacha", help="NACHA (ACH) files").add_subparsers(dest="nacha_cmd", required=True)
    s = nacha.add_parser("check", help="validate a NACHA file: a summary, or every problem with line and field")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.add_argument("--strict", action="store_true", help="right-trimmed records and other leniencies are errors")
    s.set_defaults(func=cmd_nacha_check)

    keys = sub.add_parser("keys", help="signing keys")
    keys.add_argument("keys_cmd", choices=["generate", "rotate", "list", "export-public"])
    keys.add_argument("--out")
    keys.set_defaults(func=cmd_keys)
    _ap_commands(sub)
    _identity_commands(sub)
    add_recon_commands(sub)
    add_payment_commands(sub)
    return p


def cli(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _configure_logging(Settings.from_env())
    from ledger.errors import LedgerError
    from payments.errors import DomainError

    try:
        return args.func(args)
    except (LedgerError, DomainError) as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2


# -- payment runs (wire_payments) -----------------------------------------------------------------------

def crash_point(name: str) -> None:
    """Test hook: SIGKILL this process at the named point when DISBURSE_CRASH_POINT names it (crash tests)."""
    import os
    import signal

    if os.environ.get("DISBURSE_CRASH_POINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def run_policy(policy: dict[str, Any]) -> Any:
    """The payment-run policy from the TOML tables [payments], [calendar], [prompt_pay], [approvals], [bank_accounts]."""
    import datetime as dt
    from decimal import Decimal

    from ledger.money import decimal_to_minor
    from payments.business_days import BusinessCalendar
    from payments.payment_runs import RunPolicy
    from payments.prompt_pay import InterestRate, PromptPayPolicy, RateTable

    pay, pp = policy.get("payments", {}), policy.get("prompt_pay", {})
    hour, minute = (int(x) for x in str(pay.get("cutoff", "14:00")).split(":"))
    calendar = BusinessCalendar.with_closures(
        [dt.date.fromisoformat(d) for d in policy.get("calendar", {}).get("extra_holidays", [])],
        cutoff=dt.time(hour, minute))
    currency = str(pay.get("currency", "USD"))
    prompt = PromptPayPolicy(str(policy.get("version", "default")), due_days=int(pp.get("days_to_pay", 30)),
                             acceptance_days=int(pp.get("acceptance_deemed_days", 7)),
                             discount_threshold_rate=Decimal(str(pp.get("discount_threshold_rate_pct", "0"))) / 100)
    rates = RateTable([InterestRate(dt.date.fromisoformat(d), Decimal(r) / 100)
                       for d, r in pp.get("interest_rates", [])]) if pp.get("interest_rates") else None
    threshold = policy.get("approvals", {}).get("run_dual_release_threshold", "1000000.00")
    return RunPolicy(calendar=calendar, prompt_pay=prompt, lead_days=int(pay.get("lead_days", 2)), currency=currency,
                     rates=rates, dual_release_threshold_minor=decimal_to_minor(str(threshold), currency),
                     prenote_wait_business_days=int(policy.get("bank_accounts", {}).get("prenote_wait_business_days", 3)))


def wire_payments(container: Container, *, invoices: Any = None, accounts: Any = None, rails: Any = None) -> Any:
    """The payment service (once per container): policy, rail registry, invoice and bank-account sources."""
    if container.payments is not None and invoices is None and accounts is None and rails is None:
        return container.payments
    from adapters.rails.registry import RailContext, RailRegistry
    from adapters.scheduler import holder_id
    from payments.payment_submission import PaymentService

    policy = run_policy(container.policy)
    registry = rails or RailRegistry(RailContext(container.policy, container.settings.path("outbox_dir"),
                                                 container.clock, policy.calendar, crash=crash_point))
    sources = payment_sources(container)
    container.payments = PaymentService(
        container.uow, vault=container.vault, clock=container.clock, policy=policy,
        invoices=invoices or sources[0], accounts=accounts or sources[1], rails=registry,
        default_rail=str(container.policy.get("payments", {}).get("rail", "nacha")),
        odfi_id=str(container.policy.get("nacha", {}).get("odfi_routing", "231380104"))[:8],
        restraints=lambda vendor_ids: bank_change_restraints(container, vendor_ids), crash=crash_point,
        holder=holder_id(), audit=getattr(container, "audit", None))
    return container.payments


def bank_change_restraints(container: Container, vendor_ids: Any) -> list:
    """Who changed these vendors' bank accounts and is still cooling off (none until the identity work is wired)."""
    bank = getattr(container, "bank_accounts", None)
    if bank is None or not hasattr(bank, "restraints"):
        return []
    with container.uow(read_only=True) as uow:
        return list(bank.restraints(uow, list(vendor_ids)))


def payment_sources(container: Container) -> tuple[Any, Any]:
    """Approved invoices and vendor bank accounts for the payment runs (see adapters/db/payment_sources.py)."""
    from adapters.db.payment_sources import SqlPayableInvoices, SqlPayeeAccounts

    from adapters.keys.field_cipher import AesGcmFieldCipher

    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    return SqlPayableInvoices(container.engine), SqlPayeeAccounts(container.engine, cipher, container.clock)


def payment_jobs(container: Container) -> list:
    """Create the day's run at the policy's cron time, submit released runs, poll the rails."""
    from adapters.scheduler import Job

    service, pay = wire_payments(container), container.policy.get("payments", {})

    def create_run() -> object:
        result = service.create_run(run_key=f"scheduled@{service.policy.calendar.effective_business_date(container.clock.now())}")
        return result.run.id if result.run else "nothing payable"

    return [Job("payments_create_run", create_run, cron=pay.get("run_cron", "0 7 * * 1-5")),
            Job("payments_submit", lambda: [o.result for o in service.submit_released()],
                every_s=int(pay.get("submit_every_s", 300))),
            Job("payments_poll_status", service.poll_status, every_s=int(pay.get("poll_every_s", 900))),
            Job("payments_prenote_relay", lambda: service.relay_prenote_events(prenote_handler(container)),
                every_s=int(pay.get("submit_every_s", 300)))]


def prenote_handler(container: Container) -> Callable[[str, dict], None]:
    """Tell the bank-account workflow (when it is wired) that a prenote went out or came back."""
    from payments.errors import DomainError

    def handle(topic: str, payload: dict) -> None:
        bank, service = getattr(container, "bank_accounts", None), container.payments
        account = service._accounts.get(payload["account_id"]) if service else None
        if bank is None or account is None or account.change_id is None:
            return
        try:
            if topic.endswith("prenote_sent"):
                bank.prenote_sent("system", account.change_id)
            else:
                bank.prenote_returned("system", account.change_id, return_code=payload.get("reason_code", ""))
        except DomainError:
            logging.getLogger("disburse.payments").warning("prenote event %s for %s not applied", topic,
                                                           account.account_id)
    return handle


def cmd_payments(args: argparse.Namespace) -> int:
    import datetime as dt

    container = build()
    service = wire_payments(container)
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
              f"{run.total_minor / 100:,.2f} {run.currency}, effective {run.effective_date}"
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
                 "by_status": _count_by_status(service.payments_of_run(r.id)), "redated": r.redated} for r in runs]
        print(json.dumps({"polled": counts, "runs": rows}) if args.json else "\n".join(
            f"{r['run_id']}  {r['status']:<9} {r['payments']:>5} payments {r['total_minor'] / 100:>14,.2f}  "
            f"{r['by_status']}" + (f"\n  re-dated: {r['redated']['reason']}" if r["redated"] else "")
            for r in rows) or "no payment runs")
    return 0


def _count_by_status(payments: list) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in payments:
        out[p.status.value] = out.get(p.status.value, 0) + 1
    return out


def add_payment_commands(sub: Any) -> None:
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
        pay.choices[name].set_defaults(func=cmd_payments)


# -- treasury reconciliation (wire_recon) -------------------------------------------------------------------

def wire_recon(container: Container) -> Any:
    """Reconciliation's services, once per container, from the policy's [reconciliation] table."""
    if container.recon is not None:
        return container.recon
    import datetime as dt

    from adapters.db.recon_invoices import SqlReturnedInvoices
    from adapters.statements.bank_files import read_bank_file
    from payments.business_days import BusinessCalendar
    from payments.recon_bank_link import BankAccountLink
    from payments.recon_records import DateWindow
    from payments.recon_services import build_recon_services
    from payments.reconciliation_service import ReconPolicy

    cfg, closures = container.policy.get("reconciliation", {}), container.policy.get("calendar", {})
    calendar = BusinessCalendar.with_closures(dt.date.fromisoformat(d) for d in closures.get("extra_holidays", []))
    policy = ReconPolicy(window=DateWindow(int(cfg.get("window_after_business_days", 3)),
                                           int(cfg.get("window_before_business_days", 1))),
                         unsettled_after_business_days=int(cfg.get("unsettled_after_business_days", 3)),
                         lookback_days=int(cfg.get("lookback_days", 120)), default_fund=str(cfg.get("fund", "100")))
    bank = getattr(container, "bank_accounts", None)
    container.recon = build_recon_services(
        container.uow, container.vault, container.clock, read=read_bank_file, policy=policy, calendar=calendar,
        invoices=SqlReturnedInvoices(), bank_accounts=BankAccountLink(bank, container.uow) if bank else None,
        audit=getattr(container, "audit", None))
    return container.recon


def recon_jobs(container: Container) -> list:
    """Pick up the drop folder every few minutes; reconcile every business morning."""
    from adapters.scheduler import Job
    from adapters.statements.drop_folder import pick_up

    schedule = container.policy.get("schedule", {})
    inbox = Path(container.settings.path("inbox_dir"))
    return [Job("statements_pick_up", lambda: pick_up(inbox, wire_recon(container).service.import_file),
                every_s=int(schedule.get("statements_pick_up_every_s", 300))),
            Job("reconcile", lambda: wire_recon(container).service.reconcile(),
                cron=schedule.get("reconcile", "30 6 * * 1-5"))]


def cmd_statements_import(args: argparse.Namespace) -> int:
    from payments.statements import FormatError

    service = wire_recon(build()).service
    data = Path(args.file).read_bytes()
    try:
        result = service.import_file(data, format=args.format, name=Path(args.file).name, actor="cli",
                                     dry_run=args.dry_run)
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


def cmd_reconcile(args: argparse.Namespace) -> int:
    import datetime as dt

    recon = wire_recon(build())
    on = dt.date.fromisoformat(args.date) if args.date else None
    run = recon.service.reconcile(on)
    report = recon.queries.report(dt.date.fromisoformat(run["date"]))
    if args.json:
        print(json.dumps({"run": run, "report": report.to_dict()}, indent=2, default=str))
    elif args.csv:
        print(report.to_csv(), end="")
    else:
        print(report.describe())
    return 0 if report.ties_out or not report.cash else 1


def add_recon_commands(sub: Any) -> None:
    statements = sub.add_parser("statements", help="bank files").add_subparsers(dest="statements_cmd", required=True)
    s = statements.add_parser("import", help="import a statement, status report, or returns/NOC file (idempotent)")
    s.add_argument("file")
    s.add_argument("--format", choices=["nacha", "bai2", "camt053", "camt054", "camt052", "pain002"],
                   help="skip sniffing the format")
    s.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_statements_import)
    s = sub.add_parser("reconcile", help="match what is open, flag overdue payments, print the day's report")
    s.add_argument("--date", help="ISO date (default: today)")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    s.set_defaults(func=cmd_reconcile)
    s = sub.add_parser("demo", help="the whole story on a fresh SQLite database, with a readable summary")
    s.add_argument("--dir", help="where to keep the demo's database, keys and files (default: a new temp dir)")
    s.set_defaults(func=cmd_demo)


def demo_services(container: Container) -> Any:
    """The demo's handles on the real services, with the sandbox bank the sandbox rail delivers to."""
    from adapters.rails.nacha.change_codes import CorrectedData, format_corrected_data
    from adapters.rails.sandbox import SandboxBank
    from payments.demo import DemoServices

    payments = wire_payments(container)
    section = container.policy.get("sandbox", {})
    settle_days = int(section.get("settle_business_days", 1))

    class Bank(SandboxBank):
        def settles_on(self, effective: Any) -> Any:
            return self.calendar.add_business_days(effective, self.settle_days)

    def bank(opening_minor: int) -> Bank:
        return Bank(Path(container.settings.path("outbox_dir")) / "sandbox" / "bank", clock=container.clock,
                    calendar=payments.policy.calendar, settle_days=settle_days, opening_balance_minor=opening_minor)

    return DemoServices(
        ap=ap_services(container), bank_accounts=container.bank_accounts, payments=payments,
        recon=wire_recon(container), ledger=container.ledger, uow=container.uow, clock=container.clock, bank=bank,
        relay_prenotes=lambda: payments.relay_prenote_events(prenote_handler(container)),
        noc_corrected_data=lambda number: format_corrected_data("C01", CorrectedData(account_number=number)))


def cmd_demo(args: argparse.Namespace) -> int:
    import datetime as dt
    import tempfile

    from adapters.clock import FixedClock
    from payments.demo import run_demo

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="disburse-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    if (work / "demo.db").exists():
        raise SystemExit(f"{work / 'demo.db'} exists; the demo needs a fresh database (pick another --dir)")
    settings = Settings(database_url=f"sqlite:///{work / 'demo.db'}", key_dir=str(work / "keys"),
                        outbox_dir=str(work / "outbox"), inbox_dir=str(work / "inbox"), scheduler=False)
    container = build(settings, clock=FixedClock(dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)), migrate=True)
    initialize(container, example=True)
    result = run_demo(demo_services(container))
    print(f"\nThe demo's data: {work}. See it in the service with\n  DISBURSE_DATABASE_URL=sqlite:///{work / 'demo.db'} "
          f"DISBURSE_KEY_DIR={work / 'keys'} DISBURSE_OUTBOX_DIR={work / 'outbox'} disburse serve\n"
          "and, with the same variables, an API token for the treasurer: disburse users token treasurer")
    return 0 if result.ties_out and result.ledger_verified else 1


if __name__ == "__main__":
    sys.exit(cli())
