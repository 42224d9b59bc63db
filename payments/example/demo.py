"""`disburse demo`: the whole story of the City of Riverton's autumn, told through the real use cases.

The example agency (budget, vendors, purchase orders, receipts, invoices with every kind of hold) is loaded by
``disburse init --example``'s own loader. Then: holds are released with reasons and invoices approved (one by two
approvers); three vendors' bank accounts go through the quarantine (call-back, approval, cooling-off, prenote);
a payment run is released and paid through the sandbox bank as a NACHA file; the bank returns one payment (R03)
and sends one notification of change (C01); its returns file and its BAI2 statements are imported; the daily
reconciliation ties the ledger's Cash to the bank's closing balance; and the signed journal verifies.

The composition root hands in the services, a settable clock and the sandbox bank (``DemoBank``); this module
imports no adapter. ``say`` prints (the CLI) or collects (the end-to-end test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from payments.ap.ap_services import APServices
from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_service import PaymentService
from payments.errors import DomainError
from payments.identity import Principal, Role
from payments.ledger_service import LedgerService
from payments.people.bank_account_service import BankAccountService
from payments.ports import Clock, UnitOfWork, UowFactory
from payments.reconciliation.recon_services import ReconServices
from payments.reconciliation.recon_report import ReconReport, money_text

CLERK = Principal.staff("usr_casey_clerk", Role.AP_CLERK)
APPROVER = Principal.staff("usr_avery_approver", Role.AP_APPROVER)
APPROVER2 = Principal.staff("usr_blake_approver", Role.AP_APPROVER)
VENDOR_ADMIN = Principal.staff("usr_val_vendor_admin", Role.VENDOR_ADMIN)
TREASURER = Principal.staff("usr_taylor_treasurer", Role.TREASURER)
TREASURER2 = Principal.staff("usr_morgan_treasurer", Role.TREASURER)

# The vendors paid in the story: example vendor number -> (phone on file, routing, account, invoice numbers).
PAYEES = {
    "V-1004": ("+1 555 0104", "091000019", "7001234567", ("S-1001",)),
    "V-1001": ("+1 555 0101", "021000021", "4400019921", ("A-2002",)),
    "V-1002": ("+1 555 0102", "011000015", "9000123456", ("IT-0913",)),
}
RETURNED_VENDOR, NOC_VENDOR = "V-1001", "V-1002"


class DemoStoryBroken(DomainError):
    """The example agency did not do what the story says (a run planned nothing, a payment went out without a
    trace, the bank returned nothing): the demo stops there rather than tell a story that did not happen."""

    code = "demo_story_broken"


def _made(run: PaymentRunRecord | None, what: str) -> PaymentRunRecord:
    if run is None:
        raise DemoStoryBroken(f"the {what} run planned nothing to pay")
    return run


def _traced(payment: PaymentRecord) -> str:
    if payment.trace_number is None:
        raise DemoStoryBroken(f"payment {payment.id} to {payment.payee_name} went out without an ACH trace")
    return payment.trace_number


@runtime_checkable
class SettableClock(Clock, Protocol):
    """The demo moves time itself: a clock it can set (the sandbox's fixed clock)."""

    def set(self, when: dt.datetime) -> None:
        """From now on, ``now()`` is ``when``."""
        ...


class DemoBank(Protocol):
    """The sandbox bank as the story drives it."""

    def return_entry(self, trace: str, reason_code: str, *, on: dt.date) -> None: ...

    def notify_change(self, trace: str, change_code: str, corrected_data: str, *, on: dt.date) -> None: ...

    def returns_file(self, on: dt.date) -> bytes | None: ...

    def bai2(self, as_of: dt.date) -> str: ...

    def settles_on(self, effective: dt.date) -> dt.date: ...


@dataclass
class DemoServices:
    ap: APServices
    bank_accounts: BankAccountService
    payments: PaymentService
    recon: ReconServices
    ledger: LedgerService
    uow: UowFactory[UnitOfWork]
    clock: SettableClock
    bank: Callable[[int], DemoBank]  # the sandbox bank, given the opening balance of the City's account
    relay_prenotes: Callable[[], int]
    noc_corrected_data: Callable[[str], str]  # C01's 29-character corrected-data field for an account number


@dataclass
class DemoResult:
    ties_out: bool
    ledger_verified: bool
    report: ReconReport | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def run_demo(s: DemoServices, say: Callable[[str], None] = print) -> DemoResult:
    facts: dict[str, Any] = {}

    def at(day: dt.date, hour: int = 14) -> None:
        s.clock.set(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.timezone.utc))

    say("== The City of Riverton, FY2027: accounts payable from purchase order to reconciled cash")
    invoices = {r.invoice.invoice_number: r.invoice for r in s.ap.invoices.list(after=None, limit=200)}
    held = {n: [h for h in s.ap.invoices.view(i.id).holds if h.status == "open"] for n, i in invoices.items()}
    say(f"Loaded the example agency: {len(invoices)} invoices, {sum(1 for h in held.values() if h)} of them held:")
    for number, holds in sorted(held.items()):
        if holds:
            say(f"  {number:<8} held: {', '.join(sorted({h.hold for h in holds}))}")

    # -- holds released with reasons, approvals (one invoice above the dual-approval threshold) --------------
    at(dt.date(2026, 10, 20))
    reasons = {"A-2002": "desk price rise confirmed by purchasing (quote on file)",
               "IT-0913": "thirteenth month of help-desk support authorized by change order CO-17"}
    for number, reason in reasons.items():
        for hold in held[number]:
            s.ap.approvals.release_hold(APPROVER, invoices[number].id, hold.id, reason)
        say(f"Released {len(held[number])} hold(s) on {number} ({APPROVER.user_id}): {reason}")
    s.ap.approvals.approve(APPROVER, invoices["A-2002"].id)
    first = s.ap.approvals.approve(APPROVER, invoices["IT-0913"].id)
    second = s.ap.approvals.approve(APPROVER2, invoices["IT-0913"].id)
    say(f"Approved A-2002; IT-0913 ({money_text(invoices['IT-0913'].total_minor)}) needed two approvers: "
        f"{APPROVER.user_id} (complete: {first.fully_approved}), then {APPROVER2.user_id} "
        f"(complete: {second.fully_approved})")

    # -- bank accounts through the quarantine ------------------------------------------------------------------
    vendors = {v.number: v.vendor for v in s.ap.vendors.list(after=None, limit=100)}
    changes = {}
    for number, (phone, routing, account, _) in PAYEES.items():
        vendor = vendors[number]
        s.bank_accounts.set_contact(VENDOR_ADMIN, vendor.id, phone=phone, name=vendor.legal_name)
        change = s.bank_accounts.request_change(VENDOR_ADMIN, vendor.id, routing_number=routing,
                                                account_number=account, account_type="checking")
        change_id = change.change.change_id
        s.bank_accounts.record_callback(APPROVER, change_id, number_called=phone, outcome="confirmed")
        s.bank_accounts.approve(TREASURER, change_id)
        changes[number] = change_id
    say(f"Bank accounts for {len(changes)} vendors: requested by {VENDOR_ADMIN.user_id}, called back on the number "
        f"on file by {APPROVER.user_id}, approved by {TREASURER.user_id}; cooling off for 10 days")

    at(dt.date(2026, 11, 2))
    prenote_run = _made(s.payments.create_run(rail="sandbox", created_by=CLERK.user_id).run, "prenote")
    s.payments.release(TREASURER2, prenote_run.id)
    s.payments.submit_released()
    relayed = s.relay_prenotes()
    say(f"Cooling-off over: run {prenote_run.id} sent {prenote_run.payment_count} zero-dollar prenotes through the "
        f"sandbox bank ({relayed} prenote events relayed to the bank-account workflow)")
    at(dt.date(2026, 11, 6))
    activated = s.bank_accounts.activate_cleared()
    say(f"No prenote came back in 3 business days: {len(activated)} accounts active")

    # -- the payment run, paid through the sandbox bank ------------------------------------------------------
    at(dt.date(2026, 11, 10))
    created = s.payments.create_run(rail="sandbox", created_by=CLERK.user_id)
    run = _made(created.run, "payment")
    s.payments.release(TREASURER, run.id)
    outcomes = s.payments.submit_released()
    paid = s.payments.payments_of_run(run.id)
    say(f"Payment run {run.id}: {run.payment_count} payments, {money_text(run.total_minor)} USD, effective "
        f"{run.effective_date}; released by {TREASURER.user_id}; NACHA file {', '.join(o.reference or '' for o in outcomes)}")
    for p in paid:
        say(f"  {p.payee_name:<28} {money_text(p.amount_minor):>12}  trace {p.trace_number}  {p.status.value}")
    for skip in (created.plan.skipped if created.plan else ()):
        say(f"  left out: {skip}")
    facts.update(run_id=run.id, payments=len(paid), total_minor=run.total_minor)

    # -- the bank: settlement, one return, one notification of change -----------------------------------------
    by_vendor = {p.vendor_id: p for p in paid}
    returned = by_vendor[vendors[RETURNED_VENDOR].id]
    corrected = by_vendor[vendors[NOC_VENDOR].id]
    settles = s.bank(0).settles_on(run.effective_date)
    returned_on = dt.date.fromordinal(settles.toordinal() + 1)
    while returned_on.weekday() >= 5:
        returned_on = dt.date.fromordinal(returned_on.toordinal() + 1)
    with s.uow(read_only=True) as uow:
        cash = sum(r.balance_minor for r in uow.ledger_queries.balances(currency="USD") if r.account.endswith("-1010"))
    bank = s.bank(cash)  # the City's account at the bank held what the ledger's Cash says, before this run
    bank.return_entry(_traced(returned), "R03", on=returned_on)
    bank.notify_change(_traced(corrected), "C01", s.noc_corrected_data("9000123999"), on=returned_on)
    say(f"The bank settles the batch on {settles}; on {returned_on} it returns {returned.payee_name}'s payment (R03, "
        f"no account) and sends a notification of change (C01, new account number) for {corrected.payee_name}")

    # -- imports: statement of the settlement day, returns file, statement of the return day -------------------
    at(settles, 20)
    first_stmt = s.recon.service.import_file(bank.bai2(settles).encode(), name=f"statement-{settles}.bai2")
    say(f"Imported the BAI2 statement of {settles}: {first_stmt.lines_matched} line(s) matched "
        f"({first_stmt.methods}), {first_stmt.payments_settled} payments settled, "
        f"{first_stmt.exceptions_opened} exception(s)")
    at(returned_on, 20)
    notices = bank.returns_file(returned_on)
    if notices is None:
        raise DemoStoryBroken(f"the bank sent no returns file on {returned_on}")
    ret = s.recon.service.import_file(notices, name=f"returns-{returned_on}.ach")
    say(f"Imported the bank's NACHA returns file: {ret.returns_posted} return posted, {ret.invoices_reopened} "
        f"invoice(s) back to approved-and-unpaid with hold payment_returned, {ret.changes_proposed} bank-account "
        f"change proposed from the NOC")
    for action in ret.bank_actions:
        say(f"  bank account: {action}")
    again = s.recon.service.import_file(notices, name="the same returns file again")
    say(f"Imported the same returns file again: {'nothing done twice' if again.duplicate_file else 'IMPORTED TWICE'}")
    second_stmt = s.recon.service.import_file(bank.bai2(returned_on).encode(), name=f"statement-{returned_on}.bai2")
    say(f"Imported the BAI2 statement of {returned_on}: {second_stmt.return_credits} return credit matched")

    # -- reconciliation and the signed journal -------------------------------------------------------------------
    s.recon.service.reconcile(returned_on)
    report = s.recon.queries.report(returned_on)
    for line in report.describe().splitlines():
        say(line)
    verified = s.ledger.verify()
    say(f"ledger verify: {'OK' if verified.ok else 'FAILED'} ({verified.describe().splitlines()[0]})")
    facts.update(returned=returned.id, corrected=corrected.id, settled_on=settles.isoformat(),
                 returned_on=returned_on.isoformat(), returns_file_lines=ret.returns_posted)
    return DemoResult(report.ties_out, verified.ok, report, facts)
