"""Disbursement rules: the state machines, ids derived from a payment, trace numbers, release and ledger entries.

Everything here is pure. The use cases (``payment_service``) apply these inside one unit of work, and the
store turns each named step into a guarded ``UPDATE ... WHERE status IN (:sources)`` whose states it reads from
``RUN_TRANSITIONS`` / ``PAYMENT_TRANSITIONS``: one table per state machine, no hand-written pairs.

Derived ids are what make a retry recognizable: the submission id comes from the run id, each ledger entry
id from the payment id and the entry's code, and each trace number from the payment id. A second attempt
after a crash produces byte-for-byte the same ids, so the rail and the journal both see a replay.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ulid import ULID

from ledger.accounts import Direction
from ledger.entries import EntryCode, EntryDraft, Posting
from payments.controls import BankChangeRestraint, RunItem, SeparationOfDutiesViolation, check_can_release_run
from payments.disbursements.payment_errors import AlreadyReleased
from payments.errors import Conflict
from payments.identity import Principal
from payments.ap.vendor_credits import CreditTaken, vendor_credits_receivable
from payments.disbursements.payment_states import PaymentStatus, RunStatus

S = TypeVar("S", RunStatus, PaymentStatus)
K = TypeVar("K", bound=enum.StrEnum)

class RunStep(enum.StrEnum):
    """A named move of a payment run; ``RUN_TRANSITIONS`` says from which states and to which."""

    RELEASE = "release"
    """The last release a run needs: it may be submitted."""
    CANCEL = "cancel"
    """A person withdraws a run not yet submitted; its payments are cancelled and their invoices freed."""
    CLAIM = "claim"
    """A submitter takes the released run to hand it to the rail."""
    WITHDRAW_ALL = "withdraw_all"
    """Every payment was withdrawn at the claim: nothing to hand over, the run is closed."""
    ACCEPT = "accept"
    """The rail took the batch."""
    REJECT = "reject"
    """The rail refused the batch: every payment failed, the run is closed."""
    FINISH = "finish"
    """Every payment reached a final state."""


class PaymentStep(enum.StrEnum):
    """A named move of one payment; ``PAYMENT_TRANSITIONS`` says from which states and to which."""

    CLAIM = "claim"
    """Taken for submission with its run."""
    WITHDRAW = "withdraw"
    """Cancelled before submission (its run cancelled, its invoice held, or re-dating would re-price it)."""
    ACCEPT = "accept"
    """The rail took it."""
    REJECT = "reject"
    """The rail refused the batch it was in."""
    FAIL = "fail"
    """The bank refused it after the rail took it (pain.002 RJCT)."""
    SETTLE = "settle"
    """A bank statement shows it settled."""
    RETURN = "return"
    """The receiving bank sent it back, before or after the statement showed it settled."""


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    """From any of ``sources`` to ``target``: the guarded update's ``WHERE status IN (sources)``."""

    sources: frozenset[S]
    target: S


# The one table for each state machine. Every guarded update (``UPDATE ... SET status = :target WHERE status IN
# (:sources)``, PaymentStore.transition_run / transition_payments) and every refusal (``check_run_step``) reads it.
RUN_TRANSITIONS: Mapping[RunStep, Transition[RunStatus]] = {
    RunStep.RELEASE: Transition(frozenset({RunStatus.DRAFT}), RunStatus.RELEASED),
    RunStep.CANCEL: Transition(frozenset({RunStatus.DRAFT, RunStatus.RELEASED}), RunStatus.CANCELLED),
    RunStep.CLAIM: Transition(frozenset({RunStatus.RELEASED}), RunStatus.SUBMITTED),
    RunStep.WITHDRAW_ALL: Transition(frozenset({RunStatus.RELEASED}), RunStatus.CLOSED),
    RunStep.ACCEPT: Transition(frozenset({RunStatus.SUBMITTED}), RunStatus.SENT),
    RunStep.REJECT: Transition(frozenset({RunStatus.SUBMITTED}), RunStatus.CLOSED),
    RunStep.FINISH: Transition(frozenset({RunStatus.SENT}), RunStatus.CLOSED),
}
PAYMENT_TRANSITIONS: Mapping[PaymentStep, Transition[PaymentStatus]] = {
    PaymentStep.CLAIM: Transition(frozenset({PaymentStatus.SCHEDULED}), PaymentStatus.SUBMITTED),
    PaymentStep.WITHDRAW: Transition(frozenset({PaymentStatus.SCHEDULED}), PaymentStatus.CANCELLED),
    PaymentStep.ACCEPT: Transition(frozenset({PaymentStatus.SUBMITTED}), PaymentStatus.SENT),
    PaymentStep.REJECT: Transition(frozenset({PaymentStatus.SUBMITTED}), PaymentStatus.FAILED),
    PaymentStep.FAIL: Transition(frozenset({PaymentStatus.SENT}), PaymentStatus.FAILED),
    PaymentStep.SETTLE: Transition(frozenset({PaymentStatus.SENT}), PaymentStatus.SETTLED),
    PaymentStep.RETURN: Transition(frozenset({PaymentStatus.SENT, PaymentStatus.SETTLED}), PaymentStatus.RETURNED),
}


