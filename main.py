"""Disburse's composition root: settings, engine, keys, services, the HTTP app and the ``disburse`` CLI.

This is the only module that imports every package; values flow inward from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from config.policy import PolicyError, load_policy
from config.settings import Settings

if TYPE_CHECKING:  # the services are imported where they are built, so that a command loads only what it uses
    from sqlalchemy.engine import Engine

    from adapters.db.uow import SqlUnitOfWork
    from adapters.http.authn import SessionAuthenticator
    from adapters.keys.tokens import CsrfTokens
    from payments.ap.ap_services import APServices
    from payments.audit import AuditTrail
    from payments.disbursements.payment_submission import PaymentService
    from payments.ledger_service import LedgerService
    from payments.people.auth_service import AuthService
    from payments.people.bank_account_service import BankAccountService
    from payments.people.users_service import UsersService
    from payments.ports import Clock, KeyVault, UowFactory
    from payments.reconciliation.recon_services import ReconServices


@dataclass
class Container:
    """What ``build`` wires; the services a command does not need stay None until asked for (``wire_*``)."""

    settings: Settings
    policy: dict[str, Any]
    engine: Engine
    clock: Clock
    vault: KeyVault
    uow: UowFactory[SqlUnitOfWork]
    ledger: LedgerService
    recon: ReconServices | None = None  # treasury reconciliation (wire_recon)
    payments: PaymentService | None = None  # the payment service, see wire_payments
    # People and controls, set by wire_identity (every build but a read-only one, whose verifiers use none of
    # them): the audit trail, users, sign-in, bank accounts, the HTTP authenticator.
    audit: AuditTrail = field(init=False, repr=False)
    users: UsersService = field(init=False, repr=False)
    auth: AuthService = field(init=False, repr=False)
    bank_accounts: BankAccountService = field(init=False, repr=False)
    authenticator: SessionAuthenticator = field(init=False, repr=False)
    csrf: CsrfTokens = field(init=False, repr=False)
    ap: APServices | None = None  # the accounts-payable use cases (ap_services)
    example_sign_ins: Any = ()  # (username, name, password) of example people just created: printed once


def build(settings: Settings | None = None, *, clock: Any = None, migrate: bool | None = None,
          password_hasher: Any = None, read_only: bool = False) -> Container:
    """Wire the application. SQLite upgrades its own schema; PostgreSQL expects `disburse db upgrade`.

    ``read_only`` is for verifiers, which read and never write: no migration (the schema must be current), no
    database file created, no key files created (the identity services, which make the field keys, stay out).
    """
    from adapters.clock import SystemClock
    from adapters.db.engine import is_sqlite, make_engine
    from adapters.db.migrate import applied_revisions, is_current, upgrade
    from adapters.db.uow import SqlUnitOfWork
    from adapters.keys.key_files import KeyDirectory
    from payments.ledger_service import LedgerService

    settings = settings or Settings.from_env()
    policy = load_policy(settings.policy_file or None, profile=settings.profile or None)
    if read_only:
        migrate = False
        missing_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    recount_budgets = False
    if migrate if migrate is not None else is_sqlite(engine):
        before = applied_revisions(engine)
        upgrade(engine)
        # A database from before 0013 has orders whose postings never reached a year's budget line; count them
        # now, by this agency's policy and before anything else posts (the migration could only assume July).
        recount_budgets = bool(before) and "0013_budget_backfill" not in before
    elif not is_current(engine):
        raise SystemExit("the database schema is not current: run `disburse db upgrade`")
    clock = clock or SystemClock()
    vault = KeyDirectory(settings.path("key_dir"))

    def uow(read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    container = Container(settings, policy, engine, clock, vault, uow, LedgerService(uow, vault, clock))
    if not read_only:
        wire_identity(container, password_hasher=password_hasher)
    if recount_budgets:
        rebuild_budget_totals(container)
    refuse_unless_sandbox(container)
    return container


def refuse_unless_sandbox(container: Container) -> None:
    """A profile that shortens controls (training) runs only while every rail in use is the sandbox."""
    if not container.policy["profile"]["sandbox_only"]:
        return
    from payments.disbursements.payment_runs import RunStatus

    runs = [r for s in RunStatus if s is not RunStatus.CLOSED for r in wire_payments(container).list_runs(
        status=s, limit=100_000)]
    others = sorted({str(container.policy["payments"]["rail"]), *(r.rail for r in runs)} - {"sandbox"})
    if others:
        container.engine.dispose()
        print(f"error: sandbox_only_profile: the {container.settings.profile or 'policy'} profile runs only against "
              f"the sandbox bank; rail(s) in use here: {', '.join(others)}", file=sys.stderr)
        raise SystemExit(2)


def missing_sqlite_file(url: str) -> None:
    """Refuse a SQLite URL whose file does not exist, rather than create an empty database by reading it."""
    from sqlalchemy.engine import make_url

    path = make_url(url).database if url.startswith("sqlite") else None
    if path and path != ":memory:" and not Path(path).exists():
        raise SystemExit(f"error: no database at {path}")


def rebuild_budget_totals(container: Container) -> Any:
    """Each fiscal year's budget line recounted from the journal (``disburse budgets rebuild``)."""
    from payments.ap.ap_deps import APDeps
    from payments.ap.ap_policy import APPolicies
    from payments.ap.budget_totals import BudgetTotals
    from payments.identity import Principal, Role

    deps = APDeps(container.uow, container.ledger.journal_for, container.clock,
                  APPolicies.from_policy(container.policy), container.audit)
    return BudgetTotals(deps).rebuild(Principal.staff("system_upgrade", Role.TREASURER))


