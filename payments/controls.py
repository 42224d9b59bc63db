"""Separation of duties and approval thresholds, as pure checks.

The authorization table (``payments.identity``) says whether a role may ever approve; these checks say whether
*this* person may approve *this* invoice now. Each refusal is a ``Forbidden`` (or ``Conflict``/``InvalidInput``)
with a stable code the HTTP layer maps to a status. Nothing here reads a clock or a database: callers pass
``now`` and the facts (who entered the invoice, who approved it, which bank changes are cooling off).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from payments.errors import Conflict, Forbidden, InvalidInput, InvalidPolicy
from payments.identity import Action, Principal, Role, authorize


class SeparationOfDutiesViolation(Forbidden):
    """The caller may hold the role, but not for this object: someone else must do it."""

    code = "separation_of_duties"


class SelfApprovalForbidden(SeparationOfDutiesViolation):
    """The approver entered or last changed the document (or requested the change) being approved."""

    code = "self_approval_forbidden"

    def __init__(self, user_id: str, document: str) -> None:
        super().__init__(f"user {user_id} entered or last changed {document} and may not approve it",
                         user_id=user_id, document=document)


class SameApproverTwice(SeparationOfDutiesViolation):
    """The second approval came from the person who gave the first."""

    code = "same_approver_twice"

    def __init__(self, user_id: str, document: str) -> None:
        super().__init__(f"user {user_id} already approved {document}; a second, different approver is needed",
                         user_id=user_id, document=document)


class ApproverCannotRelease(SeparationOfDutiesViolation):
    """The releaser approved an invoice the payment run pays."""

    code = "approver_cannot_release"

    def __init__(self, user_id: str, invoice_ids: Iterable[str]) -> None:
        ids = sorted(invoice_ids)
        super().__init__(f"user {user_id} approved {', '.join(ids)} and may not release the run that pays them",
                         user_id=user_id, invoice_ids=ids)


class BankChangeCoolingOff(SeparationOfDutiesViolation):
    """The caller changed the vendor's bank account and its cooling-off period has not ended."""

    code = "bank_change_cooling_off"

    def __init__(self, user_id: str, vendor_id: str, until: datetime) -> None:
        super().__init__(
            f"user {user_id} changed vendor {vendor_id}'s bank account and may not approve or release its "
            f"payments before {until.isoformat()}",
            user_id=user_id, vendor_id=vendor_id, until=until.isoformat(),
        )


class SecondApproverRequired(Forbidden):
    """The amount is above the two-approver threshold and only one approval is recorded."""

    code = "second_approver_required"

    def __init__(self, document: str, amount_minor: int, currency: str, threshold_minor: int) -> None:
        super().__init__(
            f"{document} for {amount_minor} {currency} (minor units) is above the threshold of "
            f"{threshold_minor} and needs a second, distinct approver",
            document=document, amount_minor=amount_minor, currency=currency, threshold_minor=threshold_minor,
        )


class ApprovalRequired(Forbidden):
    """No approval is recorded yet."""

    code = "approval_required"

    def __init__(self, document: str) -> None:
        super().__init__(f"{document} has not been approved", document=document)


class AlreadyFullyApproved(Conflict):
    """Every approval the policy asks for is already recorded."""

    code = "already_fully_approved"

    def __init__(self, document: str) -> None:
        super().__init__(f"{document} already has every approval it needs", document=document)


class HoldReleaseForbidden(Forbidden):
    """Only an ``ap_approver`` may release a matching hold by hand."""

    code = "hold_release_requires_approver"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} is not an ap_approver and may not release a hold", user_id=user_id)


class SelfReleaseForbidden(SeparationOfDutiesViolation):
    """The person who entered or last changed an invoice tried to release its hold or override its duplicate
    signal: the control would be waived by the very person it checks."""

    code = "self_release_forbidden"

    def __init__(self, user_id: str, document: str) -> None:
        super().__init__(f"user {user_id} entered or last changed {document} and may not release its holds",
                         user_id=user_id, document=document)


class HoldReleaseReasonRequired(InvalidInput):
    """A hold released by hand needs a reason someone can read later."""

    code = "hold_release_reason_required"

    def __init__(self) -> None:
        super().__init__("releasing a hold by hand needs a reason")


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """Above ``thresholds_minor[currency]`` two distinct approvers are needed; at or below it, one, unless the
    invoice is split suspected (``payments.ap.split_purchases``: a vendor's invoices dated within
    ``split_window_days`` of each other that together cross the threshold)."""

    thresholds_minor: Mapping[str, int] = field(default_factory=dict)
    split_window_days: int = 30

    def __post_init__(self) -> None:
        for currency, threshold in self.thresholds_minor.items():
            if threshold < 0:
                raise InvalidPolicy(f"approval threshold for {currency} is negative")
        if self.split_window_days < 0:
            raise InvalidPolicy("the split-purchase window cannot be negative")
        object.__setattr__(self, "thresholds_minor", MappingProxyType(dict(self.thresholds_minor)))

    def approvals_required(self, amount_minor: int, currency: str) -> int:
        threshold = self.thresholds_minor.get(currency)
        # A currency the policy never priced fails closed: two approvers rather than one.
        if threshold is None or amount_minor > threshold:
            return 2
        return 1

    def threshold_minor(self, currency: str) -> int:
        return self.thresholds_minor.get(currency, 0)


