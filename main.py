"""Disburse's composition root: settings, engine, keys, services, the HTTP app and the ``disburse`` CLI.

This is the only module that imports every package; values flow inward from here.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.policy import PolicyError, load_policy
from config.settings import Settings, SettingsError

if TYPE_CHECKING:  # the services are imported where they are built, so that a command loads only what it uses
    from sqlalchemy.engine import Engine

    from adapters.db.uow import SqlUnitOfWork
    from adapters.http.authn import SessionAuthenticator
    from adapters.keys.tokens import CsrfTokens
    from payments.ap.ap_services import APServices
    from payments.audit import AuditTrail
    from payments.disbursements.payment_service import PaymentService
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


# The feature wiring lives in composition/, one module per feature; main re-exports it.
from composition.people import (wire_identity, rotate_data_key, data_key_status)  # noqa: E402,F401
from composition.ap import (ap_services, ap_restraints, rebuild_budget_totals, wire_portal)  # noqa: E402,F401
from composition.payments import (wire_payments, bank_change_restraints, payment_sources, payment_jobs,
                                  prenote_handler, wire_sandbox, refuse_unless_sandbox)  # noqa: E402,F401
from composition.recon import (wire_recon, statement_schemas, recon_jobs, demo_services)  # noqa: E402,F401
from composition.reporting import (publish_checkbook, publish_ocds, publication_dir, reporting_jobs,  # noqa: E402,F401
                                   form_1099, manager_reports, public_spending)


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
    from payments.dates import DatePolicy
    from payments.ledger_service import LedgerService

    settings = settings or Settings.from_env()
    policy = load_policy(settings.policy_file or None, profile=settings.profile or None)
    if read_only:
        migrate = False
        missing_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url, options=pool_options(settings))
    from adapters.metrics import watch_commits  # here, after `disburse serve` chose where the metrics are kept

    watch_commits(engine)  # payments moved count when their transaction commits (adapters/metrics.py)
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
    if not read_only:
        check_prompt_pay_rates(policy, clock.now().date(), engine)
    vault = KeyDirectory(settings.path("key_dir"))

    def uow(read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    container = Container(settings, policy, engine, clock, vault, uow, LedgerService(uow, vault, clock, DatePolicy.from_policy(policy)))
    if not read_only:
        wire_identity(container, password_hasher=password_hasher)
    if recount_budgets:
        rebuild_budget_totals(container)
    refuse_unless_sandbox(container)
    return container


def pool_options(settings: Settings):  # noqa: ANN201
    """The PostgreSQL pool and session timeouts from ``DISBURSE_DB_*`` (docs/operations.md)."""
    from adapters.db.engine import PoolOptions

    try:
        return PoolOptions(size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                           timeout_s=settings.db_pool_timeout_s, recycle_s=settings.db_pool_recycle_s,
                           pre_ping=settings.db_pool_pre_ping, statement_timeout_ms=settings.db_statement_timeout_ms,
                           lock_timeout_ms=settings.db_lock_timeout_ms,
                           idle_in_transaction_timeout_ms=settings.db_idle_in_transaction_timeout_ms)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def check_prompt_pay_rates(policy: dict[str, Any], today: Any, engine: Any) -> None:
    """Refuse to start when the agency's prompt-payment act takes a published rate (Texas, New York) and the policy
    lacks today's: a policy requirement said at start, not ``no_interest_rate`` in a payment run."""
    from payments.ap.prompt_pay_rules.agency import agency_rules

    try:
        missing = agency_rules(policy).missing_rates(today)
    except ValueError as exc:  # a rule-set name or rate row the policy got wrong
        missing = [str(exc)]
    if missing:
        engine.dispose()
        raise PolicyError(" ".join(missing))


def missing_sqlite_file(url: str) -> None:
    """Refuse a SQLite URL whose file does not exist, rather than create an empty database by reading it."""
    from sqlalchemy.engine import make_url

    path = make_url(url).database if url.startswith("sqlite") else None
    if path and path != ":memory:" and not Path(path).exists():
        raise SystemExit(f"error: no database at {path}")