def wire_identity(container: Container, *, password_hasher: Any = None) -> None:
    """The audit trail, field cipher, users, sign-in and bank-account services, and the HTTP authenticator."""
    from adapters.http.authn import SessionAuthenticator
    from adapters.keys.field_cipher import AesGcmFieldCipher
    from adapters.keys.passwords import PasswordHasher
    from adapters.keys.tokens import ApiTokenCodec, CsrfTokens
    from payments.audit import AuditTrail
    from payments.people.auth_service import AuthService
    from payments.people.bank_account_service import BankAccountService
    from payments.people.bank_accounts import BankChangePolicy
    from payments.people.contact_service import VendorContactService
    from payments.people.users import SignInPolicy
    from payments.people.users_service import UsersService

    c = container
    cipher = AesGcmFieldCipher.open(c.settings.path("key_dir"))
    hasher, codec = password_hasher or PasswordHasher(), ApiTokenCodec()
    sign_in = SignInPolicy(**c.policy["sign_in"])
    bank = c.policy["bank_accounts"]
    c.audit = AuditTrail(c.uow, c.vault, c.clock)
    c.users = UsersService(c.uow, c.audit, hasher, codec, c.clock, sign_in, cipher=cipher)
    c.auth = AuthService(c.uow, c.audit, hasher, codec, c.clock, sign_in)
    c.bank_accounts = BankAccountService(c.uow, c.audit, cipher, c.clock, BankChangePolicy(
        cooling_off_days=int(bank["cooling_off_days"]), prenote_wait_days=int(bank["prenote_wait_business_days"])),
        contacts=VendorContactService.from_policy(c.uow, c.audit, c.clock, bank))
    c.csrf = CsrfTokens(cipher.keys.derive("csrf"))
    c.authenticator = SessionAuthenticator(c.auth, c.csrf)
    if c.settings.bootstrap_admin_token:
        c.users.bootstrap_admin(c.settings.bootstrap_admin_token)


def ap_services(container: Container):  # noqa: ANN201
    """The accounts-payable use cases, built once per container."""
    if container.ap is None:
        from adapters.keys.field_cipher import AesGcmFieldCipher
        from payments.ap.ap_deps import APDeps
        from payments.ap.ap_policy import APPolicies
        from payments.ap.ap_services import APServices

        container.ap = APServices(APDeps(container.uow, container.ledger.journal_for, container.clock,
                                         APPolicies.from_policy(container.policy), container.audit,
                                         AesGcmFieldCipher.open(container.settings.path("key_dir")),
                                         restraints=lambda uow, vendor_id: ap_restraints(container, uow, vendor_id)))
    return container.ap


