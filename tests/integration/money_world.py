"""The City of Riverton's world for the whole-flow invariants: the real services, wired by the composition root.

``WorldTemplate`` builds one database per backend, once: migrated, the chart, opening cash equal to the sandbox
bank's opening balance, a tight furniture budget, three vendors with contacts on file, and two of them (Acme and
Birch) with bank accounts that went through the whole quarantine (call-back, second approval, the training
profile's zero cooling-off, a prenote run through the sandbox rail, the relay and activation jobs). Each example
gets a copy of it (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL): a fresh world in
milliseconds instead of seconds.

The training profile (``config/profiles/training.toml``) runs everything on the sandbox rail with no cooling-off
and no prenote wait, so that histories of a few dozen steps can pay vendors, see returns and NOCs, and reconcile.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import main
from adapters.clock import FixedClock
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from payments.ap.budget_service import SetBudget
from payments.ap.documents import AccountCoding, VendorStatus
from payments.ap.vendor_service import VendorDetails
from payments.identity import Principal, Role
from tests.conftest import make_settings

CLERK = Principal.staff("usr_ann", Role.AP_CLERK)
APPROVER = Principal.staff("usr_bob", Role.AP_APPROVER)
RELEASER = Principal.staff("usr_tom", Role.TREASURER)  # approves no invoice and no bank change: may release runs
BANK_APPROVER = Principal.staff("usr_tess", Role.TREASURER)
VENDOR_ADMIN = Principal.staff("usr_val", Role.VENDOR_ADMIN)
CALLER = Principal.staff("usr_vic", Role.VENDOR_ADMIN)
FURNITURE = AccountCoding("100", "PW", "5710")
ROUTING = "021000021"
PHONE = "+1 (555) 010-4477"
OPENING_CASH = 1_000_000_000  # the sandbox bank's opening balance: the ledger starts where the bank does
APPROPRIATION = 600_000  # $6,000 for FY2027 furniture: tight enough that orders run into it
START = dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc)  # Monday, 10:00 in New York
VENDORS = (("Acme Furniture", "12-3456789", "2/10 net 30", True), ("Birch Office", "23-4567890", "net 30", True),
           ("Cedar Supply", "34-5678901", "1/15 net 45", False))


@dataclass
class World:
    """A wired Disburse and the handles a history needs."""

    container: Any
    clock: FixedClock
    vendors: dict[str, str]  # name -> vendor id
    ap: Any = None
    payments: Any = None
    recon: Any = None
    sandbox: Any = None
    portal: Any = None
    statements_through: dt.date = START.date()  # the last day whose bank statement was imported
    counter: int = 0
    credits: int = 0  # credit memos accepted in this history
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        c = self.container
        self.ap, self.payments, self.recon = main.ap_services(c), main.wire_payments(c), main.wire_recon(c)
        self.sandbox, self.portal = main.wire_sandbox(c), main.wire_portal(c)

    @property
    def today(self) -> dt.date:
        return self.payments.policy.calendar.effective_business_date(self.clock.now())

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def job(self, name: str) -> Any:
        return next(j for j in main.jobs(self.container) if j.name == name).body()

    def close(self) -> None:
        self.container.engine.dispose()


def _settings(url: str, root: Path) -> Any:
    return make_settings(url, root, profile="training")


def _setup(container: Any, clock: FixedClock) -> dict[str, str]:
    from payments.example.example_agency import example_accounts

    c = container
    main.initialize(c, example=False)
    c.ledger.add_accounts(example_accounts())
    c.ledger.post([EntryDraft(new_entry_id(), dt.date(2026, 7, 1), "opening_balance", (
        Posting("100-1010", Direction.DEBIT, OPENING_CASH, "USD"),
        Posting("100-3010", Direction.CREDIT, OPENING_CASH, "USD")), memo="opening cash, as the bank's")])
    ap = main.ap_services(c)
    ap.budgets.set(BANK_APPROVER, SetBudget(2027, FURNITURE, APPROPRIATION))
    vendors = {}
    for name, tin, terms, with_account in VENDORS:
        record, _ = ap.vendors.create(VENDOR_ADMIN, VendorDetails(legal_name=name, tin=tin, terms=terms))
        ap.vendors.set_status(VENDOR_ADMIN, record.vendor.id, VendorStatus.ACTIVE)
        vendors[name] = record.vendor.id
        c.bank_accounts.set_contact(VENDOR_ADMIN, record.vendor.id, phone=PHONE, email=f"ap@{tin}.example")
        if with_account:
            open_account(c, record.vendor.id, f"{tin.replace('-', '')}01")
    payments = main.wire_payments(c)
    run = payments.create_run(created_by=CLERK.user_id, run_key="template-prenotes").run
    payments.release(RELEASER, run.id)
    payments.submit_released()
    next(j for j in main.jobs(c) if j.name == "payments_prenote_relay").body()
    clock.advance(days=1)  # Tuesday: the prenotes' effective date
    next(j for j in main.jobs(c) if j.name == "bank_accounts_activate").body()
    return vendors


def open_account(container: Any, vendor_id: str, number: str) -> str:
    """A bank-account change through call-back and a second person's approval (the training profile's cooling-off
    is zero, so the next run sends its prenote); returns the change id."""
    bank = container.bank_accounts
    change = bank.request_change(VENDOR_ADMIN, vendor_id, routing_number=ROUTING, account_number=number,
                                 account_type="checking").change.change_id
    bank.record_callback(CALLER, change, number_called=PHONE, outcome="confirmed")
    bank.approve(BANK_APPROVER, change)
    return change


def _admin_url() -> str:
    """Where databases are created and dropped from (the server's own test database, as tests/conftest.py does)."""
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_ENV

    return make_url(os.environ[PG_ENV]).set(drivername="postgresql").render_as_string(hide_password=False)


class WorldTemplate:
    """One template database per backend; ``world()`` copies it for an example."""

    def __init__(self, db_url: str, root: Path) -> None:
        self.root = root
        self.base = root / "template"
        self.base.mkdir(parents=True, exist_ok=True)
        self.pg = not db_url.startswith("sqlite")
        self.url = db_url if self.pg else f"sqlite:///{self.base / 'disburse.db'}"
        clock = FixedClock(START)
        container = main.build(_settings(self.url, self.base), clock=clock, migrate=True)
        self.vendors = _setup(container, clock)
        self.start = clock.now()
        container.engine.dispose()
        self.copies: list[str] = []

    def world(self) -> World:
        name = f"ex_{uuid.uuid4().hex[:10]}"
        home = self.root / name
        shutil.copytree(self.base, home)
        if self.pg:
            url = self._pg_copy(name)
        else:
            url = f"sqlite:///{home / 'disburse.db'}"
        clock = FixedClock(self.start)
        container = main.build(_settings(url, home), clock=clock, migrate=True)
        return World(container, clock, dict(self.vendors), statements_through=self.start.date())

    def _pg_copy(self, name: str) -> str:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        admin = _admin_url()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
        self.copies.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    def drop(self, world: World) -> None:
        world.close()
        if self.pg and self.copies:
            import psycopg

            with psycopg.connect(_admin_url(), autocommit=True) as conn:
                for name in self.copies:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.copies.clear()
