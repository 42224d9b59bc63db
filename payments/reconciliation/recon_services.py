"""Reconciliation's faces, built together: import (and the daily run), reading, the exceptions queue, and vendors'
refunds of credits matched to statement lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from payments.audit import AuditTrail
from payments.business_days import BusinessCalendar
from payments.ports import Clock, KeyVault, UowFactory
from payments.reconciliation.recon_exceptions_service import ReconExceptions
from payments.reconciliation.recon_ports import ReconUnitOfWork, ReturnedInvoices, VendorBankAccounts
from payments.reconciliation.recon_queries import ReconQueries
from payments.reconciliation.recon_service import ReconciliationService, ReconPolicy, Reader
from payments.reconciliation.vendor_refunds import VendorRefunds


@dataclass
class ReconServices:
    service: ReconciliationService
    queries: ReconQueries
    exceptions: ReconExceptions
    refunds: VendorRefunds


def build_recon_services(uow_factory: UowFactory[ReconUnitOfWork], vault: KeyVault, clock: Clock, *, read: Reader,
                         policy: ReconPolicy | None = None, calendar: BusinessCalendar | None = None,
                         invoices: ReturnedInvoices | None = None, bank_accounts: VendorBankAccounts | None = None,
                         audit: AuditTrail | None = None) -> ReconServices:
    policy = policy or ReconPolicy()
    calendar = calendar or BusinessCalendar()
    return ReconServices(
        ReconciliationService(uow_factory, vault, clock, read=read, policy=policy, calendar=calendar,
                              invoices=invoices, bank_accounts=bank_accounts),
        ReconQueries(uow_factory, calendar=calendar, unsettled_after=policy.unsettled_after_business_days,
                     lookback_days=policy.lookback_days, cash_account_suffix=policy.cash_account_suffix,
                     clock=clock, dates=policy.dates, treasury=policy.treasury),
        ReconExceptions(uow_factory, vault, clock, default_fund=policy.default_fund, audit=audit, dates=policy.dates,
                        treasury=policy.treasury),
        VendorRefunds(uow_factory, vault, clock, audit=audit, dates=policy.dates, treasury=policy.treasury))