def ap_restraints(container: Container, uow: Any, vendor_id: str) -> list:
    """Who changed this vendor's bank account and may not approve its invoices while that cools off."""
    return container.bank_accounts.restraints(uow, [vendor_id])


def create_app(container: Container):  # noqa: ANN201
    from adapters.db.idempotency import SqlIdempotencyStore
    from adapters.http.app import create_app as make_app

    return make_app(ap=ap_services(container), payments=wire_payments(container), ledger=container.ledger, uow=container.uow, idempotency=SqlIdempotencyStore(container.engine), recon=wire_recon(container),
                    portal=wire_portal(container),
                    authenticator=container.authenticator, settings=container.settings,
                    clock=container.clock, audit=container.audit, users=container.users, auth=container.auth,
                    bank_accounts=container.bank_accounts, csrf=container.csrf, sandbox=wire_sandbox(container))


def wire_portal(container: Container) -> Any:
    """The vendor portal: reads scoped to the caller's vendor, invoices submitted through the AP use case, interest
    computed with the payment run's own prompt-pay settings."""
    from payments.portal.portal_service import VendorPortal
    from payments.portal.portal_timeline import InterestRules

    run = wire_payments(container).policy
    return VendorPortal(container.uow, container.clock,
                        ap_services(container).invoices, InterestRules(run.prompt_pay, run.rates, run.calendar,
                                                                          run.rules),
                        bank_holds=container.bank_accounts.payment_holds)


def jobs(container: Container) -> list:
    """The scheduled jobs; triggers here, bodies in payments/ (the same functions the CLI calls)."""
    from adapters.scheduler import Job

    schedule = container.policy["schedule"]  # every key and its default: config/default_policy.toml, docs/policy.md
    return [
        Job("ledger_checkpoint", container.ledger.checkpoint, cron=schedule["ledger_checkpoint"]),
        *recon_jobs(container),
        *payment_jobs(container),
        Job("bank_accounts_activate", lambda: len(container.bank_accounts.activate_cleared()),
            cron=schedule["bank_accounts_activate"]),
        Job("sessions_purge", container.auth.purge_expired, cron=schedule["sessions_purge"]),
    ]


def start_scheduler(container: Container):  # noqa: ANN201
    from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
    from adapters.scheduler import JobRunner, build_scheduler, holder_id

    holder = holder_id()
    runner = JobRunner(SqlLeaderLock(container.engine, holder), SqlRunKeys(container.engine, holder), container.clock)
    scheduler = build_scheduler(jobs(container), runner, container.clock, container.settings.timezone)
    scheduler.start()
    return scheduler


def initialize(container: Container, *, example: bool) -> bool:
    """Genesis, default chart and, with ``example``, the City of Riverton. True when the journal was new."""
    from ledger.entries import new_entry_id
    from payments.example.example_agency import example_accounts, example_ledger

    created = container.ledger.initialize(example_accounts() if example else [])
    if created and example:
        container.ledger.post(example_ledger([new_entry_id() for _ in range(4)]).entries)
        from payments.example.example_documents import load_example_documents

        load_example_documents(ap_services(container))
    container.audit.initialize()
    if example:
        from payments.example.example_people import example_people, give_passwords
        from payments.people.users_service import CLI_OPERATOR

        # A portal user per example vendor (``acme-furniture-co`` …), so a vendor token shows its own invoices.
        vendors = [(r.vendor.id, r.vendor.legal_name)
                   for r in ap_services(container).vendors.list(after=None, limit=100)]
        container.example_sign_ins = give_passwords(container.users,
                                                    container.users.ensure(CLI_OPERATOR, example_people(vendors)))
    return created


# -- CLI ------------------------------------------------------------------------------------------------