@dataclass(frozen=True, slots=True)
class Approval:
    """One person's recorded approval of a document."""

    approver_id: str
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class InvoiceForApproval:
    """The facts about an invoice that the approval checks need."""

    invoice_id: str
    vendor_id: str
    amount_minor: int
    currency: str
    entered_by: str
    last_changed_by: str | None = None
    # The invoice service must clear approvals when the invoice changes; these are approvals of this version.
    approvals: tuple[Approval, ...] = ()
    # Part of a suspected split purchase: it needs the second approver its parts would otherwise avoid.
    split_suspected: bool = False

    @property
    def approver_ids(self) -> frozenset[str]:
        return frozenset(a.approver_id for a in self.approvals)

    def approvals_required(self, policy: ApprovalPolicy) -> int:
        return max(policy.approvals_required(self.amount_minor, self.currency), 2 if self.split_suspected else 1)


@dataclass(frozen=True, slots=True)
class BankChangeRestraint:
    """Who changed a vendor's bank account, and until when they may not approve or release its payments."""

    vendor_id: str
    changed_by: frozenset[str]
    cooling_off_until: datetime

    def restrains(self, user_id: str, vendor_id: str, now: datetime) -> bool:
        return vendor_id == self.vendor_id and user_id in self.changed_by and now < self.cooling_off_until


@dataclass(frozen=True, slots=True)
class RunItem:
    """One invoice a payment run pays, with who approved it."""

    invoice_id: str
    vendor_id: str
    approver_ids: frozenset[str]


def check_not_own_work(principal: Principal, *, document: str, entered_by: str,
                       last_changed_by: str | None = None) -> None:
    """Refuse ``self_approval_forbidden`` if the principal entered or last changed the document."""
    if principal.user_id in {entered_by, last_changed_by}:
        raise SelfApprovalForbidden(principal.user_id, document)


def check_bank_change_restraints(principal: Principal, vendor_id: str,
                                 restraints: Iterable[BankChangeRestraint], now: datetime) -> None:
    """Refuse ``bank_change_cooling_off`` if the principal changed this vendor's bank account recently."""
    for restraint in restraints:
        if restraint.restrains(principal.user_id, vendor_id, now):
            raise BankChangeCoolingOff(principal.user_id, vendor_id, restraint.cooling_off_until)


def check_can_approve_invoice(principal: Principal, invoice: InvoiceForApproval, *, policy: ApprovalPolicy,
                              restraints: Iterable[BankChangeRestraint] = (), now: datetime) -> None:
    """Every reason this principal may not add an approval to this invoice now, first one raised."""
    authorize(principal, Action.INVOICE_APPROVE)
    document = f"invoice {invoice.invoice_id}"
    check_not_own_work(principal, document=document, entered_by=invoice.entered_by,
                       last_changed_by=invoice.last_changed_by)
    if principal.user_id in invoice.approver_ids:
        raise SameApproverTwice(principal.user_id, document)
    if len(invoice.approver_ids) >= invoice.approvals_required(policy):
        raise AlreadyFullyApproved(document)
    check_bank_change_restraints(principal, invoice.vendor_id, restraints, now)


def approve_invoice(principal: Principal, invoice: InvoiceForApproval, *, policy: ApprovalPolicy,
                    restraints: Iterable[BankChangeRestraint] = (), now: datetime) -> InvoiceForApproval:
    """Record the principal's approval, or raise why not. Returns the invoice with the approval appended."""
    check_can_approve_invoice(principal, invoice, policy=policy, restraints=restraints, now=now)
    return replace(invoice, approvals=(*invoice.approvals, Approval(principal.user_id, now)))


def is_fully_approved(invoice: InvoiceForApproval, policy: ApprovalPolicy) -> bool:
    return len(invoice.approver_ids) >= invoice.approvals_required(policy)


def require_fully_approved(invoice: InvoiceForApproval, policy: ApprovalPolicy) -> None:
    """Raise ``approval_required`` or ``second_approver_required`` unless enough distinct people approved."""
    document = f"invoice {invoice.invoice_id}"
    distinct = len(invoice.approver_ids)
    if distinct == 0:
        raise ApprovalRequired(document)
    if distinct < invoice.approvals_required(policy):
        raise SecondApproverRequired(document, invoice.amount_minor, invoice.currency,
                                     policy.threshold_minor(invoice.currency))


def check_can_release_run(principal: Principal, items: Iterable[RunItem], *,
                          restraints: Iterable[BankChangeRestraint] = (), now: datetime) -> None:
    """The releaser holds the role, approved none of the run's invoices, and changed none of its vendors' banks."""
    authorize(principal, Action.PAYMENT_RUN_RELEASE)
    items = tuple(items)
    approved_by_releaser = [item.invoice_id for item in items if principal.user_id in item.approver_ids]
    if approved_by_releaser:
        raise ApproverCannotRelease(principal.user_id, approved_by_releaser)
    restraints = tuple(restraints)
    for vendor_id in sorted({item.vendor_id for item in items}):
        check_bank_change_restraints(principal, vendor_id, restraints, now)


def check_can_release_hold(principal: Principal, *, reason: str | None, document: str = "",
                           entered_by: str = "", last_changed_by: str | None = None) -> str:
    """An ``ap_approver`` with a non-blank reason, who neither entered nor last changed the document, may release
    its hold (or override its duplicate signal); returns the reason, trimmed."""
    # Checked by role as well as by action so that widening the table by mistake cannot widen this rule.
    if not principal.has_role(Role.AP_APPROVER):
        raise HoldReleaseForbidden(principal.user_id)
    authorize(principal, Action.INVOICE_RELEASE_HOLD)
    if principal.user_id in {entered_by, last_changed_by}:
        raise SelfReleaseForbidden(principal.user_id, document)
    trimmed = (reason or "").strip()
    if not trimmed:
        raise HoldReleaseReasonRequired()
    return trimmed
