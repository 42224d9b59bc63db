"""In-memory fakes of the payment runs' ports: invoices, payee accounts and a rail that can misbehave."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

from payments.business_days import BusinessCalendar
from payments.disbursements.payment_runs import PayableInvoice, PayeeAccount, RunPolicy
from payments.disbursements.payment_states import PayeeAccountStatus, PayeeKind
from payments.ap.prompt_pay import InterestRate, PromptPayPolicy, RateTable
from payments.disbursements.rails import (RailAccountType, RailBatch, RailCapabilities, RailOutcome, RailPaymentStatus, RailSec,
                            RailSubmission, RailTimeout)

ROUTING = "231380104"


def policy(**overrides) -> RunPolicy:
    rates = RateTable([InterestRate(dt.date(2026, 1, 1), __import__("decimal").Decimal("0.04375"))])
    base = RunPolicy(calendar=BusinessCalendar(), prompt_pay=PromptPayPolicy("test", discount_threshold_rate=__import__(
        "decimal").Decimal("0.045")), lead_days=2, rates=rates, prenote_wait_business_days=3,
        dual_release_threshold_minor=100_000_000)
    return replace(base, **overrides)


class FakePayables:
    """Approved invoices held in a dict; ``find`` filters like the SQL adapter does."""

    def __init__(self, invoices=()) -> None:  # noqa: ANN001
        self.invoices: dict[str, PayableInvoice] = {i.invoice_id: i for i in invoices}

    def add(self, *invoices: PayableInvoice) -> None:
        for i in invoices:
            self.invoices[i.invoice_id] = i

    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        return [i for i in self.invoices.values()
                if (currency is None or i.currency == currency)
                and (i.due_date <= through or (i.discount_date is not None and i.discount_date <= through))]

    def get(self, invoice_id: str) -> PayableInvoice | None:
        return self.invoices.get(invoice_id)


class FakeAccounts:
    """One active checking account per vendor unless told otherwise; account numbers derived from the vendor."""

    def __init__(self) -> None:
        self.overrides: dict[str, PayeeAccount | None] = {}
        self.awaiting: list[PayeeAccount] = []

    def awaiting_prenote(self) -> list[PayeeAccount]:
        return list(self.awaiting)

    def default(self, vendor_id: str) -> PayeeAccount:
        return PayeeAccount(f"ba_{vendor_id}", vendor_id, f"VENDOR {vendor_id[-6:]}".upper(), ROUTING,
                            RailAccountType.CHECKING, PayeeAccountStatus.ACTIVE, PayeeKind.BUSINESS, "****6789")

    def set(self, vendor_id: str, account: PayeeAccount | None) -> None:
        self.overrides[vendor_id] = account

    def for_vendor(self, vendor_id: str) -> PayeeAccount | None:
        return self.overrides[vendor_id] if vendor_id in self.overrides else self.default(vendor_id)

    def get(self, account_id: str) -> PayeeAccount | None:
        waiting = [a for a in self.awaiting if a.account_id == account_id]
        if waiting:
            return waiting[0]
        vendor_id = account_id.removeprefix("ba_")
        account = self.for_vendor(vendor_id)
        return account if account is not None and account.account_id == account_id else None

    def account_number(self, account_id: str) -> str:
        return str(100000 + sum(map(ord, account_id)) * 7)[:12]


@dataclass
class MemoryRail:
    """A rail in memory. ``timeout_after_accept`` makes the next submit take the batch and then time out."""

    name: str = "memory"
    received: dict[str, RailBatch] = field(default_factory=dict)
    submits: int = 0
    timeout_after_accept: bool = False
    verdicts: dict[str, RailPaymentStatus] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def capabilities(self) -> RailCapabilities:
        return RailCapabilities(frozenset(RailSec))

    def _receipt(self, batch: RailBatch, duplicate: bool = False) -> RailSubmission:
        return RailSubmission(batch.submission_id, self.name, f"mem-{batch.submission_id}", batch.created_at,
                              len(batch.payments), batch.total_minor, duplicate)

    def submit(self, batch: RailBatch) -> RailSubmission:
        with self.lock:
            self.submits += 1
            if batch.submission_id in self.received:
                return self._receipt(self.received[batch.submission_id], duplicate=True)
            self.received[batch.submission_id] = batch
            if self.timeout_after_accept:
                self.timeout_after_accept = False
                raise RailTimeout("the bank took the file but did not answer in time")
            return self._receipt(batch)

    def lookup(self, submission_id: str) -> RailSubmission | None:
        batch = self.received.get(submission_id)
        return self._receipt(batch, duplicate=True) if batch else None

    def status(self, submission: RailSubmission) -> list[RailPaymentStatus]:
        batch = self.received.get(submission.submission_id)
        if batch is None:
            return []
        return [self.verdicts.get(p.payment_id, RailPaymentStatus(p.payment_id, RailOutcome.ACCEPTED))
                for p in batch.payments]

    def payments_sent(self) -> list[str]:
        return [p.payment_id for b in self.received.values() for p in b.payments]
