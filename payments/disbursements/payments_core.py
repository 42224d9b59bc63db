"""What the payment use cases share: their collaborators (unit of work, clock, journal signers, rails, payee
accounts, policy) and the reads of runs and payments.

``PaymentService`` (``payment_service``) composes the use cases over one ``PaymentsCore``: ``RunLifecycle``
(``run_lifecycle``), ``PaymentSubmission`` (``payment_submission``) and ``PaymentFollowUp``
(``payment_followup``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


from ledger.journal import Journal
from payments.disbursements.payment_errors import PaymentNotFound, PaymentRunNotFound
from payments.journal_signers import JournalSigners
from payments.audit import AuditTrail
from payments.controls import BankChangeRestraint
from payments.disbursements.payment_ports import PayableInvoices, PayeeAccounts
from payments.disbursements.pay_plan import PayPlan, pay_plan
from payments.disbursements.payment_records import (PaymentRecord, PaymentRunRecord)
from payments.disbursements.sent_files import SentFiles
from payments.disbursements.payment_runs import RunPolicy
from payments.disbursements.payment_states import RunStatus
from payments.ports import Clock, KeyVault, UnitOfWork, UowFactory
from payments.disbursements.payment_ports import DisbursementRail, PaymentsUnitOfWork
Restraints = Callable[[Iterable[str]], list[BankChangeRestraint]]


def _no_crash(_name: str) -> None:
    return None


def require_run(run: PaymentRunRecord | None, run_id: str) -> PaymentRunRecord:
    """The run, or ``payment_run_not_found``."""
    if run is None:
        raise PaymentRunNotFound(f"payment run {run_id} does not exist")
    return run


class PaymentsCore:
    """What every part of the payment use cases shares - the unit of work, the clock, the journal, the policy, the
    rails and the payee accounts - and the reads. The parts (``RunLifecycle``, ``PaymentSubmission``,
    ``PaymentFollowUp``) each hold this one object; ``PaymentService`` composes them."""

    def __init__(self, uow_factory: UowFactory[PaymentsUnitOfWork], *, vault: KeyVault, clock: Clock,
                 policy: RunPolicy, invoices: PayableInvoices, accounts: PayeeAccounts,
                 rails: Callable[[str], DisbursementRail],
                 default_rail: str = "nacha", odfi_id: str = "23138010", restraints: Restraints | None = None,
                 crash: Callable[[str], None] = _no_crash, holder: str = "disburse", lease_s: int = 300,
                 audit: AuditTrail | None = None, sent_files: SentFiles | None = None) -> None:
        self.uow = uow_factory
        self.vault = vault
        self.clock = clock
        self.policy = policy
        self.invoices = invoices
        self.accounts = accounts
        self.rails = rails
        self.default_rail = default_rail
        self.odfi_id = odfi_id
        self.restraints = restraints or (lambda _vendors: [])
        # A test hook: SIGKILLs the process at a named point when told to (see main.crash_point).
        self.crash = crash
        self.holder = holder
        self.lease_s = lease_s
        self.signers = JournalSigners(vault, clock, policy.dates)
        # Every decryption of a bank account number is an audit event; without a trail handed in, the service
        # keeps its own over the same database, so there is no configuration in which numbers open unrecorded.
        self.audit = audit if audit is not None else AuditTrail(uow_factory, vault, clock)
        self.sent_files = sent_files  # where the rails keep the files they were handed (None: no download)

    def journal(self, uow: UnitOfWork) -> Journal:
        return self.signers.journal(uow.ledger)

    # -- reads -------------------------------------------------------------------------------------------
    def get_run(self, run_id: str) -> PaymentRunRecord:
        with self.uow(read_only=True) as uow:
            return require_run(uow.payments.get_run(run_id), run_id)

    def list_runs(self, *, status: RunStatus | None = None, after: str | None = None,
                  limit: int = 50) -> list[PaymentRunRecord]:
        with self.uow(read_only=True) as uow:
            return uow.payments.list_runs(status=status, after=after, limit=limit)

    def get_payment(self, payment_id: str) -> PaymentRecord:
        with self.uow(read_only=True) as uow:
            payment = uow.payments.get_payment(payment_id)
        if payment is None:
            raise PaymentNotFound(f"payment {payment_id} does not exist")
        return payment

    def list_payments(self, **filters: Any) -> list[PaymentRecord]:
        with self.uow(read_only=True) as uow:
            return uow.payments.list_payments(**filters)

    def payments_of_run(self, run_id: str) -> list[PaymentRecord]:
        with self.uow(read_only=True) as uow:
            return uow.payments.payments_of_run(run_id)

    def pay_plan(self, invoice_id: str) -> PayPlan | None:
        """When the runs would pay this invoice (due, discount and expected pay dates) once nothing stands in the way;
        None for an invoice no run pays (not approved or matched, or in another currency)."""
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return None
        return pay_plan(invoice, now=self.clock.now(), policy=self.policy,
                        capabilities=self.rails(self.default_rail).capabilities())
