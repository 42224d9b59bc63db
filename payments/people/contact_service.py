"""The contact on file, as use cases: set the first one, request a change, approve or reject it (a second
person), and, for the bank-account flow, which contact verifies a change and whether it must wait.

Each use case runs in one unit of work, writes its audit event in it, and commits once. The rules themselves are
in ``payments.people.contact_changes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from ulid import ULID

from payments.audit import AuditTrail
from payments.people.identity_ports import IdentityUnitOfWork
from payments.people.people_errors import PhoneInvalid
from payments.ports import UowFactory
from payments.identity import Action, Principal, authorize
from payments.notices import Channel, NoticeKind, OutboxMessage
from payments.people.bank_account_records import VendorContact
from payments.people.contact_changes import (ContactChange, ContactChangeNotFound, ContactChangePending,
                                             ContactChangePolicy, ContactChangeStatus, request_contact_change,
                                             verification_contact, verification_wait)
from payments.people.vendor_checks import require_vendor
from payments.ports import Clock


def _phone(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isascii() and ch.isdigit())
    if not 7 <= len(digits) <= 15:
        raise PhoneInvalid("a phone number on file needs 7 to 15 digits")
    return phone.strip()[:40]


def _notice_to(contact: VendorContact) -> tuple[Channel, str]:
    return (Channel.EMAIL, contact.email) if contact.email else (Channel.SMS, contact.phone)


class VendorContactService:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, clock: Clock,
                 policy: ContactChangePolicy = ContactChangePolicy()) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._clock = clock
        self.policy = policy

    @classmethod
    def from_policy(cls, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, clock: Clock,
                    bank_accounts: Mapping[str, Any]) -> VendorContactService:
        """Built from the policy's ``[bank_accounts]`` table: ``contact_cooling_off_days`` (default: the bank
        change's ``cooling_off_days``)."""
        days = bank_accounts.get("contact_cooling_off_days", bank_accounts.get("cooling_off_days", 10))
        return cls(uow_factory, audit, clock, ContactChangePolicy(cooling_off_days=int(days)))

    def set_contact(self, actor: Principal, vendor_id: str, *, phone: str, email: str | None = None,
                    name: str | None = None) -> VendorContact | ContactChange:
        """The first contact is on file at once; any later one is a change request another person decides.

        Staff only (``vendor.update``): a vendor cannot change the number its own changes are verified on.
        """
        authorize(actor, Action.VENDOR_UPDATE)
        now = self._clock.now()
        phone = _phone(phone)
        email, name = (email or "").strip()[:200] or None, (name or "").strip()[:200] or None
        with self._uow() as uow:
            require_vendor(uow, vendor_id)
            before = uow.vendor_contacts.get(vendor_id)
            if before is None:
                contact = VendorContact(vendor_id, phone, email, name, now, actor.user_id)
                uow.vendor_contacts.put(contact)
                self._audit.record(uow, actor, "vendor_contact_changed", vendor_id, None, contact.snapshot(),
                                   object_type="vendor", detail={"first_contact": True})
                uow.commit()
                return contact
            pending = [c for c in uow.vendor_contacts.changes_for_vendor(vendor_id)
                       if c.status is ContactChangeStatus.REQUESTED]
            if pending:
                raise ContactChangePending(vendor_id, pending[0].change_id)
            change = request_contact_change(actor, change_id=f"vcc_{ULID()}", previous=before, phone=phone,
                                            email=email, name=name, now=now)
            uow.vendor_contacts.add_change(change)
            self._audit.record(uow, actor, "vendor_contact_change_requested", change.change_id, None,
                               change.snapshot(), object_type="vendor_contact_change",
                               detail={"vendor_id": vendor_id})
            uow.commit()
        return change

    def approve(self, actor: Principal, change_id: str) -> ContactChange:
        """A second person approves: the new contact goes on file and the previous one is told."""
        now = self._clock.now()
        with self._uow() as uow:
            before = self._load(uow, change_id)
            after = before.approve(actor, now=now, policy=self.policy)
            uow.vendor_contacts.save_change(after, expected=before.status)
            uow.vendor_contacts.put(after.contact())
            channel, recipient = _notice_to(before.previous)
            uow.outbox.add(OutboxMessage(
                message_id=f"msg_{ULID()}", kind=NoticeKind.CONTACT_DETAILS_CHANGED, channel=channel,
                recipient=recipient, vendor_id=after.vendor_id, subject_id=change_id, created_at=now,
                facts={"change_id": change_id, "new_phone_ending": after.phone[-4:],
                       "cooling_off_until": after.cooling_off_until.isoformat() if after.cooling_off_until else ""}))
            self._audit.record(uow, actor, "vendor_contact_change_approved", change_id, before.snapshot(),
                               after.snapshot(), object_type="vendor_contact_change",
                               detail={"vendor_id": after.vendor_id, "notice_channel": channel.value})
            uow.commit()
        return after

    def reject(self, actor: Principal, change_id: str, *, reason: str) -> ContactChange:
        now = self._clock.now()
        with self._uow() as uow:
            before = self._load(uow, change_id)
            after = before.reject(actor, reason=reason, now=now)
            uow.vendor_contacts.save_change(after, expected=before.status)
            self._audit.record(uow, actor, "vendor_contact_change_rejected", change_id, before.snapshot(),
                               after.snapshot(), object_type="vendor_contact_change",
                               detail={"vendor_id": after.vendor_id, "reason": after.close_reason or ""})
            uow.commit()
        return after

    def changes(self, actor: Principal, vendor_id: str) -> list[ContactChange]:
        authorize(actor, Action.VENDOR_READ)
        with self._uow(read_only=True) as uow:
            return uow.vendor_contacts.changes_for_vendor(vendor_id)

    @staticmethod
    def _load(uow: IdentityUnitOfWork, change_id: str) -> ContactChange:
        change = uow.vendor_contacts.get_change(change_id, for_update=True)
        if change is None:
            raise ContactChangeNotFound(change_id)
        return change

    # -- for the bank-account flow, inside its unit of work -----------------------------------------------
    @staticmethod
    def verification_contact(uow: IdentityUnitOfWork, vendor_id: str, at: Any) -> VendorContact | None:
        """The contact that verifies (and is told of) a bank change made at ``at``."""
        return verification_contact(uow.vendor_contacts.get(vendor_id),
                                    uow.vendor_contacts.changes_for_vendor(vendor_id), at)

    @staticmethod
    def check_wait(uow: IdentityUnitOfWork, vendor_id: str, *, requested_at: Any, now: Any) -> None:
        """Raise ``contact_change_pending`` / ``contact_change_cooling_off`` while the bank change must wait."""
        verification_wait(vendor_id, uow.vendor_contacts.changes_for_vendor(vendor_id), requested_at=requested_at,
                          now=now)
