"""A vendor's contact on file changes under control, because it is what every bank-account change is verified on.

A thief who can swap the phone number first can then "confirm" his own bank change on it, and be told of it
instead of the vendor. So:

* the first contact a vendor has is set at once (there is nobody to ask); every later change is *requested* and
  takes effect only when a second person approves it (``requested → approved``, or ``rejected``);
* approving it tells the *previous* contact (an outbox notice), and starts its own cooling-off;
* while a change cools off, call-backs and bank-change notices still go to the contact that was on file before it
  (``verification_contact``): with several changes in the window, the one before the earliest of them;
* a bank change requested while a contact change was pending or cooling off waits for it
  (``verification_wait``): it cannot be called back until the contact change has been decided and cooled off.

Pure rules: callers pass the history and ``now``.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from payments.controls import SelfApprovalForbidden
from payments.errors import Conflict, InvalidPolicy, NotFound, ReasonRequired
from payments.identity import Action, Principal, authorize
from payments.people.bank_account_records import VendorContact


class ContactChangeStatus(StrEnum):
    """Where a change of a vendor's contact on file stands."""

    REQUESTED = "requested"
    """Asked for; the contact on file is unchanged until a second person approves."""
    APPROVED = "approved"
    """On file; the previous contact was told; cooling off until ``cooling_off_until``."""
    REJECTED = "rejected"
    """Not going ahead."""


@dataclass(frozen=True, slots=True)
class ContactChangePolicy:
    """How long a new contact cools off before call-backs and notices may use it."""

    cooling_off_days: int = 10

    def __post_init__(self) -> None:
        if self.cooling_off_days < 0:
            raise InvalidPolicy("the contact-change cooling-off cannot be negative")


class ContactChangeNotFound(NotFound):
    code = "contact_change_not_found"

    def __init__(self, change_id: str) -> None:
        super().__init__(f"contact change {change_id} does not exist", change_id=change_id)


class ContactChangeWrongState(Conflict):
    code = "contact_change_wrong_state"

    def __init__(self, change_id: str, status: ContactChangeStatus, step: str) -> None:
        super().__init__(f"contact change {change_id} is {status.value}; cannot {step}", change_id=change_id,
                         status=status.value)


class ContactChangePending(Conflict):
    """A bank change cannot be called back while a contact change made before it is undecided."""

    code = "contact_change_pending"

    def __init__(self, vendor_id: str, contact_change_id: str) -> None:
        super().__init__(f"vendor {vendor_id}'s contact change {contact_change_id} is waiting for approval; the "
                         f"bank change waits for it", vendor_id=vendor_id, contact_change_id=contact_change_id)


class ContactChangeCoolingOff(Conflict):
    """A bank change requested during a contact change's cooling-off waits until it is over."""

    code = "contact_change_cooling_off"

    def __init__(self, vendor_id: str, contact_change_id: str, until: datetime) -> None:
        super().__init__(f"vendor {vendor_id}'s contact changed (contact change {contact_change_id}) and cools off "
                         f"until {until.isoformat()}; the bank change waits for it", vendor_id=vendor_id,
                         contact_change_id=contact_change_id, until=until.isoformat())


