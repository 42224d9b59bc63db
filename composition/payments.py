"""The payment-run wiring: policy, rails, invoice and bank-account sources, the jobs, the sandbox bank
and the profile that runs only against it.

Part of the composition root (``main.py`` re-exports every function here): each takes the container ``main.build``
made and builds what its feature needs, once.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from main import Container


def wire_payments(container: Container, *, invoices: Any = None, accounts: Any = None, rails: Any = None) -> Any:
    """The payment service (once per container): policy, rail registry, invoice and bank-account sources."""
    if container.payments is not None and invoices is None and accounts is None and rails is None:
        return container.payments
    from adapters.crash_points import crash_point
    from adapters.rails.registry import RailContext, RailRegistry
    from adapters.scheduler import holder_id
    from payments.disbursements.payment_service import PaymentService
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
        holder=holder_id(), audit=container.audit,
        sent_files=registry if hasattr(registry, "sent_file") else None)
    return container.payments


def bank_change_restraints(container: Container, vendor_ids: Any) -> list:
    """Who changed these vendors' bank accounts and is still cooling off."""
    with container.uow(read_only=True) as uow:
        return list(container.bank_accounts.restraints(uow, list(vendor_ids)))


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


def wire_sandbox(container: Container) -> Any:
    """The sandbox bank's counter (``disburse sandbox …``, ``/v1/sandbox/…``): the bank the sandbox rail delivers to,
    answering only while the sandbox is the rail in use."""
    from composition.recon import wire_recon
    from adapters.rails.registry import RailContext
    from adapters.rails.sandbox import bank_for
    from adapters.rails.sandbox_desk import SandboxDesk

    pay, paths = wire_payments(container), container.settings.path
    return SandboxDesk(bank_for(RailContext(container.policy, paths("outbox_dir"), container.clock, pay.policy.calendar)),
                       pay, rail_in_use=str(container.policy["payments"]["rail"]), inbox=paths("inbox_dir"),
                       import_file=wire_recon(container).service.import_file)


def refuse_unless_sandbox(container: Container) -> None:
    """A profile that shortens controls (training) runs only while every rail in use is the sandbox."""
    if not container.policy["profile"]["sandbox_only"]:
        return
    from payments.disbursements.payment_states import RunStatus

    runs = [r for s in RunStatus if s is not RunStatus.CLOSED for r in wire_payments(container).list_runs(
        status=s, limit=100_000)]
    others = sorted({str(container.policy["payments"]["rail"]), *(r.rail for r in runs)} - {"sandbox"})
    if others:
        container.engine.dispose()
        print(f"error: sandbox_only_profile: the {container.settings.profile or 'policy'} profile runs only against "
              f"the sandbox bank; rail(s) in use here: {', '.join(others)}", file=sys.stderr)
        raise SystemExit(2)
