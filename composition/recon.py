"""The treasury-reconciliation wiring: the services from the policy's [reconciliation] table, the
statement schemas, the jobs, and the demo's handles on everything.

Part of the composition root (``main.py`` re-exports every function here): each takes the container ``main.build``
made and builds what its feature needs, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from main import Container


def wire_recon(container: Container) -> Any:
    """Reconciliation's services, once per container, from the policy's [reconciliation] table."""
    if container.recon is not None:
        return container.recon
    import datetime as dt
    from dataclasses import replace
    from functools import partial

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
    policy = replace(policy, dates=container.ledger.dates)  # the one date policy ([dates])
    policy = replace(policy, treasury=treasury_accounts(container))
    container.recon = build_recon_services(
        container.uow, container.vault, container.clock, policy=policy, calendar=calendar,
        read=partial(read_bank_file, schema_dirs=statement_schemas(container)),
        invoices=SqlReturnedInvoices(), bank_accounts=BankAccountLink(container.bank_accounts, container.uow),
        audit=container.audit)
    return container.recon


def treasury_accounts(container: Container) -> Any:
    """The agency's bank accounts ([[treasury.bank_accounts]]); each statement import gives every fund each one's
    Cash account before it posts (``ReconciliationService._context``)."""
    from payments.disbursements.treasury_accounts import TreasuryAccounts

    return TreasuryAccounts.from_policy(container.policy)


def statement_schemas(container: Container) -> list[Path]:
    """Official ISO 20022 schemas ``--strict`` checks inbound messages against: the package's own and ``xsd_dir``'s."""
    from importlib import resources

    held = [Path(str(resources.files("adapters.rails.iso20022").joinpath("schemas")))]
    return held + ([container.settings.path("xsd_dir")] if container.settings.xsd_dir else [])


def recon_jobs(container: Container) -> list:
    """Pick up the drop folder every few minutes; reconcile every business morning."""
    from adapters.scheduler import Job
    from adapters.statements.drop_folder import pick_up

    schedule = container.policy["schedule"]
    inbox = Path(container.settings.path("inbox_dir"))
    return [Job("statements_pick_up", lambda: pick_up(inbox, wire_recon(container).service.import_file),
                every_s=int(schedule["statements_pick_up_every_s"])),
            Job("reconcile", lambda: wire_recon(container).service.reconcile(), cron=schedule["reconcile"])]


def demo_services(container: Container) -> Any:
    """The demo's handles on the real services, with the sandbox bank the sandbox rail delivers to."""
    from composition.ap import ap_services
    from composition.payments import prenote_handler, wire_payments
    from adapters.formats.nacha.change_codes import CorrectedData, format_corrected_data
    from adapters.rails.sandbox import SandboxBank
    from payments.example.demo import DemoServices, DemoStoryBroken, SettableClock

    if not isinstance(container.clock, SettableClock):  # the training profile's clock; a real one moves alone
        raise DemoStoryBroken("the demo moves time: it runs on a clock it can set (the training profile's)")
    clock = container.clock
    payments = wire_payments(container)
    settle_days = int(container.policy["sandbox"]["settle_business_days"])

    def bank(opening_minor: int) -> SandboxBank:
        return SandboxBank(Path(container.settings.path("outbox_dir")) / "sandbox" / "bank", clock=container.clock,
                           calendar=payments.policy.calendar, settle_days=settle_days,
                           opening_balance_minor=opening_minor)

    return DemoServices(
        ap=ap_services(container), bank_accounts=container.bank_accounts, payments=payments,
        recon=wire_recon(container), ledger=container.ledger, uow=container.uow, clock=clock, bank=bank,
        relay_prenotes=lambda: payments.relay_prenote_events(prenote_handler(container)),
        noc_corrected_data=lambda number: format_corrected_data("C01", CorrectedData(account_number=number)))
