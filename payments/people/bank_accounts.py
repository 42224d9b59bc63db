"""Vendor bank accounts: routing-number checks, masking, and the change-request state machine.

A changed bank account is the classic way to steal a payment, so a change goes
``requested → callback_recorded → cooling_off → prenote_pending → active``: someone other than the requester
calls the vendor back on the phone number that was on file *before* the request, a second person approves, the
vendor's previous contact is told, and no payment goes to the new account until the cooling-off period is over
and a prenote has cleared. It may be ``rejected`` before it is active and ``blocked`` at any time.

The full account number never lives on these records: the caller encrypts it with the field cipher and keeps
only the mask (last four) and the fingerprint here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from payments.controls import BankChangeRestraint, SelfApprovalForbidden, SeparationOfDutiesViolation
from payments.errors import Conflict, Forbidden, InvalidInput, InvalidPolicy, ReasonRequired
from payments.identity import Action, Principal, authorize, authorize_for_vendor

BANK_ACCOUNT_UNVERIFIED = "bank_account_unverified"
"""The hold a payment gets when its vendor's bank account is not active."""

_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
# First two digits: 00 U.S. Government, 01–12 Federal Reserve districts, 21–32 thrift institutions,
# 61–72 electronic transactions, 80 traveler's cheques. Anything else is a typo or an invention.
_ROUTING_PREFIXES = frozenset(range(0, 13)) | frozenset(range(21, 33)) | frozenset(range(61, 73)) | {80}
_ACCOUNT_SEPARATORS = re.compile(r"[\s-]")


class DepositAccountType(StrEnum):
    """The kind of deposit account, which picks the ACH transaction code."""

    CHECKING = "checking"
    """A demand-deposit (checking) account."""
    SAVINGS = "savings"
    """A savings account."""


class BankChangeStatus(StrEnum):
    """Where a bank-account change request stands."""

    REQUESTED = "requested"
    """Entered by staff or the vendor; nobody has called back yet."""
    CALLBACK_RECORDED = "callback_recorded"
    """A different person confirmed it by calling the number already on file."""
    COOLING_OFF = "cooling_off"
    """Approved by a second person; waiting out the cooling-off period before any payment."""
    PRENOTE_PENDING = "prenote_pending"
    """A zero-dollar prenote has been sent; waiting to see it is not returned."""
    ACTIVE = "active"
    """Payments may go to this account."""
    REJECTED = "rejected"
    """Not going ahead: a failed call-back, a returned prenote, or a person's decision."""
    BLOCKED = "blocked"
    """Frozen on suspicion of fraud; no payment goes to it."""


class CallbackOutcome(StrEnum):
    """What the call to the vendor's number on file established."""

    CONFIRMED = "confirmed"
    """The vendor's known contact confirmed they asked for this change."""
    DENIED = "denied"
    """The vendor's known contact said they did not ask for this change."""
    UNREACHABLE = "unreachable"
    """Nobody who could confirm was reached."""


_TERMINAL = frozenset({BankChangeStatus.REJECTED, BankChangeStatus.BLOCKED})


class RoutingNumberInvalid(InvalidInput):
    """Not a nine-digit ABA routing number with a valid prefix and check digit."""

    code = "routing_number_invalid"

    def __init__(self, routing_number: str, why: str) -> None:
        super().__init__(f"routing number is invalid: {why}", why=why)


class AccountNumberInvalid(InvalidInput):
    """Not 4 to 17 digits."""

    code = "account_number_invalid"

    def __init__(self, why: str) -> None:
        super().__init__(f"account number is invalid: {why}", why=why)


class NoPhoneOnFile(InvalidInput):
    """The vendor has no phone number on file to call back, so a change cannot be verified."""

    code = "no_phone_on_file"

    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendor {vendor_id} has no phone number on file to call back", vendor_id=vendor_id)


class BankChangeWrongState(Conflict):
    """The change request is not in a state that allows this step."""

    code = "bank_change_wrong_state"

    def __init__(self, change_id: str, status: BankChangeStatus, step: str) -> None:
        super().__init__(f"bank change {change_id} is {status.value}; cannot {step}",
                         change_id=change_id, status=status.value, step=step)