class PaymentHold(enum.StrEnum):
    """The holds the payment flow puts on an invoice (the AP module releases them like any other hold)."""

    PAYMENT_RETURNED = "payment_returned"
    """The receiving bank returned the payment (an ACH return): the invoice is approved and unpaid again."""
    PAYMENT_FAILED = "payment_failed"
    """The bank refused the payment after the rail took it (e.g. pain.002 AC04): approved and unpaid again."""
    OVER_RAIL_LIMIT = "over_rail_limit"
    """The payment would exceed what the run's rail carries in one payment; someone must arrange it."""


class IllegalTransition(Conflict):
    """The state machine has no such step."""

    code = "illegal_transition"

    def __init__(self, what: str, object_id: str, current: str, target: str) -> None:
        super().__init__(f"{what} {object_id} is {current}; it cannot become {target}",
                         object_id=object_id, current=current, target=target)


class InvoiceAlreadyScheduled(Conflict):
    """An invoice (or an account's prenote) already has a live payment: the store's unique constraint said no."""

    code = "invoice_already_scheduled"


class AlreadyReleasedBy(SeparationOfDutiesViolation):
    """The second release of a large run came from the person who gave the first."""

    code = "same_releaser_twice"

    def __init__(self, user_id: str, run_id: str) -> None:
        super().__init__(f"user {user_id} already released run {run_id}; a second, different treasurer is needed",
                         user_id=user_id, run_id=run_id)


class RunCreatorCannotRelease(SeparationOfDutiesViolation):
    """The person who created a run released it."""

    code = "run_creator_cannot_release"

    def __init__(self, user_id: str, run_id: str) -> None:
        super().__init__(f"user {user_id} created run {run_id} and may not release it", user_id=user_id,
                         run_id=run_id)


def check_run_step(run_id: str, current: RunStatus, step: RunStep) -> None:
    """Raise ``illegal_transition`` unless ``RUN_TRANSITIONS`` lets a run in ``current`` take ``step``."""
    move = RUN_TRANSITIONS[step]
    if current not in move.sources:
        raise IllegalTransition("payment run", run_id, current.value, move.target.value)


def run_can(status: RunStatus, step: RunStep) -> bool:
    """Whether a run in ``status`` may take ``step`` (``RUN_TRANSITIONS``)."""
    return status in RUN_TRANSITIONS[step].sources


def payment_can(status: PaymentStatus, step: PaymentStep) -> bool:
    """Whether a payment in ``status`` may take ``step`` (``PAYMENT_TRANSITIONS``)."""
    return status in PAYMENT_TRANSITIONS[step].sources


def guarded(table: Mapping[K, Transition[S]], step: K, what: str, object_id: str,
            expected: S | None = None) -> Transition[S]:
    """The sources and target of ``step`` for a guarded update, read from ``table``; ``expected`` narrows the
    sources to the one state the caller read (it must be one of them, else ``illegal_transition``)."""
    move = table[step]
    if expected is None:
        return move
    if expected not in move.sources:
        raise IllegalTransition(what, object_id, str(expected), str(move.target))
    return Transition(frozenset({expected}), move.target)


# --- derived ids ----------------------------------------------------------------------------------------


def _ulid_of(prefixed_id: str) -> ULID:
    return ULID.from_str(prefixed_id.split("_", 1)[1])


def derived_ulid(parent_id: str, purpose: str) -> str:
    """A ULID with the parent's timestamp and randomness from SHA-256(parent, purpose): stable across retries."""
    stamp = _ulid_of(parent_id).bytes[:6]
    digest = hashlib.sha256(f"{parent_id}\x1f{purpose}".encode()).digest()
    return str(ULID.from_bytes(stamp + digest[:10]))


def new_run_id() -> str:
    return f"run_{ULID()}"


def new_payment_id() -> str:
    return f"pay_{ULID()}"