@dataclass(frozen=True, slots=True)
class ContactChange:
    """One request to change a vendor's contact on file, with the contact it replaces."""

    change_id: str
    vendor_id: str
    phone: str
    email: str | None
    name: str | None
    previous: VendorContact
    requested_by: str
    requested_at: datetime
    status: ContactChangeStatus = ContactChangeStatus.REQUESTED
    approved_by: str | None = None
    approved_at: datetime | None = None
    cooling_off_until: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None

    def approve(self, principal: Principal, *, now: datetime, policy: ContactChangePolicy) -> ContactChange:
        """A second person approves: the new contact is on file from now, cooling off for the policy's days."""
        authorize(principal, Action.VENDOR_CONTACT_APPROVE)
        if self.status is not ContactChangeStatus.REQUESTED:
            raise ContactChangeWrongState(self.change_id, self.status, "approve")
        if principal.user_id == self.requested_by:
            raise SelfApprovalForbidden(principal.user_id, f"contact change {self.change_id}")
        return replace(self, status=ContactChangeStatus.APPROVED, approved_by=principal.user_id, approved_at=now,
                       cooling_off_until=now + timedelta(days=policy.cooling_off_days))

    def reject(self, principal: Principal, *, reason: str, now: datetime) -> ContactChange:
        authorize(principal, Action.VENDOR_CONTACT_APPROVE)
        if self.status is not ContactChangeStatus.REQUESTED:
            raise ContactChangeWrongState(self.change_id, self.status, "reject")
        if not reason.strip():
            raise ReasonRequired("rejecting a contact change needs a reason")
        return replace(self, status=ContactChangeStatus.REJECTED, closed_by=principal.user_id, closed_at=now,
                       close_reason=reason.strip()[:500])

    def contact(self) -> VendorContact:
        """The contact this change puts on file (stamped by whoever approved it)."""
        return VendorContact(self.vendor_id, self.phone, self.email, self.name,
                             self.approved_at or self.requested_at, self.approved_by or self.requested_by)

    def cools_at(self, at: datetime) -> bool:
        return (self.status is ContactChangeStatus.APPROVED and self.approved_at is not None
                and self.cooling_off_until is not None and self.approved_at <= at < self.cooling_off_until)

    def snapshot(self) -> dict[str, Any]:
        return {"change_id": self.change_id, "vendor_id": self.vendor_id, "phone": self.phone, "email": self.email,
                "name": self.name, "previous": self.previous.snapshot(), "status": self.status.value,
                "requested_by": self.requested_by, "approved_by": self.approved_by,
                "cooling_off_until": self.cooling_off_until.isoformat() if self.cooling_off_until else None,
                "closed_by": self.closed_by, "close_reason": self.close_reason}


def request_contact_change(principal: Principal, *, change_id: str, previous: VendorContact, phone: str,
                           email: str | None, name: str | None, now: datetime) -> ContactChange:
    """Open a change of the contact on file; nothing is on file until someone else approves it."""
    authorize(principal, Action.VENDOR_UPDATE)
    return ContactChange(change_id, previous.vendor_id, phone, email, name, previous, principal.user_id, now)


def _approved(changes: Iterable[ContactChange]) -> list[ContactChange]:
    done = [c for c in changes if c.status is ContactChangeStatus.APPROVED and c.approved_at is not None]
    return sorted(done, key=lambda c: (c.approved_at, c.change_id))


def verification_contact(current: VendorContact | None, changes: Sequence[ContactChange],
                         at: datetime) -> VendorContact | None:
    """The contact a call-back or a bank-change notice uses at ``at``.

    That is the contact on file at ``at``, unless contact changes were cooling off then: then the contact on file
    before the earliest of them, so that two quick changes cannot launder a number through the first.
    """
    approved = _approved(changes)
    cooling = [c for c in approved if c.cools_at(at)]
    if cooling:
        return cooling[0].previous
    later = [c for c in approved if (c.approved_at or at) > at]  # an approved change has its approval time
    return later[0].previous if later else current


def verification_wait(vendor_id: str, changes: Sequence[ContactChange], *, requested_at: datetime,
                      now: datetime) -> None:
    """Raise if a bank change requested at ``requested_at`` must still wait for a contact change, at ``now``.

    It waits for every contact change requested before it that is still undecided, or approved and cooling off.
    """
    for change in sorted(changes, key=lambda c: (c.requested_at, c.change_id)):
        if change.requested_at > requested_at or change.status is ContactChangeStatus.REJECTED:
            continue
        if change.status is ContactChangeStatus.REQUESTED:
            raise ContactChangePending(vendor_id, change.change_id)
        if change.cooling_off_until is not None and now < change.cooling_off_until:
            raise ContactChangeCoolingOff(vendor_id, change.change_id, change.cooling_off_until)