class CallbackRequired(BankChangeWrongState):
    """Approval was attempted before a successful call-back was recorded."""

    code = "callback_required"


class CallbackByRequester(SeparationOfDutiesViolation):
    """The person who requested the change tried to record its call-back."""

    code = "callback_by_requester"

    def __init__(self, user_id: str, change_id: str) -> None:
        super().__init__(f"user {user_id} requested bank change {change_id}; someone else must call back",
                         user_id=user_id, change_id=change_id)


class CallbackNumberNotOnFile(Forbidden):
    """The call-back went to a number other than the one on file before the request."""

    code = "callback_number_not_on_file"

    def __init__(self, change_id: str) -> None:
        super().__init__(f"the call-back for bank change {change_id} must go to the phone number already on file",
                         change_id=change_id)


class ApproverMadeCallback(SeparationOfDutiesViolation):
    """The person who made the call-back tried to approve too; approval needs a third pair of eyes."""

    code = "approver_made_callback"

    def __init__(self, user_id: str, change_id: str) -> None:
        super().__init__(f"user {user_id} made the call-back for bank change {change_id} and may not approve it",
                         user_id=user_id, change_id=change_id)


class CoolingOffNotOver(Forbidden):
    """The cooling-off period after approval has not ended (same code, and so status, as the controls' refusal)."""

    code = "bank_change_cooling_off"

    def __init__(self, change_id: str, until: datetime) -> None:
        super().__init__(f"bank change {change_id} is cooling off until {until.isoformat()}",
                         change_id=change_id, until=until.isoformat())


class PrenoteNotCleared(Conflict):
    """The prenote has not had time to come back returned."""

    code = "prenote_pending"

    def __init__(self, change_id: str, until: datetime) -> None:
        super().__init__(f"bank change {change_id} waits for its prenote until {until.isoformat()}",
                         change_id=change_id, until=until.isoformat())


def validate_routing_number(routing_number: str) -> str:
    """Return the nine digits, or raise ``routing_number_invalid``."""
    digits = routing_number.strip()
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise RoutingNumberInvalid(routing_number, "it must be exactly nine digits")
    if int(digits[:2]) not in _ROUTING_PREFIXES:
        raise RoutingNumberInvalid(routing_number, f"prefix {digits[:2]} is not assigned")
    if digits == "000000000" or sum(w * int(d) for w, d in zip(_ROUTING_WEIGHTS, digits)) % 10:
        raise RoutingNumberInvalid(routing_number, "the check digit does not match")
    return digits


def is_valid_routing_number(routing_number: str) -> bool:
    try:
        validate_routing_number(routing_number)
    except RoutingNumberInvalid:
        return False
    return True


def normalize_account_number(account_number: str) -> str:
    """Strip spaces and hyphens; return 4 to 17 ASCII digits or raise ``account_number_invalid``."""
    digits = _ACCOUNT_SEPARATORS.sub("", account_number)
    if not digits.isascii() or not digits.isdigit():
        raise AccountNumberInvalid("only digits, spaces and hyphens are allowed")
    if not 4 <= len(digits) <= 17:
        raise AccountNumberInvalid("it must have 4 to 17 digits")
    if digits.strip("0") == "":
        raise AccountNumberInvalid("a number of only zeros is no account")
    return digits


def mask_account_number(account_number: str) -> str:
    """``****6789``: the last four only, and never the length, which narrows a guess."""
    digits = _ACCOUNT_SEPARATORS.sub("", account_number)
    return "****" + (digits[-4:] if len(digits) > 4 else "")


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    # +1 (555) 010-0000 and 555-010-0000 are the same North American number.
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


@dataclass(frozen=True, slots=True)
class BankChangePolicy:
    """How long a new account waits: cooling off after approval, then a prenote's return window."""

    cooling_off_days: int = 10
    # Calendar days as a floor; the service may also wait for settlement on the business-day calendar.
    prenote_wait_days: int = 3

    def __post_init__(self) -> None:
        if self.cooling_off_days < 0 or self.prenote_wait_days < 0:
            raise InvalidPolicy("bank-change waiting periods cannot be negative")


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """Who called the vendor back, when, on which number, and what they heard."""

    called_by: str
    called_at: datetime
    number_called: str
    outcome: CallbackOutcome
    note: str = ""