def submission_id_for(run_id: str) -> str:
    """One submission per run; the rail deduplicates on it."""
    return f"sub_{derived_ulid(run_id, 'submission')}"


def entry_id_for(payment_id: str, code: str) -> str:
    """The journal entry of ``code`` for this payment: posting it twice is a replay, not a second entry."""
    return f"je_{derived_ulid(payment_id, code)}"


def trace_numbers(payment_ids: Iterable[str], odfi_id: str) -> dict[str, str]:
    """A 15-digit trace per payment: the ODFI's 8 digits and 7 derived from the payment id.

    Collisions inside one file are resolved by probing upward in payment-id order, so the same set of
    payments always gets the same traces. Callers store the result and reuse it on resubmission.
    """
    if len(odfi_id) != 8 or not odfi_id.isdigit():
        raise ValueError("odfi_id must be 8 digits")
    used: set[int] = set()
    out: dict[str, str] = {}
    for pid in sorted(set(payment_ids)):
        seq = int.from_bytes(hashlib.sha256(pid.encode()).digest()[:8], "big") % 9_999_999 + 1
        while seq in used:
            seq = seq % 9_999_999 + 1
        used.add(seq)
        out[pid] = f"{odfi_id}{seq:07d}"
    return out


# --- release ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    releasers: tuple[str, ...]
    required: int

    @property
    def complete(self) -> bool:
        return len(self.releasers) >= self.required


def releases_required(total_minor: int, threshold_minor: int) -> int:
    """Large runs (above the policy threshold) need two distinct treasurers."""
    return 2 if total_minor > threshold_minor else 1


def decide_release(principal: Principal, *, run_id: str, created_by: str | None, items: Sequence[RunItem],
                   prior_releasers: Sequence[str], required: int,
                   restraints: Iterable[BankChangeRestraint] = (), now: dt.datetime) -> ReleaseDecision:
    """Add the principal's release, or raise why not (role, approver of a paid invoice, bank change, repeat)."""
    check_can_release_run(principal, items, restraints=restraints, now=now)
    if created_by is not None and principal.user_id == created_by:
        raise RunCreatorCannotRelease(principal.user_id, run_id)
    if principal.user_id in prior_releasers:
        raise AlreadyReleasedBy(principal.user_id, run_id)
    if len(prior_releasers) >= required:
        raise AlreadyReleased(f"run {run_id} already has every release it needs")
    return ReleaseDecision((*prior_releasers, principal.user_id), required)


# --- ledger ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """The money of one invoice in a payment, with the fund (and expenditure account) it belongs to."""

    invoice_id: str
    amount_minor: int
    discount_minor: int
    interest_minor: int
    fund: str
    expenditure_account: str | None = None
    # A vendor credit the payment deducts: ``invoice_id`` is the credit memo's, ``amount_minor`` minus what it took,
    # ``receivable_minor`` the part of that taken from Vendor credits receivable rather than Vouchers payable.
    credit: bool = False
    receivable_minor: int = 0
    interest_rule: str | None = None  # the prompt-payment rule set its interest was computed under (issue 18)

    @property
    def paid_minor(self) -> int:
        return self.amount_minor - self.discount_minor + self.interest_minor


def _interest_refs(items: Sequence[LedgerItem]) -> tuple[dict[str, str], dict[str, object]]:
    """What an ``interest_owed`` entry says of its rules: the rule sets (references, to find the entries by) and,
    invoice by invoice, the interest and the rule it was computed under (data)."""
    owed = [i for i in items if i.interest_minor]
    rules = " ".join(sorted({i.interest_rule for i in owed if i.interest_rule}))
    data: dict[str, object] = {"interest": [{"invoice_id": i.invoice_id, "interest_minor": i.interest_minor,
                                             "rule": i.interest_rule or ""} for i in owed]}
    return ({"prompt_pay_rules": rules} if rules and len(rules) <= 128 else {}), data


def credit_items(credits: Iterable[CreditTaken]) -> list[LedgerItem]:
    """The credits a payment takes, as ledger items that net its amount (see ``sent_entries``)."""
    return [LedgerItem(c.credit_memo_id, -c.amount_minor, 0, 0, c.fund, credit=True, receivable_minor=c.receivable_minor)
            for c in credits]


