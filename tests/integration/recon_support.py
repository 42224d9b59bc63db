"""Seeding for reconciliation integration tests: sent payments in the real payment tables, their ledger entries,
and in-memory stand-ins for the AP and bank-account sides."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from ulid import ULID

from adapters.statements.bank_files import read_bank_file
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from payments.disbursements.payment_rules import LedgerItem, sent_entries
from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.rails import RailSec
from payments.reconciliation.recon_service import ReconciliationService

SENT_ON = dt.date(2026, 9, 22)
ODFI = "23138010"


def trace(k: int) -> str:
    return f"{ODFI}{k:07d}"


def pid(name: str) -> str:
    """A stable payment id (``pay_`` + a ULID) for a readable name: ``pid("redwood")``."""
    digest = hashlib.sha256(name.encode()).digest()
    return f"pay_{ULID.from_bytes(bytes(6) + digest[:10])}" if not name.startswith("pay_") else name


@dataclass
class FakeInvoices:
    reopened: list[tuple[str, str, str]] = field(default_factory=list)

    def reopen(self, uow, invoice_ids, *, payment_id, reason_code, vendor_reason, at):  # noqa: ANN001
        self.reopened += [(i, reason_code, vendor_reason) for i in invoice_ids]
        return len(invoice_ids)


@dataclass
class FakeBankAccounts:
    blocked: list[tuple[str, str, str]] = field(default_factory=list)
    proposed: list[tuple[str, str, object]] = field(default_factory=list)

    def block_for_return(self, *, vendor_id, account_id, reason_code, reason):  # noqa: ANN001
        self.blocked.append((vendor_id, account_id, reason_code))
        return f"account {account_id} blocked ({reason_code})"

    def propose_from_notice(self, *, vendor_id, account_id, corrected, change_code, original_trace):  # noqa: ANN001
        self.proposed.append((vendor_id, change_code, corrected))
        return f"bch_{len(self.proposed):026d}"


def seed_payments(container, run_id: str, payments: list[tuple[str, int, int]], *, sent_on: dt.date = SENT_ON,
                  fund: str = "100", post: bool = True) -> None:
    """``payments``: (name, amount, trace k) of one run, all sent; their ``payment_sent`` entries posted."""
    payments = [(pid(name), amount, k) for name, amount, k in payments]
    now = dt.datetime.combine(sent_on, dt.time(15), tzinfo=dt.timezone.utc)
    records = [PaymentRecord(
        id=pid, run_id=run_id, vendor_id=f"ven_{pid}", account_id=f"bac_{pid}", payee_name=f"Vendor {pid}",
        currency="USD", amount_minor=amount, kind=PaymentKind.LIVE, sec_code=RailSec.CCD, status=PaymentStatus.SENT,
        effective_date=sent_on, created_at=now, trace_number=trace(k),
        items=(PaymentItemRecord(f"inv_{pid}", f"INV-{pid}", amount, fund=fund),)) for pid, amount, k in payments]
    run = PaymentRunRecord(run_id, sent_on, sent_on, RunStatus.SENT, "USD", "nacha", now, "usr_clerk",
                           sum(a for _, a, _ in payments), len(payments))
    with container.uow() as uow:
        uow.payments.add_run(run, records)
        uow.commit()
    if post:
        drafts = [d for pid, amount, _ in payments
                  for d in sent_entries(pid, run_id, "USD", [LedgerItem(f"inv_{pid}", amount, 0, 0, fund)], sent_on)]
        container.ledger.post(drafts)


def opening_cash(container, amount: int, on: dt.date = dt.date(2026, 7, 1), fund: str = "100") -> None:
    container.ledger.post([EntryDraft(new_entry_id(), on, "opening_balance", (
        Posting(f"{fund}-1010", Direction.DEBIT, amount, "USD"),
        Posting(f"{fund}-3010", Direction.CREDIT, amount, "USD")), memo="opening cash")])


def recon_service(container, **kw) -> ReconciliationService:  # noqa: ANN003
    return ReconciliationService(container.uow, container.vault, container.clock, read=read_bank_file, **kw)