@dataclass(frozen=True, slots=True)
class BankAccountChange:
    """One request to pay a vendor at a new bank account, and every step it has taken."""

    change_id: str
    vendor_id: str
    routing_number: str
    account_type: DepositAccountType
    account_mask: str
    phone_on_file: str
    requested_by: str
    requested_at: datetime
    status: BankChangeStatus = BankChangeStatus.REQUESTED
    account_fingerprint: str | None = None
    callback: CallbackRecord | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    cooling_off_until: datetime | None = None
    prenote_sent_at: datetime | None = None
    activated_at: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status is BankChangeStatus.ACTIVE

    def _require(self, step: str, *allowed: BankChangeStatus) -> None:
        if self.status not in allowed:
            raise BankChangeWrongState(self.change_id, self.status, step)

    def record_callback(self, principal: Principal, *, number_called: str, outcome: CallbackOutcome,
                        now: datetime, note: str = "") -> BankAccountChange:
        """Record the call-back; anything but ``confirmed`` rejects the request."""
        authorize(principal, Action.BANK_ACCOUNT_CALLBACK)
        self._require("record a call-back", BankChangeStatus.REQUESTED)
        if principal.user_id == self.requested_by:
            raise CallbackByRequester(principal.user_id, self.change_id)
        if _phone_digits(number_called) != _phone_digits(self.phone_on_file):
            raise CallbackNumberNotOnFile(self.change_id)
        record = CallbackRecord(principal.user_id, now, number_called, CallbackOutcome(outcome), note)
        if record.outcome is not CallbackOutcome.CONFIRMED:
            return replace(self, callback=record, status=BankChangeStatus.REJECTED, closed_by=principal.user_id,
                           closed_at=now, close_reason=f"callback_{record.outcome.value}")
        return replace(self, callback=record, status=BankChangeStatus.CALLBACK_RECORDED)

    def approve(self, principal: Principal, *, now: datetime,
                policy: BankChangePolicy = BankChangePolicy()) -> BankAccountChange:
        """A third person approves; the cooling-off period starts now."""
        authorize(principal, Action.BANK_ACCOUNT_APPROVE)
        if self.status is BankChangeStatus.REQUESTED:
            raise CallbackRequired(self.change_id, self.status, "approve before a confirmed call-back")
        self._require("approve", BankChangeStatus.CALLBACK_RECORDED)
        if principal.user_id == self.requested_by:
            raise SelfApprovalForbidden(principal.user_id, f"bank change {self.change_id}")
        if self.callback is not None and principal.user_id == self.callback.called_by:
            raise ApproverMadeCallback(principal.user_id, self.change_id)
        return replace(self, status=BankChangeStatus.COOLING_OFF, approved_by=principal.user_id, approved_at=now,
                       cooling_off_until=now + timedelta(days=policy.cooling_off_days))

    def send_prenote(self, *, now: datetime) -> BankAccountChange:
        """Mark the prenote sent; refused with ``bank_change_cooling_off`` until the period is over."""
        self._require("send a prenote", BankChangeStatus.COOLING_OFF)
        if self.cooling_off_until is None:
            raise BankChangeWrongState(self.change_id, self.status, "send a prenote without a cooling-off end")
        if now < self.cooling_off_until:
            raise CoolingOffNotOver(self.change_id, self.cooling_off_until)
        return replace(self, status=BankChangeStatus.PRENOTE_PENDING, prenote_sent_at=now)

    def activate(self, *, now: datetime, policy: BankChangePolicy = BankChangePolicy()) -> BankAccountChange:
        """The prenote was not returned in time: payments may now go to this account."""
        self._require("activate", BankChangeStatus.PRENOTE_PENDING)
        if self.prenote_sent_at is None:
            raise BankChangeWrongState(self.change_id, self.status, "activate without a prenote sent")
        cleared_at = self.prenote_sent_at + timedelta(days=policy.prenote_wait_days)
        if now < cleared_at:
            raise PrenoteNotCleared(self.change_id, cleared_at)
        return replace(self, status=BankChangeStatus.ACTIVE, activated_at=now)

    def prenote_returned(self, *, return_code: str, now: datetime) -> BankAccountChange:
        """The bank returned the prenote (say R03, no such account): the change is rejected."""
        self._require("take a prenote return", BankChangeStatus.PRENOTE_PENDING)
        return replace(self, status=BankChangeStatus.REJECTED, closed_at=now,
                       close_reason=f"prenote_returned_{return_code.strip().upper()}")

    def reject(self, principal: Principal, *, reason: str, now: datetime) -> BankAccountChange:
        """Stop a change that is not yet active (for example when the previous contact objects)."""
        authorize(principal, Action.BANK_ACCOUNT_APPROVE)
        self._require("reject", BankChangeStatus.REQUESTED, BankChangeStatus.CALLBACK_RECORDED,
                      BankChangeStatus.COOLING_OFF, BankChangeStatus.PRENOTE_PENDING)
        return self._close(BankChangeStatus.REJECTED, principal, reason, now)

    def block(self, principal: Principal, *, reason: str, now: datetime) -> BankAccountChange:
        """Freeze the account on suspicion of fraud, even after it became active."""
        authorize(principal, Action.BANK_ACCOUNT_APPROVE)
        if self.status in _TERMINAL:
            raise BankChangeWrongState(self.change_id, self.status, "block")
        return self._close(BankChangeStatus.BLOCKED, principal, reason, now)

    def _close(self, status: BankChangeStatus, principal: Principal, reason: str, now: datetime) -> BankAccountChange:
        if not reason.strip():
            raise ReasonRequired("rejecting or blocking a bank change needs a reason")
        return replace(self, status=status, closed_by=principal.user_id, closed_at=now, close_reason=reason.strip())

    def restraint(self, *, now: datetime, policy: BankChangePolicy = BankChangePolicy()) -> BankChangeRestraint:
        """Who changed the account, and until when they may not approve or release this vendor's payments.

        It starts at the request, not at the approval: whoever asks to redirect a vendor's money must not also
        approve its invoices while the request is pending. Approved, it runs to the end of the cooling-off; still
        open, at least the policy's cooling-off from now (it has not begun); closed before approval, the
        cooling-off counted from the request.
        """
        who = frozenset(p for p in (self.requested_by, self.approved_by) if p)
        if self.cooling_off_until is not None:
            until = self.cooling_off_until
        elif self.status in _TERMINAL:
            until = self.requested_at + timedelta(days=policy.cooling_off_days)
        else:
            until = now + timedelta(days=policy.cooling_off_days)
        return BankChangeRestraint(self.vendor_id, who, until)


