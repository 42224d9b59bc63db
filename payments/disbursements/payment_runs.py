"""Payment runs, planned: which approved invoices to pay today, in which payments, on which date. Pure.

A run pays approved, unheld invoices whose *pay date* falls in its window. The pay date is the date by which
the money must leave so that it arrives on time: the due date minus the lead time, or (when policy takes
the early-payment discount) the discount date minus the lead time. Anything whose pay date is on or before
the run date is paid now; an invoice already overdue is paid now, with prompt-pay interest.

Invoices are grouped into one payment per vendor, bank account and currency, each carrying remittance for
every invoice it pays. A newly activated bank account gets a zero-dollar prenote first and its invoices wait
the policy's business days after the prenote settles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from ledger.money import format_minor
from payments.disbursements.ach_dates import SameDayUnavailable, effective_entry_date, same_day_refusal, settlement_date
from payments.people.bank_account_records import BANK_ACCOUNT_SHARED
from payments.business_days import BusinessCalendar
from payments.dates import DatePolicy
from payments.ap.prompt_pay import PromptPayPolicy, RateTable, decide_discount
from payments.ap.prompt_pay_rules.facts import PromptPayFacts
from payments.disbursements.payment_states import (PayeeAccountStatus, PayeeKind, PaymentKind, PaymentStatus,
                                                   SkipReason)
from payments.disbursements.late_interest import AgencyRules, interest_for
from payments.disbursements.rails import RailAccountType, RailCapabilities, RailSec
from payments.ap.terms import PaymentTerms
from payments.ap.vendor_credits import CreditTaken
from payments.disbursements.treasury_accounts import TreasuryAccounts


@dataclass(frozen=True, slots=True)
class PayableInvoice:
    """An approved invoice as the payment run sees it (the AP module's port supplies these)."""

    invoice_id: str
    vendor_id: str
    invoice_number: str
    currency: str
    amount_minor: int
    due_date: dt.date
    invoice_date: dt.date | None = None
    terms: PaymentTerms | None = None
    # The date the terms count from (the prompt-pay receipt date); the due date's own base.
    terms_base_date: dt.date | None = None
    holds: tuple[str, ...] = ()
    approver_ids: frozenset[str] = frozenset()
    fund: str = "100"
    # Where a discount taken is credited back; the fund's Expenditures when the invoice is not coded.
    expenditure_account: str | None = None
    prompt_pay_rule: str | None = None  # the rule set its due date was computed under ("name@version")
    prompt_pay_facts: PromptPayFacts | None = None  # what the rule set weighs besides the dates (issue 18)

    @property
    def discount_date(self) -> dt.date | None:
        if self.terms is None or self.terms_base_date is None:
            return None
        return self.terms.discount_date(self.terms_base_date)


@dataclass(frozen=True, slots=True)
class PayeeAccount:
    """A vendor's bank account as the run needs it. The account number itself is fetched only to write a file."""

    account_id: str
    vendor_id: str
    payee_name: str
    routing_number: str
    account_type: RailAccountType
    status: PayeeAccountStatus
    payee_kind: PayeeKind = PayeeKind.BUSINESS
    account_mask: str = ""
    # True for a newly activated account that has not yet been tested by a prenote.
    prenote_required: bool = False
    wants_remittance: bool = True
    # A new account still being verified whose prenote should go out now (its cooling-off has ended).
    prenote_due: bool = False
    change_id: str | None = None
    # Holds on paying to this account that staff and the vendor portal see (``bank_account_shared`` …): none may pay.
    holds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PrenoteRecord:
    """The latest prenote payment sent to an account, from the payments store."""

    account_id: str
    payment_id: str
    status: PaymentStatus
    effective_date: dt.date


@dataclass(frozen=True, slots=True)
class RunPolicy:
    """The payment-run settings from the policy file, passed in by the composition root."""

    calendar: BusinessCalendar
    prompt_pay: PromptPayPolicy
    lead_days: int = 2
    currency: str = "USD"
    rates: RateTable | None = None
    prenote_wait_business_days: int = 3
    # Above this run total a second treasurer must release the run (minor units).
    dual_release_threshold_minor: int = 100_000_000
    rules: AgencyRules | None = None  # the agency's prompt-payment rule sets and published rates
    # The one date policy ([dates]); a run date outside it is refused, and the run horizon narrows it.
    dates: DatePolicy = DatePolicy()
    # How far ahead a run may be dated ([payments] run_horizon_days): a run planned further out is refused.
    horizon_days: int = 10
    # The agency's bank accounts ([[treasury.bank_accounts]]): which one each rail debits, and its Cash account.
    treasury: TreasuryAccounts = TreasuryAccounts()

    def run_dates(self) -> DatePolicy:
        """The dates a payment run may be dated: the date policy, narrowed to ``horizon_days`` ahead of today."""
        return self.dates.narrowed(days_after=self.horizon_days,
                                   purpose=f"a payment run may be dated at most {self.horizon_days} days ahead "
                                           "([payments] run_horizon_days)")


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One invoice in a payment: what the vendor billed, the discount taken and the interest added."""

    invoice_id: str
    invoice_number: str
    amount_minor: int
    discount_minor: int
    interest_minor: int
    due_date: dt.date
    pay_date: dt.date
    invoice_date: dt.date | None = None
    fund: str = "100"
    expenditure_account: str | None = None
    approver_ids: frozenset[str] = frozenset()
    interest_rule: str | None = None  # the rule set the interest was computed under

    @property
    def paid_minor(self) -> int:
        return self.amount_minor - self.discount_minor + self.interest_minor


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    """One credit to one vendor's account: a prenote (no items) or a live payment of its items.

    ``effective_date`` is None for the run's own date; a same-day run's payment above the same-day limit
    carries the next-day date instead (and ``same_day`` False).
    """

    vendor_id: str
    account_id: str
    payee_name: str
    currency: str
    kind: PaymentKind
    sec_code: RailSec
    items: tuple[PlannedItem, ...] = ()
    effective_date: dt.date | None = None
    same_day: bool = False
    # The vendor's open credits this payment deducts (``credit_offsets.apply_credits``), named in its remittance.
    credits: tuple[CreditTaken, ...] = ()

    @property
    def amount_minor(self) -> int:
        return sum(i.paid_minor for i in self.items) - sum(c.amount_minor for c in self.credits)


@dataclass(frozen=True, slots=True)
class Skipped:
    invoice_id: str
    reason: SkipReason
    detail: str = ""
    # For a payment left out whole (over the rail's limit): whose it was and what it would have paid.
    vendor_id: str = ""
    payment_minor: int = 0


@dataclass(frozen=True, slots=True)
class RunPlan:
    run_date: dt.date
    effective_date: dt.date
    currency: str
    payments: tuple[PlannedPayment, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())
    same_day: bool = False

    @property
    def total_minor(self) -> int:
        return sum(p.amount_minor for p in self.payments)

    @property
    def invoice_ids(self) -> frozenset[str]:
        return frozenset(i.invoice_id for p in self.payments for i in p.items)


def selection_horizon(run_date: dt.date, policy: RunPolicy) -> dt.date:
    """Invoices due (or discountable) on or before this date may be paid by a run on ``run_date``."""
    return run_date + dt.timedelta(days=policy.lead_days)


def choose_sec(account: PayeeAccount, invoice_count: int, capabilities: RailCapabilities | None = None) -> RailSec:
    """PPD for a person; CCD for one invoice (CCD+ with its RMR); CTX with an 820 for several invoices.

    A rail that cannot carry the preferred code gets CCD instead (remittance then rides as far as CCD allows).
    """
    if account.payee_kind is PayeeKind.INDIVIDUAL:
        preferred = RailSec.PPD
    elif invoice_count > 1 and account.wants_remittance:
        preferred = RailSec.CTX
    else:
        preferred = RailSec.CCD
    if capabilities is not None and preferred not in capabilities.sec_codes:
        return RailSec.CCD
    return preferred


def plan_item(invoice: PayableInvoice, *, run_date: dt.date, effective_date: dt.date,
              policy: RunPolicy) -> PlannedItem | Skipped:
    """Price one invoice for payment on ``effective_date``, or say why it is not paid in this run."""
    if invoice.holds:
        return Skipped(invoice.invoice_id, SkipReason.HELD, ", ".join(sorted(invoice.holds)))
    if invoice.currency != policy.currency:
        return Skipped(invoice.invoice_id, SkipReason.CURRENCY_MISMATCH, invoice.currency)
    lead = dt.timedelta(days=policy.lead_days)
    discount = 0
    pay_date = invoice.due_date - lead
    if invoice.terms is not None and invoice.terms_base_date is not None:
        decision = decide_discount(invoice.terms, base_date=invoice.terms_base_date, amount_minor=invoice.amount_minor,
                                   policy=policy.prompt_pay, today=effective_date)
        if decision.take and decision.discount_date is not None:
            discount = decision.discount_minor
            pay_date = decision.discount_date - lead
    if pay_date > run_date:
        return Skipped(invoice.invoice_id, SkipReason.NOT_YET_DUE, pay_date.isoformat())
    interest, rule = interest_for(invoice, invoice.amount_minor - discount, effective_date, policy)
    return PlannedItem(invoice.invoice_id, invoice.invoice_number, invoice.amount_minor, discount, interest,
                       invoice.due_date, pay_date, invoice.invoice_date, invoice.fund, invoice.expenditure_account,
                       invoice.approver_ids, rule)


def _account_gate(account: PayeeAccount | None, prenote: PrenoteRecord | None, processing_date: dt.date,
                  policy: RunPolicy) -> tuple[SkipReason | None, bool]:
    """(why the account cannot be paid now, whether a prenote should be sent now)."""
    if account is None or account.status is not PayeeAccountStatus.ACTIVE:
        return SkipReason.BANK_ACCOUNT_UNVERIFIED, False
    if BANK_ACCOUNT_SHARED in account.holds:  # the holds the portal and staff see stop the payment here
        return SkipReason.BANK_ACCOUNT_SHARED, False
    if account.holds:
        return SkipReason.BANK_ACCOUNT_UNVERIFIED, False
    if not account.prenote_required:
        return None, False
    if prenote is None:
        return SkipReason.PRENOTE_PENDING, True
    if prenote.status in (PaymentStatus.RETURNED, PaymentStatus.FAILED):
        return SkipReason.BANK_ACCOUNT_UNVERIFIED, False
    if prenote.status is PaymentStatus.CANCELLED:
        return SkipReason.PRENOTE_PENDING, True
    if prenote.status not in (PaymentStatus.SENT, PaymentStatus.SETTLED):
        return SkipReason.PRENOTE_PENDING, False
    # Nacha: live entries may be initiated no sooner than the third banking day after the prenote's
    # settlement date (its effective date), so the wait is counted in business days up to the day we send.
    waited = policy.calendar.business_days_between(prenote.effective_date, processing_date)
    if waited < policy.prenote_wait_business_days:
        return SkipReason.PRENOTE_PENDING, False
    return None, False


def plan_run(invoices: Iterable[PayableInvoice], accounts: Mapping[str, PayeeAccount | None],
             prenotes: Mapping[str, PrenoteRecord], *, run_date: dt.date, now: dt.datetime,
             policy: RunPolicy, awaiting_prenote: Iterable[PayeeAccount] = (),
             capabilities: RailCapabilities | None = None, same_day: bool = False) -> RunPlan:
    """The payments a run on ``run_date`` makes. ``accounts`` is keyed by vendor, ``prenotes`` by account.

    ``awaiting_prenote`` are accounts still being verified whose prenote is due: each gets one prenote,
    whether or not anything is payable to its vendor yet. ``capabilities`` are the chosen rail's: a rail
    without prenotes sends none (the account is verified another way), SEC codes fall back to CCD, and a
    payment above the rail's limit is left out. Deterministic: the same inputs give the same payments in
    the same order (vendor, then account).

    The run is sent on its processing date (``run_date``, or the next business day when the cut-off has
    passed) and settles on the rail's next settlement date. With ``same_day`` it settles on the processing
    date itself, which must be today and before the rail's same-day cut-off (else ``SameDayUnavailable``);
    a payment above the same-day limit still goes in the run, priced and dated for the next day.
    """
    invoices = list(invoices)
    can_prenote = capabilities is None or capabilities.prenotes
    processing = effective_entry_date(run_date, now, policy.calendar)
    next_day = settlement_date(processing, policy.calendar, capabilities)
    if same_day:
        why = same_day_refusal(processing, now, policy.calendar, capabilities)
        if why is not None:
            raise SameDayUnavailable(why)
    effective = processing if same_day else next_day
    skipped: list[Skipped] = []
    groups: dict[tuple[str, str, str], list[PlannedItem]] = {}
    prenote_for: dict[str, PayeeAccount] = {}
    for invoice in sorted(invoices, key=lambda i: (i.vendor_id, i.due_date, i.invoice_id)):
        priced = plan_item(invoice, run_date=run_date, effective_date=effective, policy=policy)
        if isinstance(priced, Skipped):
            skipped.append(priced)
            continue
        account = accounts.get(invoice.vendor_id)
        if account is not None and not can_prenote and account.prenote_required:
            account = replace(account, prenote_required=False)
        reason, send_prenote = _account_gate(account, prenotes.get(account.account_id) if account else None,
                                             processing, policy)
        if send_prenote and account is not None:
            prenote_for[account.account_id] = account
        if reason is not None or account is None:  # no account: _account_gate gave its reason
            skipped.append(Skipped(invoice.invoice_id, reason or SkipReason.BANK_ACCOUNT_UNVERIFIED))
            continue
        groups.setdefault((invoice.vendor_id, account.account_id, invoice.currency), []).append(priced)

    for account in awaiting_prenote if can_prenote else ():
        record = prenotes.get(account.account_id)
        # Anything but a withdrawn prenote already answers for this account (a returned one closes the change).
        if account.prenote_due and (record is None or record.status is PaymentStatus.CANCELLED):
            prenote_for[account.account_id] = account
    payments: list[PlannedPayment] = []
    for account in sorted(prenote_for.values(), key=lambda a: (a.vendor_id, a.account_id)):
        sec = RailSec.PPD if account.payee_kind is PayeeKind.INDIVIDUAL else RailSec.CCD
        payments.append(PlannedPayment(account.vendor_id, account.account_id, account.payee_name, policy.currency,
                                       PaymentKind.PRENOTE, sec, same_day=same_day))
    same_day_limit = capabilities.same_day_max_payment_minor if capabilities is not None else None
    by_id = {i.invoice_id: i for i in invoices} if same_day and same_day_limit is not None else {}
    for (vendor_id, account_id, currency), items in sorted(groups.items()):
        account = cast(PayeeAccount, accounts[vendor_id])  # grouped above only with an account
        payment = PlannedPayment(vendor_id, account_id, account.payee_name, currency, PaymentKind.LIVE,
                                 choose_sec(account, len(items), capabilities), tuple(items), same_day=same_day)
        if same_day and same_day_limit is not None and payment.amount_minor > same_day_limit:
            # Over the same-day limit: the operator would settle it the next day anyway, so say so, and price
            # it (interest, discount) for the day it really settles.
            repriced = [plan_item(by_id[i.invoice_id], run_date=run_date, effective_date=next_day, policy=policy)
                        for i in items]
            skipped.extend(i for i in repriced if isinstance(i, Skipped))
            payment = replace(payment, items=tuple(i for i in repriced if isinstance(i, PlannedItem)),
                              effective_date=next_day, same_day=False)
        if payment.amount_minor <= 0:
            skipped.extend(Skipped(i.invoice_id, SkipReason.AMOUNT_NOT_POSITIVE) for i in items)
            continue
        limit = capabilities.max_payment_minor if capabilities is not None else None
        if limit is not None and payment.amount_minor > limit:
            why = (f"the payment to {vendor_id} would be {format_minor(payment.amount_minor, currency)}, over the "
                   f"rail's per-payment limit of {format_minor(limit, currency)}: arrange it another way (a wire) or raise the "
                   "limit, then release the hold")
            skipped.extend(Skipped(i.invoice_id, SkipReason.OVER_RAIL_LIMIT, why, vendor_id, payment.amount_minor)
                           for i in payment.items)
            continue
        payments.append(payment)
    return RunPlan(run_date, effective, policy.currency, tuple(payments), tuple(skipped), same_day)
