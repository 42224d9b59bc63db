"""Repositories the people-and-controls use cases need, hanging off the unit of work.

Kept apart from ``payments/ports.py`` (which holds the collaborators: cipher, hasher, token codec) so that file
stays readable as other features add their repositories. Every method runs inside the caller's transaction;
none commits. Guarded writes raise ``Conflict`` (code ``stale_state``) when the row moved under them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, Sequence

from payments.people.bank_accounts import BankAccountChange, BankChangeStatus
from payments.people.bank_account_records import AccountStatus, BankAccount, ChangeRecord, VendorContact
from payments.people.contact_changes import ContactChange, ContactChangeStatus
from payments.notices import OutboxMessage
from payments.ports import UnitOfWork
from payments.people.users import SessionRecord, TokenRecord, User


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Insert a user; raises ``username_taken`` if the username exists."""
        ...

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        """The user (its row locked for this transaction with ``for_update``)."""
        ...

    def by_username(self, username: str, *, for_update: bool = False) -> User | None:
        """As ``get``, by username."""
        ...

    def list(self, *, after: str | None = None, limit: int = 100) -> list[User]:
        """Users ordered by id, after a cursor id."""
        ...

    def update(self, before: User, after: User) -> User:
        """Write ``after`` if the row is still at ``before.version``; return it with the next version."""
        ...


if TYPE_CHECKING:  # the reset use case imports these ports' neighbours; only the type is needed here
    from payments.people.password_resets import ResetRecord


class TokenRepository(Protocol):
    def add(self, token: TokenRecord) -> None:
        """Insert a token record (its hash only)."""
        ...

    def by_hash(self, token_hash: str) -> TokenRecord | None:
        """The record whose hash equals ``token_hash``."""
        ...

    def get(self, token_id: str) -> TokenRecord | None:
        """One record by id."""
        ...

    def for_user(self, user_id: str) -> list[TokenRecord]:
        """A user's tokens, newest first."""
        ...

    def revoke(self, token_id: str, now: datetime) -> bool:
        """Revoke a token not yet revoked; False when it already was."""
        ...

    def touch(self, token_id: str, now: datetime) -> None:
        """Record a use (bookkeeping, not audited)."""
        ...

    def add_reset(self, record: ResetRecord) -> None:
        """Insert a one-time sign-in link (the hash of its secret only)."""
        ...

    def reset_by_hash(self, token_hash: str) -> ResetRecord | None:
        ...

    def use_reset(self, reset_id: str, now: datetime) -> bool:
        """Mark a link used unless it already was; False when it was."""
        ...

    def void_resets(self, user_id: str, now: datetime) -> int:
        """Spend every unused link of the user (a newer one replaces them)."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None:
        """Insert a session (the hash of its secret only)."""
        ...

    def by_hash(self, session_hash: str) -> SessionRecord | None:
        """The session whose hash equals ``session_hash``."""
        ...

    def revoke(self, session_hash: str, now: datetime) -> bool:
        """End one session; False when it already ended."""
        ...

    def revoke_for_user(self, user_id: str, now: datetime) -> int:
        """End every open session of a user; return how many."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete sessions that expired or were revoked before ``before``; return how many."""
        ...


class ThrottleRepository(Protocol):
    def hit(self, key: str, now: datetime, window_s: int) -> tuple[int, datetime]:
        """Count one attempt for ``key``; return attempts in the current window and when that window began."""
        ...

    def purge(self, before: datetime) -> int:
        """Forget windows that began before ``before``; return how many."""
        ...


class VendorContactRepository(Protocol):
    def get(self, vendor_id: str) -> VendorContact | None:
        """The contact on file, or None."""
        ...

    def put(self, contact: VendorContact) -> None:
        """Insert or replace the contact on file."""
        ...

    def add_change(self, change: ContactChange) -> None:
        """Insert a requested change of the contact on file."""
        ...

    def get_change(self, change_id: str, *, for_update: bool = False) -> ContactChange | None:
        ...

    def save_change(self, change: ContactChange, *, expected: ContactChangeStatus) -> None:
        """Store a decided change; refuse ``stale_state`` unless it was still ``expected``."""
        ...

    def changes_for_vendor(self, vendor_id: str) -> list[ContactChange]:
        """Every contact change of the vendor, oldest request first."""
        ...


class BankAccountRepository(Protocol):
    def add_account(self, account: BankAccount, ciphertext: bytes) -> None:
        """Insert an account with its sealed number."""
        ...

    def get_account(self, account_id: str) -> BankAccount | None:
        """One account (without its number)."""
        ...

    def ciphertext(self, account_id: str) -> bytes | None:
        """The sealed account number, for a reveal or a payment."""
        ...

    def accounts_for_vendor(self, vendor_id: str) -> list[BankAccount]:
        """A vendor's accounts, newest first."""
        ...

    def set_account_status(self, account_id: str, expected: AccountStatus, new: AccountStatus,
                           now: datetime) -> None:
        """Guarded status change of an account."""
        ...

    def vendors_sharing(self, fingerprint: str, vendor_id: str) -> list[str]:
        """Other vendors with a pending or active account of this fingerprint."""
        ...

    def add_change(self, record: ChangeRecord) -> None:
        """Insert a change request."""
        ...

    def get_change(self, change_id: str, *, for_update: bool = False) -> ChangeRecord | None:
        """One change request."""
        ...

    def save_change(self, change: BankAccountChange, *, expected: BankChangeStatus) -> None:
        """Write a transition if the change is still in ``expected`` status."""
        ...

    def clear_shared(self, change_id: str, user_id: str, now: datetime, reason: str) -> None:
        """Record that a person cleared the change's shared-account signal."""
        ...

    def list_changes(self, *, vendor_id: str | None = None, status: BankChangeStatus | None = None,
                     after: str | None = None, limit: int = 100) -> list[ChangeRecord]:
        """Change requests ordered by id."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> None:
        """Record a message to send (in the same transaction as its cause)."""
        ...

    def list(self, *, vendor_id: str | None = None, status: str | None = None) -> list[OutboxMessage]:
        """Messages, oldest first."""
        ...


class VendorStatusOf(Protocol):
    @property
    def status(self) -> enum.Enum: ...


class VendorOnFile(Protocol):
    @property
    def vendor(self) -> VendorStatusOf: ...


class VendorMaster(Protocol):
    """Accounts payable's vendors (``uow.vendors``) as people and controls read them: whether one exists, and its
    status. People does not import accounts payable; the AP repository satisfies this."""

    def get(self, vendor_id: str, /) -> VendorOnFile | None:
        """The vendor's record, or None."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    @property
    def vendors(self) -> VendorMaster:
        """The vendor master, read-only here."""
        ...

    users: UserRepository
    tokens: TokenRepository
    sessions: SessionRepository
    sign_in_throttle: ThrottleRepository
    vendor_contacts: VendorContactRepository
    bank_accounts: BankAccountRepository
    outbox: OutboxRepository