def cli(argv: list[str] | None = None) -> int:
    """``disburse``: every command is registered by a module of ``adapters/cli`` and built from this module."""
    from adapters.cli.app_commands import parser
    from adapters.log_format import configure_logging
    from ledger.errors import LedgerError
    from payments.errors import DomainError

    args = parser(sys.modules[__name__]).parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    try:
        return args.func(args)
    except (LedgerError, DomainError, PolicyError) as exc:  # PolicyError: not TOML, an unknown profile
        print(f"error: {exc.code}: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2


# -- payment runs (wire_payments) -----------------------------------------------------------------------

def wire_payments(container: Container, *, invoices: Any = None, accounts: Any = None, rails: Any = None) -> Any:
    """The payment service (once per container): policy, rail registry, invoice and bank-account sources."""
    if container.payments is not None and invoices is None and accounts is None and rails is None:
        return container.payments
    from adapters.crash_points import crash_point
    from adapters.rails.registry import RailContext, RailRegistry
    from adapters.scheduler import holder_id
    from payments.disbursements.payment_submission import PaymentService
    from payments.disbursements.run_policy import run_policy_from

    policy = run_policy_from(container.policy)
    registry = rails or RailRegistry(RailContext(container.policy, container.settings.path("outbox_dir"),
                                                 container.clock, policy.calendar, crash=crash_point))
    sources = payment_sources(container)
    container.payments = PaymentService(
        container.uow, vault=container.vault, clock=container.clock, policy=policy,
        invoices=invoices or sources[0], accounts=accounts or sources[1], rails=registry,
        default_rail=str(container.policy["payments"]["rail"]),
        odfi_id=str(container.policy["nacha"]["odfi_routing"])[:8],
        restraints=lambda vendor_ids: bank_change_restraints(container, vendor_ids), crash=crash_point,
        holder=holder_id(), audit=container.audit)
    return container.payments


def bank_change_restraints(container: Container, vendor_ids: Any) -> list:
    """Who changed these vendors' bank accounts and is still cooling off."""
    with container.uow(read_only=True) as uow:
        return list(container.bank_accounts.restraints(uow, list(vendor_ids)))


def rotate_data_key(container: Container, **options: Any) -> dict:
    """`disburse data-keys rotate`: a new data key, every stored secret re-sealed under it, audited."""
    from adapters.db.data_keys import rotate_and_reseal
    from adapters.keys.field_cipher import AesGcmFieldCipher

    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    return rotate_and_reseal(container.engine, cipher, container.uow, container.audit, **options)


def data_key_status(container: Container) -> dict[str, int]:
    from adapters.db.data_keys import still_sealed_under_old_keys
    from adapters.keys.field_cipher import AesGcmFieldCipher

    return still_sealed_under_old_keys(container.engine, AesGcmFieldCipher.open(container.settings.path("key_dir")))


def payment_sources(container: Container) -> tuple[Any, Any]:
    """Approved invoices and vendor bank accounts for the payment runs (see adapters/db/disbursements/payment_sources.py)."""
    from adapters.db.disbursements.payment_sources import SqlPayableInvoices, SqlPayeeAccounts

    from adapters.keys.field_cipher import AesGcmFieldCipher

    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    return SqlPayableInvoices(container.engine), SqlPayeeAccounts(container.engine, cipher, container.clock)


def payment_jobs(container: Container) -> list:
    """Create the day's run at the policy's cron time, submit released runs, poll the rails."""
    from adapters.scheduler import Job

    service, pay = wire_payments(container), container.policy["payments"]

    def create_run() -> object:  # one run a business day however often run_cron fires, unless run_once_a_day = false
        now = container.clock.now()
        day = service.policy.calendar.effective_business_date(now)
        result = service.create_run(run_key=f"scheduled@{day}" + ("" if pay["run_once_a_day"] else f"T{now:%H:%M}"))
        return result.run.id if result.run else "nothing payable"

    return [Job("payments_create_run", create_run, cron=pay["run_cron"]),
            Job("payments_submit", lambda: [o.result for o in service.submit_released()],
                every_s=int(pay["submit_every_s"])),
            Job("payments_poll_status", service.poll_status, every_s=int(pay["poll_every_s"])),
            Job("payments_prenote_relay", lambda: service.relay_prenote_events(prenote_handler(container)),
                every_s=int(pay["submit_every_s"]))]


def prenote_handler(container: Container) -> Callable[[str, Any], None]:
    """The prenote relay's body: prenotes sent or returned move their bank-account change on."""
    from payments.disbursements.prenote_relay import prenote_handler as handler

    return handler(container.bank_accounts, payment_sources(container)[1])


# -- treasury reconciliation (wire_recon) -------------------------------------------------------------------

def wire_recon(container: Container) -> Any:
    """Reconciliation's services, once per container, from the policy's [reconciliation] table."""
    if container.recon is not None:
        return container.recon
    import datetime as dt

    from adapters.db.reconciliation.recon_invoices import SqlReturnedInvoices
    from adapters.statements.bank_files import read_bank_file
    from payments.business_days import BusinessCalendar
    from payments.reconciliation.recon_bank_link import BankAccountLink
    from payments.reconciliation.recon_records import DateWindow
    from payments.reconciliation.recon_services import build_recon_services
    from payments.reconciliation.recon_service import ReconPolicy

    cfg, closures = container.policy["reconciliation"], container.policy["calendar"]
    calendar = BusinessCalendar.with_closures(dt.date.fromisoformat(d) for d in closures["extra_holidays"])
    policy = ReconPolicy(window=DateWindow(int(cfg["window_after_business_days"]),
                                           int(cfg["window_before_business_days"])),
                         unsettled_after_business_days=int(cfg["unsettled_after_business_days"]),
                         lookback_days=int(cfg["lookback_days"]), default_fund=str(cfg["fund"]))
    container.recon = build_recon_services(
        container.uow, container.vault, container.clock, read=read_bank_file, policy=policy, calendar=calendar,
        invoices=SqlReturnedInvoices(), bank_accounts=BankAccountLink(container.bank_accounts, container.uow),
        audit=container.audit)
    return container.recon


def recon_jobs(container: Container) -> list:
    """Pick up the drop folder every few minutes; reconcile every business morning."""
    from adapters.scheduler import Job
    from adapters.statements.drop_folder import pick_up

    schedule = container.policy["schedule"]
    inbox = Path(container.settings.path("inbox_dir"))
    return [Job("statements_pick_up", lambda: pick_up(inbox, wire_recon(container).service.import_file),
                every_s=int(schedule["statements_pick_up_every_s"])),
            Job("reconcile", lambda: wire_recon(container).service.reconcile(), cron=schedule["reconcile"])]


def wire_sandbox(container: Container) -> Any:
    """The sandbox bank's counter (``disburse sandbox …``, ``/v1/sandbox/…``): the bank the sandbox rail delivers to,
    answering only while the sandbox is the rail in use."""
    from adapters.rails.registry import RailContext
    from adapters.rails.sandbox import bank_for
    from adapters.rails.sandbox_desk import SandboxDesk

    pay, paths = wire_payments(container), container.settings.path
    return SandboxDesk(bank_for(RailContext(container.policy, paths("outbox_dir"), container.clock, pay.policy.calendar)),
                       pay, rail_in_use=str(container.policy["payments"]["rail"]), inbox=paths("inbox_dir"),
                       import_file=wire_recon(container).service.import_file)


def demo_services(container: Container) -> Any:
    """The demo's handles on the real services, with the sandbox bank the sandbox rail delivers to."""
    from adapters.formats.nacha.change_codes import CorrectedData, format_corrected_data
    from adapters.rails.sandbox import SandboxBank
    from payments.example.demo import DemoServices

    payments = wire_payments(container)
    settle_days = int(container.policy["sandbox"]["settle_business_days"])

    def bank(opening_minor: int) -> SandboxBank:
        return SandboxBank(Path(container.settings.path("outbox_dir")) / "sandbox" / "bank", clock=container.clock,
                           calendar=payments.policy.calendar, settle_days=settle_days,
                           opening_balance_minor=opening_minor)

    return DemoServices(
        ap=ap_services(container), bank_accounts=container.bank_accounts, payments=payments,
        recon=wire_recon(container), ledger=container.ledger, uow=container.uow, clock=container.clock, bank=bank,
        relay_prenotes=lambda: payments.relay_prenote_events(prenote_handler(container)),
        noc_corrected_data=lambda number: format_corrected_data("C01", CorrectedData(account_number=number)))


if __name__ == "__main__":
    sys.exit(cli())