def request_change(principal: Principal, *, change_id: str, vendor_id: str, routing_number: str,
                   account_number: str, account_type: DepositAccountType, phone_on_file: str | None, now: datetime,
                   account_fingerprint: str | None = None) -> BankAccountChange:
    """Open a change request, from the vendor's portal or by a vendor admin on its behalf.

    ``phone_on_file`` is the vendor's number as it stood *before* this request; a request can never supply the
    number it will be verified on.
    """
    if principal.is_vendor:
        authorize_for_vendor(principal, Action.PORTAL_REQUEST_BANK_CHANGE, vendor_id)
    else:
        authorize(principal, Action.BANK_ACCOUNT_REQUEST)
    routing = validate_routing_number(routing_number)
    digits = normalize_account_number(account_number)
    if not phone_on_file or not _phone_digits(phone_on_file):
        raise NoPhoneOnFile(vendor_id)
    return BankAccountChange(
        change_id=change_id, vendor_id=vendor_id, routing_number=routing, account_type=DepositAccountType(account_type),
        account_mask=mask_account_number(digits), phone_on_file=phone_on_file, requested_by=principal.user_id,
        requested_at=now, account_fingerprint=account_fingerprint,
    )


def payment_hold(account: BankAccountChange | None) -> str | None:
    """``bank_account_unverified`` unless the vendor's account is active; ``None`` when it may be paid."""
    return None if account is not None and account.is_active else BANK_ACCOUNT_UNVERIFIED


def payment_hold_for(vendor_id: str, account: BankAccountChange | None) -> str | None:
    """As ``payment_hold``, and an account that belongs to another vendor is no account at all."""
    if account is not None and account.vendor_id != vendor_id:
        return BANK_ACCOUNT_UNVERIFIED
    return payment_hold(account)
