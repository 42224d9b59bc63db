"""Bank-account use cases: the contact on file, change requests through call-back, approval, cooling-off, prenote
and activation, masked listings, audited reveals, and what the payment flow asks before paying a vendor.

Each use case runs in one unit of work, writes its audit event in it, and commits once. Transitions are guarded
(``UPDATE … WHERE status = expected``), so two people acting on one change at once cannot both succeed.
A vendor user reaching for another vendor's change gets the same ``404`` as for a change that does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Callable, Iterable

from ulid import ULID

from payments.audit import SYSTEM_ACTOR, AuditTrail
from payments.errors import Conflict, InvalidInput, NotFound
from payments.people.identity_ports import IdentityUnitOfWork
from payments.people.people_errors import NoSharedSignal
from payments.ports import UowFactory
from payments.people.bank_account_records import (ACCOUNT_NUMBER_COLUMN, ACCOUNT_STATUS_FOR_CHANGE, AccountStatus,
                                           BankAccount, ChangeRecord, VendorContact, payment_holds_of)
from payments.people.bank_accounts import (DepositAccountType, BankAccountChange, BankChangePolicy, BankChangeStatus,
                                    CallbackOutcome, normalize_account_number, request_change)
from payments.controls import BankChangeRestraint, SelfApprovalForbidden
from payments.identity import Action, Principal, authorize
from payments.notices import Channel
from payments.people.bank_change_notice import bank_details_changed_notice
from payments.people.contact_changes import ContactChange, ContactChangePolicy
from payments.people.contact_service import VendorContactService
from payments.people.vendor_checks import require_vendor_for_bank_change
from payments.ports import Clock, FieldCipher


class BankChangeNotFound(NotFound):
    code = "bank_change_not_found"

    def __init__(self, change_id: str) -> None:
        super().__init__(f"bank-account change {change_id} does not exist", change_id=change_id)


class BankAccountNotFound(NotFound):
    code = "bank_account_not_found"

    def __init__(self, account_id: str) -> None:
        super().__init__(f"bank account {account_id} does not exist", account_id=account_id)


class VendorContactNotFound(NotFound):
    code = "vendor_contact_not_found"

    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendor {vendor_id} has no contact on file", vendor_id=vendor_id)


def _reason(reason: str | None, code: str = "reason_required") -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("this step needs a reason someone can read later", code=code)
    return text[:500]


class BankAccountService:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, cipher: FieldCipher, clock: Clock,
                 policy: BankChangePolicy = BankChangePolicy(), contacts: VendorContactService | None = None) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._cipher = cipher
        self._clock = clock
        self.policy = policy
        # The contact on file is what a change is verified on; it changes under its own control.
        self.contacts = contacts or VendorContactService(
            uow_factory, audit, clock, ContactChangePolicy(cooling_off_days=policy.cooling_off_days))

    # -- the contact on file ---------------------------------------------------------------------------
    def set_contact(self, actor: Principal, vendor_id: str, *, phone: str, email: str | None = None,
                    name: str | None = None) -> VendorContact | ContactChange:
        """The first contact at once; a later one as a change request (``VendorContactService.set_contact``)."""
        return self.contacts.set_contact(actor, vendor_id, phone=phone, email=email, name=name)

    def get_contact(self, actor: Principal, vendor_id: str) -> VendorContact:
        authorize(actor, Action.VENDOR_READ)
        with self._uow(read_only=True) as uow:
            contact = uow.vendor_contacts.get(vendor_id)
        if contact is None:
            raise VendorContactNotFound(vendor_id)
        return contact

    # -- change requests -------------------------------------------------------------------------------
    def request_change(self, actor: Principal, vendor_id: str, *, routing_number: str, account_number: str,
                       account_type: DepositAccountType | str, source: dict[str, str] | None = None) -> ChangeRecord:
        """Open a change (the vendor for itself, or a vendor admin); the new account is stored sealed, pending."""
        now = self._clock.now()
        account_id, change_id = f"bac_{ULID()}", f"bch_{ULID()}"
        with self._uow() as uow:
            require_vendor_for_bank_change(uow, vendor_id)
            # Called back on (and told at) the contact on file before any contact change still cooling off.
            contact = self.contacts.verification_contact(uow, vendor_id, now)
            change = request_change(actor, change_id=change_id, vendor_id=vendor_id, routing_number=routing_number,
                                    account_number=account_number, account_type=DepositAccountType(account_type),
                                    phone_on_file=contact.phone if contact else None, now=now)
            digits = normalize_account_number(account_number)
            fingerprint = self._cipher.fingerprint(f"{change.routing_number}:{digits}")
            change = replace(change, account_fingerprint=fingerprint)
            sealed = self._cipher.encrypt(digits, row_id=account_id, column=ACCOUNT_NUMBER_COLUMN)
            account = BankAccount(account_id, vendor_id, change.routing_number, change.account_type, digits[-4:],
                                  fingerprint, AccountStatus.PENDING, change_id, now)
            record = ChangeRecord(change, account_id, tuple(uow.bank_accounts.vendors_sharing(fingerprint,
                                                                                               vendor_id)))
            uow.bank_accounts.add_account(account, sealed)
            uow.bank_accounts.add_change(record)
            self._audit.record(uow, actor, "bank_change_requested", change_id, None, record.snapshot(),
                               detail={"vendor_id": vendor_id, "account_mask": change.account_mask,
                                       "via": "portal" if actor.is_vendor else "staff",
                                       "shared_with_vendors": list(record.shared_with_vendors), **(source or {})})
            uow.commit()
        return record

    def record_callback(self, actor: Principal, change_id: str, *, number_called: str,
                        outcome: CallbackOutcome | str, note: str = "") -> ChangeRecord:
        now = self._clock.now()

        def wait_for_contact_change(uow: IdentityUnitOfWork, record: ChangeRecord) -> None:
            self.contacts.check_wait(uow, record.change.vendor_id, requested_at=record.change.requested_at, now=now)
        return self._transition(actor, change_id, "bank_change_callback_recorded", lambda c: c.record_callback(
            actor, number_called=number_called, outcome=CallbackOutcome(outcome), now=now, note=note[:500]),
            check=wait_for_contact_change)

    def approve(self, actor: Principal, change_id: str) -> ChangeRecord:
        """A third person approves; cooling-off starts and the vendor's contact on file is told."""
        now = self._clock.now()

        def notify(uow: IdentityUnitOfWork, record: ChangeRecord) -> None:
            # The contact on file when the change was asked for, not one a later (or cooling) change put there.
            contact = self.contacts.verification_contact(uow, record.change.vendor_id, record.change.requested_at)
            if contact is None:
                return
            channel, recipient = (Channel.EMAIL, contact.email) if contact.email else (Channel.SMS, contact.phone)
            uow.outbox.add(bank_details_changed_notice(record.change, message_id=f"msg_{ULID()}",
                                                       recipient=recipient, channel=channel, now=now))
        return self._transition(actor, change_id, "bank_change_approved",
                                lambda c: c.approve(actor, now=now, policy=self.policy), after=notify)

    def reject(self, actor: Principal, change_id: str, *, reason: str) -> ChangeRecord:
        now = self._clock.now()
        return self._transition(actor, change_id, "bank_change_rejected",
                                lambda c: c.reject(actor, reason=_reason(reason), now=now))

    def block(self, actor: Principal, change_id: str, *, reason: str) -> ChangeRecord:
        now = self._clock.now()
        return self._transition(actor, change_id, "bank_change_blocked",
                                lambda c: c.block(actor, reason=_reason(reason), now=now))

    def prenote_sent(self, actor: Principal | str, change_id: str) -> ChangeRecord:
        """Called by the disbursement flow once the zero-dollar prenote is out; refused while cooling off."""
        now = self._clock.now()
        return self._transition(actor, change_id, "bank_change_prenote_sent", lambda c: c.send_prenote(now=now))

    def prenote_returned(self, actor: Principal | str, change_id: str, *, return_code: str) -> ChangeRecord:
        now = self._clock.now()
        return self._transition(actor, change_id, "bank_change_prenote_returned",
                                lambda c: c.prenote_returned(return_code=return_code, now=now))

    def activate_cleared(self, actor: Principal | str = SYSTEM_ACTOR) -> list[ChangeRecord]:
        """Job body: every change whose prenote went unreturned for the wait becomes the vendor's active account."""
        now = self._clock.now()
        with self._uow(read_only=True) as uow:
            waiting = uow.bank_accounts.list_changes(status=BankChangeStatus.PRENOTE_PENDING, limit=10_000)
        cleared = [r for r in waiting if r.change.prenote_sent_at is not None
                   and now >= r.change.prenote_sent_at + timedelta(days=self.policy.prenote_wait_days)]
        activated = []
        for record in cleared:
            try:
                activated.append(self._transition(actor, record.change.change_id, "bank_change_activated",
                                                  lambda c: c.activate(now=now, policy=self.policy)))
            except Conflict:
                continue  # someone rejected or blocked it meanwhile: that decision stands
        return activated

    def clear_shared_signal(self, actor: Principal, change_id: str, *, reason: str) -> ChangeRecord:
        """A person who did not request the change confirms that sharing the account is legitimate."""
        authorize(actor, Action.BANK_ACCOUNT_APPROVE)
        text = _reason(reason)
        with self._uow() as uow:
            record = self._load(uow, actor, change_id, for_update=True)
            if actor.user_id == record.change.requested_by:
                raise SelfApprovalForbidden(actor.user_id, f"bank change {change_id}")
            if not record.shared_with_vendors:
                raise NoSharedSignal(f"bank change {change_id} raised no shared-account signal")
            uow.bank_accounts.clear_shared(change_id, actor.user_id, self._clock.now(), text)
            after = replace(record, shared_with_vendors=())
            self._audit.record(uow, actor, "bank_change_shared_signal_cleared", change_id, record.snapshot(),
                               after.snapshot(), detail={"reason": text})
            uow.commit()
        return after

    def _transition(self, actor: Principal | str, change_id: str, action: str,
                    step: Callable[[BankAccountChange], BankAccountChange],
                    after: Callable[[Any, ChangeRecord], None] | None = None,
                    check: Callable[[Any, ChangeRecord], None] | None = None) -> ChangeRecord:
        now = self._clock.now()
        with self._uow() as uow:
            record = self._load(uow, actor, change_id, for_update=True)
            if check is not None:
                check(uow, record)
            changed = step(record.change)
            uow.bank_accounts.save_change(changed, expected=record.change.status)
            new = replace(record, change=changed)
            self._sync_account(uow, new, now)
            if after is not None:
                after(uow, new)
            self._audit.record(uow, actor, action, change_id, record.snapshot(), new.snapshot(),
                               detail={"vendor_id": changed.vendor_id, "from": record.change.status.value,
                                       "to": changed.status.value})
            uow.commit()
        return new

    @staticmethod
    def _sync_account(uow: IdentityUnitOfWork, record: ChangeRecord, now: Any) -> None:
        target = ACCOUNT_STATUS_FOR_CHANGE.get(record.change.status)
        account = uow.bank_accounts.get_account(record.bank_account_id)
        if target is None or account is None or account.status is target:
            return
        if target is AccountStatus.ACTIVE:
            for other in uow.bank_accounts.accounts_for_vendor(account.vendor_id):
                if other.status is AccountStatus.ACTIVE:
                    uow.bank_accounts.set_account_status(other.account_id, AccountStatus.ACTIVE,
                                                         AccountStatus.SUPERSEDED, now)
        uow.bank_accounts.set_account_status(account.account_id, account.status, target, now)

    @staticmethod
    def _load(uow: IdentityUnitOfWork, actor: Principal | str, change_id: str, *, for_update: bool = False) -> ChangeRecord:
        record = uow.bank_accounts.get_change(change_id, for_update=for_update)
        # Another vendor's change is reported exactly like a missing one: never 403, never a detail.
        if record is None or (isinstance(actor, Principal) and actor.is_vendor
                              and record.change.vendor_id != actor.vendor_id):
            raise BankChangeNotFound(change_id)
        return record

    # -- reading ---------------------------------------------------------------------------------------
    def get_change(self, actor: Principal, change_id: str) -> ChangeRecord:
        authorize(actor, Action.PORTAL_READ if actor.is_vendor else Action.VENDOR_READ)
        with self._uow(read_only=True) as uow:
            return self._load(uow, actor, change_id)

    def list_changes(self, actor: Principal, *, vendor_id: str | None = None,
                     status: BankChangeStatus | None = None, after: str | None = None,
                     limit: int = 100) -> list[ChangeRecord]:
        authorize(actor, Action.PORTAL_READ if actor.is_vendor else Action.VENDOR_READ)
        scope = actor.vendor_id if actor.is_vendor else vendor_id
        with self._uow(read_only=True) as uow:
            return uow.bank_accounts.list_changes(vendor_id=scope, status=status, after=after, limit=limit)

    def list_accounts(self, actor: Principal, vendor_id: str | None = None) -> list[BankAccount]:
        authorize(actor, Action.PORTAL_READ if actor.is_vendor else Action.VENDOR_READ)
        scope = actor.vendor_id if actor.is_vendor else vendor_id
        with self._uow(read_only=True) as uow:
            return uow.bank_accounts.accounts_for_vendor(scope) if scope is not None else []

    def reveal(self, actor: Principal, account_id: str, *, reason: str) -> tuple[BankAccount, str]:
        """The full number, to a vendor admin with a reason; the reveal itself is an audit event."""
        authorize(actor, Action.BANK_ACCOUNT_REVEAL)
        text = _reason(reason)
        with self._uow() as uow:
            account = uow.bank_accounts.get_account(account_id)
            if account is None:
                raise BankAccountNotFound(account_id)
            sealed = uow.bank_accounts.ciphertext(account_id)
            if sealed is None:
                raise BankAccountNotFound(account_id)
            number = self._cipher.decrypt(sealed, row_id=account_id, column=ACCOUNT_NUMBER_COLUMN)
            self._audit.record(uow, actor, "bank_account_revealed", account_id,
                               detail={"vendor_id": account.vendor_id, "reason": text})
            uow.commit()
        return account, number

    # -- for the payment flow (same unit of work as the payment) -----------------------------------------
    def restraints(self, uow: IdentityUnitOfWork, vendor_ids: Iterable[str]) -> list[BankChangeRestraint]:
        """Who asked for or approved a change of these vendors' bank accounts, and until when they may not approve
        or release their payments (from the request on: ``BankAccountChange.restraint``)."""
        out = []
        now = self._clock.now()
        for vendor_id in set(vendor_ids):
            for record in uow.bank_accounts.list_changes(vendor_id=vendor_id, limit=10_000):
                restraint = record.change.restraint(now=now, policy=self.policy)
                if now < restraint.cooling_off_until:
                    out.append(restraint)
        return out

    def payment_holds(self, uow: IdentityUnitOfWork, vendor_id: str) -> list[str]:
        """What stops paying this vendor now (``payment_holds_of``): the vendor portal and staff views show these;
        the payment run reads the same rule through its bank-account source."""
        active = [a for a in uow.bank_accounts.accounts_for_vendor(vendor_id) if a.status is AccountStatus.ACTIVE]
        return payment_holds_of(vendor_id, uow.bank_accounts.get_change(active[0].change_id) if active else None)