def create_app(container: Container):  # noqa: ANN201
    from adapters.db.idempotency import SqlIdempotencyStore
    from adapters.http.app import create_app as make_app

    return make_app(ap=ap_services(container), payments=wire_payments(container), ledger=container.ledger, uow=container.uow, idempotency=SqlIdempotencyStore(container.engine), recon=wire_recon(container),
                    portal=wire_portal(container), reports=manager_reports(container),
                    public_spending=public_spending(container),
                    authenticator=container.authenticator, settings=container.settings,
                    clock=container.clock, audit=container.audit, users=container.users, auth=container.auth,
                    bank_accounts=container.bank_accounts, csrf=container.csrf, sandbox=wire_sandbox(container),
                    vault=container.vault, **ops_state(container))


def ops_state(container: Container) -> dict[str, Any]:
    """What /readyz, /metrics and the request ids need (docs/operations.md): the database's checks and gauges, and
    the log redactor's say on whether a client's X-Request-ID may be logged as it is."""
    from functools import partial

    from adapters.db.ops_queries import DatabaseCollector, database_checks
    from adapters.keys.redaction import redact_text

    return {"database_checks": partial(database_checks, container.engine),
            "metrics_collectors": [DatabaseCollector(container.engine, container.clock)],
            "request_id_safe": lambda value: redact_text(value) == value}


def worker_app():  # noqa: ANN201
    """One worker of ``disburse serve --workers N`` (uvicorn imports it as ``main:worker_app``): everything from the
    environment the supervisor left; the scheduler runs in the supervisor, not here."""
    from adapters.log_format import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(build(settings))
    app.state.scheduler_state = lambda: "supervisor" if settings.scheduler else "off"
    from adapters.cli.serve_command import freeze_startup_heap

    freeze_startup_heap()
    return app


def jobs(container: Container) -> list:
    """The scheduled jobs; triggers here, bodies in payments/ (the same functions the CLI calls)."""
    from adapters.publication import checkpoint_and_publish
    from adapters.scheduler import Job

    schedule = container.policy["schedule"]  # every key and its default: config/default_policy.toml, docs/policy.md
    return [
        Job("ledger_checkpoint", lambda: checkpoint_and_publish(container.ledger, container.settings.publication_dir),
            cron=schedule["ledger_checkpoint"]),
        *recon_jobs(container),
        *payment_jobs(container),
        *reporting_jobs(container),
        Job("bank_accounts_activate", lambda: len(container.bank_accounts.activate_cleared()),
            cron=schedule["bank_accounts_activate"]),
        Job("sessions_purge", container.auth.purge_expired, cron=schedule["sessions_purge"]),
    ]


def start_scheduler(container: Container):  # noqa: ANN201
    from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
    import datetime as dt

    from adapters.scheduler import DEFAULT_CATCH_UP_WINDOW, JobRunner, build_scheduler, holder_id

    holder = holder_id()
    # A policy without the key (one written before it existed) keeps the default window.
    window = int(container.policy["schedule"].get("catch_up_window_s", DEFAULT_CATCH_UP_WINDOW.total_seconds()))
    runner = JobRunner(SqlLeaderLock(container.engine, holder), SqlRunKeys(container.engine, holder), container.clock,
                       catch_up_window=dt.timedelta(seconds=window))
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
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format, settings.log_level)
        return args.func(args)
    except (LedgerError, DomainError, PolicyError, SettingsError) as exc:  # PolicyError: not TOML, an unknown profile
        return cli_error(exc.code, str(getattr(exc, "message", exc)))
    except OSError as exc:  # a path the operator named: missing, a directory, unreadable
        code = {errno.ENOENT: "file_not_found", errno.EISDIR: "is_a_directory",
                errno.EACCES: "permission_denied"}.get(exc.errno or 0, "file_unreadable")
        return cli_error(code, f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback; the traceback goes to the debug log
        import logging

        logging.getLogger("disburse.cli").debug("command failed", exc_info=True)
        coded = getattr(exc, "code", None)
        if isinstance(coded, str) and coded.isidentifier():  # a coded refusal from an adapter (orphaned_rows ...)
            return cli_error(coded, str(getattr(exc, "message", exc)))
        return cli_error("internal_error", f"{type(exc).__name__}: {exc} (DISBURSE_LOG_LEVEL=DEBUG logs where)", 1)


def cli_error(code: str, message: str, status: int = 2) -> int:
    """Every CLI error: one line, ``error: <code>: <message>``, on standard error; exit 2 for input refused."""
    print(f"error: {code}: {' '.join(message.split())}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(cli())