def _receivable_legs(items: Iterable[LedgerItem], currency: str, *, taken: bool) -> list[Posting]:
    """A credit taken from Vendor credits receivable: Dr Vouchers payable, Cr the receivable (reversed when the
    payment comes back). With the netted payment_sent legs the liability leaves at what the invoices came to, less
    only the credit already off Vouchers payable."""
    per_fund = _per_fund((i for i in items if i.credit), lambda i: i.receivable_minor)
    legs: list[Posting] = []
    for fund, amount in per_fund.items():
        legs.append(Posting(f"{fund}-2010", Direction.DEBIT if taken else Direction.CREDIT, amount, currency))
        legs.append(Posting(vendor_credits_receivable(fund), Direction.CREDIT if taken else Direction.DEBIT, amount,
                            currency))
    return legs


def _per_fund(items: Iterable[LedgerItem], value: Callable[[LedgerItem], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for item in items:
        totals[item.fund] = totals.get(item.fund, 0) + value(item)
    return {k: v for k, v in sorted(totals.items()) if v}


def sent_entries(payment_id: str, run_id: str, currency: str, items: Sequence[LedgerItem],
                 effective_date: dt.date) -> list[EntryDraft]:
    """What the rail's acceptance posts (DESIGN.md §2): discounts taken, interest owed, then payment sent."""
    refs = {"payment_id": payment_id, "payment_run_id": run_id}
    drafts: list[EntryDraft] = []
    discounts = [i for i in items if i.discount_minor]
    if discounts:
        legs: list[Posting] = []
        for i in discounts:
            legs.append(Posting(f"{i.fund}-2010", Direction.DEBIT, i.discount_minor, currency))
            legs.append(Posting(i.expenditure_account or f"{i.fund}-5000", Direction.CREDIT, i.discount_minor, currency))
        drafts.append(EntryDraft(entry_id_for(payment_id, EntryCode.DISCOUNT_TAKEN.value), effective_date,
                                 EntryCode.DISCOUNT_TAKEN.value, tuple(legs), memo="early-payment discount taken",
                                 references=refs, data={"invoice_ids": [i.invoice_id for i in discounts]}))
    interest = _per_fund(items, lambda i: i.interest_minor)
    if interest:
        legs = []
        for fund, amount in interest.items():
            legs.append(Posting(f"{fund}-5900", Direction.DEBIT, amount, currency))
            legs.append(Posting(f"{fund}-2010", Direction.CREDIT, amount, currency))
        rule_refs, rule_data = _interest_refs(items)
        drafts.append(EntryDraft(entry_id_for(payment_id, EntryCode.INTEREST_OWED.value), effective_date,
                                 EntryCode.INTEREST_OWED.value, tuple(legs), memo="prompt-pay interest owed",
                                 references={**refs, **rule_refs}, data=rule_data))
    paid = _per_fund(items, lambda i: i.paid_minor)
    legs = _receivable_legs(items, currency, taken=True)
    for fund, amount in paid.items():
        legs.append(Posting(f"{fund}-2010", Direction.DEBIT, amount, currency))
        legs.append(Posting(f"{fund}-1050", Direction.CREDIT, amount, currency))
    if legs:
        data: dict[str, object] = {"invoice_ids": [i.invoice_id for i in items if not i.credit]}
        if any(i.credit for i in items):
            data["credit_memo_ids"] = [i.invoice_id for i in items if i.credit]
        drafts.append(EntryDraft(entry_id_for(payment_id, EntryCode.PAYMENT_SENT.value), effective_date,
                                 EntryCode.PAYMENT_SENT.value, tuple(legs), memo="payment accepted by the rail",
                                 references=refs, data=data))
    return drafts


def returned_entry(payment_id: str, currency: str, items: Sequence[LedgerItem], effective_date: dt.date, *,
                   settled: bool, reason_code: str, cash: str = "1010") -> EntryDraft | None:
    """A return puts the liability back: Cash (or Disbursements in transit if unsettled) against Vouchers payable."""
    paid = _per_fund(items, lambda i: i.paid_minor)
    legs = _receivable_legs(items, currency, taken=False)
    if not paid and not legs:
        return None
    for fund, amount in paid.items():
        # Back into the Cash of the bank account the payment left (``cash``), or in transit if it never settled.
        legs.append(Posting(f"{fund}-{cash if settled else '1050'}", Direction.DEBIT, amount, currency))
        legs.append(Posting(f"{fund}-2010", Direction.CREDIT, amount, currency))
    return EntryDraft(entry_id_for(payment_id, EntryCode.PAYMENT_RETURNED.value), effective_date,
                      EntryCode.PAYMENT_RETURNED.value, tuple(legs), memo=f"payment returned {reason_code}",
                      references={"payment_id": payment_id}, data={"reason_code": reason_code})
