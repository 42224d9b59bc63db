"""In-memory fakes of people and controls' ports (``payments/people/identity_ports.py``): the repositories of
``IdentityUnitOfWork`` and a unit of work over them whose changes are seen by others only once it commits.

A unit of work works on a copy of the committed state and swaps it in on ``commit``; leaving without commit
(or on an exception) drops its copy, as a rolled-back transaction would. Guarded writes raise ``stale_state``
like the SQL adapters. Concurrency is not modelled: units of work run one after another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from payments.errors import Conflict, DomainError
from payments.notices import OutboxMessage
from payments.people.bank_account_records import AccountStatus, BankAccount, ChangeRecord, VendorContact
from payments.people.bank_accounts import BankAccountChange, BankChangeStatus
from payments.people.contact_changes import ContactChange, ContactChangeStatus
from payments.people.identity_ports import (BankAccountRepository, IdentityUnitOfWork, OutboxRepository,
                                            SessionRepository, ThrottleRepository, TokenRepository, UserRepository,
                                            VendorContactRepository, VendorMaster, VendorOnFile)
from payments.people.password_resets import ResetRecord
from payments.people.users import SessionRecord, TokenRecord, User
from payments.ports import UowFactory
from tests.kernel_fakes import CopyOnCommitDatabase, CopyOnCommitUnitOfWork, KernelState, copy_repos


def _stale(what: str) -> Conflict:
    return Conflict(f"{what} was changed by someone else; reload and try again", code="stale_state")


class InMemoryUsers:
    def __init__(self) -> None:
        self.rows: dict[str, User] = {}

    def add(self, user: User) -> None:
        if any(u.username == user.username for u in self.rows.values()):
            raise Conflict(f"username {user.username} is taken", code="username_taken")
        self.rows[user.user_id] = user

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self.rows.get(user_id)

    def by_username(self, username: str, *, for_update: bool = False) -> User | None:
        return next((u for u in self.rows.values() if u.username == username), None)

    def list(self, *, after: str | None = None, limit: int = 100) -> list[User]:
        return [u for k, u in sorted(self.rows.items()) if after is None or k > after][:limit]

    def update(self, before: User, after: User) -> User:
        current = self.rows.get(before.user_id)
        if current is None or current.version != before.version:
            raise _stale(f"user {before.user_id}")
        self.rows[before.user_id] = written = replace(after, version=before.version + 1)
        return written


class InMemoryTokens:
    def __init__(self) -> None:
        self.rows: dict[str, TokenRecord] = {}
        self.resets: dict[str, ResetRecord] = {}

    def add(self, token: TokenRecord) -> None:
        self.rows[token.token_id] = token

    def by_hash(self, token_hash: str) -> TokenRecord | None:
        return next((t for t in self.rows.values() if t.token_hash == token_hash), None)

    def get(self, token_id: str) -> TokenRecord | None:
        return self.rows.get(token_id)

    def for_user(self, user_id: str) -> list[TokenRecord]:
        return sorted((t for t in self.rows.values() if t.user_id == user_id), key=lambda t: t.created_at,
                      reverse=True)

    def revoke(self, token_id: str, now: datetime) -> bool:
        token = self.rows.get(token_id)
        if token is None or token.revoked_at is not None:
            return False
        self.rows[token_id] = replace(token, revoked_at=now)
        return True

    def touch(self, token_id: str, now: datetime) -> None:
        if token_id in self.rows:
            self.rows[token_id] = replace(self.rows[token_id], last_used_at=now)

    def add_reset(self, record: ResetRecord) -> None:
        self.resets[record.reset_id] = record

    def reset_by_hash(self, token_hash: str) -> ResetRecord | None:
        return next((r for r in self.resets.values() if r.token_hash == token_hash), None)

    def use_reset(self, reset_id: str, now: datetime) -> bool:
        record = self.resets.get(reset_id)
        if record is None or record.used_at is not None:
            return False
        self.resets[reset_id] = replace(record, used_at=now)
        return True

    def void_resets(self, user_id: str, now: datetime) -> int:
        unused = [r for r in self.resets.values() if r.user_id == user_id and r.used_at is None]
        for r in unused:
            self.resets[r.reset_id] = replace(r, used_at=now)
        return len(unused)


class InMemorySessions:
    def __init__(self) -> None:
        self.rows: dict[str, SessionRecord] = {}

    def add(self, session: SessionRecord) -> None:
        self.rows[session.session_hash] = session

    def by_hash(self, session_hash: str) -> SessionRecord | None:
        return self.rows.get(session_hash)

    def revoke(self, session_hash: str, now: datetime) -> bool:
        session = self.rows.get(session_hash)
        if session is None or session.revoked_at is not None:
            return False
        self.rows[session_hash] = replace(session, revoked_at=now)
        return True

    def revoke_for_user(self, user_id: str, now: datetime) -> int:
        return sum(self.revoke(s.session_hash, now) for s in list(self.rows.values()) if s.user_id == user_id)

    def purge(self, before: datetime) -> int:
        gone = [h for h, s in self.rows.items() if s.expires_at < before or (s.revoked_at or before) < before]
        for h in gone:
            del self.rows[h]
        return len(gone)


class InMemoryThrottle:
    def __init__(self) -> None:
        self.windows: dict[str, tuple[datetime, int]] = {}

    def hit(self, key: str, now: datetime, window_s: int) -> tuple[int, datetime]:
        start, attempts = self.windows.get(key, (now, 0))
        if now - start >= timedelta(seconds=window_s):
            start, attempts = now, 0
        self.windows[key] = (start, attempts + 1)
        return attempts + 1, start

    def purge(self, before: datetime) -> int:
        gone = [k for k, (start, _) in self.windows.items() if start < before]
        for k in gone:
            del self.windows[k]
        return len(gone)


class InMemoryVendorContacts:
    def __init__(self) -> None:
        self.contacts: dict[str, VendorContact] = {}
        self.changes: dict[str, ContactChange] = {}

    def get(self, vendor_id: str) -> VendorContact | None:
        return self.contacts.get(vendor_id)

    def put(self, contact: VendorContact) -> None:
        self.contacts[contact.vendor_id] = contact

    def add_change(self, change: ContactChange) -> None:
        self.changes[change.change_id] = change

    def get_change(self, change_id: str, *, for_update: bool = False) -> ContactChange | None:
        return self.changes.get(change_id)

    def save_change(self, change: ContactChange, *, expected: ContactChangeStatus) -> None:
        current = self.changes.get(change.change_id)
        if current is None or current.status is not expected:
            raise _stale(f"contact change {change.change_id}")
        self.changes[change.change_id] = change

    def changes_for_vendor(self, vendor_id: str) -> list[ContactChange]:
        return sorted((c for c in self.changes.values() if c.vendor_id == vendor_id), key=lambda c: c.requested_at)


class InMemoryBankAccounts:
    """Accounts with their sealed numbers, and change requests with their shared-account signal."""

    def __init__(self) -> None:
        self.accounts: dict[str, BankAccount] = {}
        self.sealed: dict[str, bytes] = {}
        self.changes: dict[str, ChangeRecord] = {}
        self.cleared: dict[str, tuple[str, datetime, str]] = {}

    def add_account(self, account: BankAccount, ciphertext: bytes) -> None:
        if account.account_id in self.accounts:
            raise Conflict(f"bank account {account.account_id} exists", code="bank_account_exists")
        self.accounts[account.account_id], self.sealed[account.account_id] = account, ciphertext

    def get_account(self, account_id: str) -> BankAccount | None:
        return self.accounts.get(account_id)

    def ciphertext(self, account_id: str) -> bytes | None:
        return self.sealed.get(account_id)

    def accounts_for_vendor(self, vendor_id: str) -> list[BankAccount]:
        return sorted((a for a in self.accounts.values() if a.vendor_id == vendor_id), key=lambda a: a.account_id,
                      reverse=True)

    def set_account_status(self, account_id: str, expected: AccountStatus, new: AccountStatus,
                           now: datetime) -> None:
        account = self.accounts.get(account_id)
        if account is None or account.status is not expected:
            raise _stale(f"bank account {account_id}")
        activated = now if new is AccountStatus.ACTIVE else account.activated_at
        self.accounts[account_id] = replace(account, status=new, activated_at=activated)

    def vendors_sharing(self, fingerprint: str, vendor_id: str) -> list[str]:
        live = (AccountStatus.ACTIVE, AccountStatus.PENDING)
        return sorted({a.vendor_id for a in self.accounts.values()
                       if a.fingerprint == fingerprint and a.vendor_id != vendor_id and a.status in live})

    def add_change(self, record: ChangeRecord) -> None:
        self.changes[record.change.change_id] = record

    def get_change(self, change_id: str, *, for_update: bool = False) -> ChangeRecord | None:
        record = self.changes.get(change_id)
        if record is None:
            return None
        return replace(record, shared_with_vendors=()) if change_id in self.cleared else record

    def save_change(self, change: BankAccountChange, *, expected: BankChangeStatus) -> None:
        record = self.changes.get(change.change_id)
        if record is None or record.change.status is not expected:
            raise _stale(f"bank-account change {change.change_id}")
        self.changes[change.change_id] = replace(record, change=change)

    def clear_shared(self, change_id: str, user_id: str, now: datetime, reason: str) -> None:
        if change_id not in self.changes or change_id in self.cleared:
            raise _stale(f"bank-account change {change_id}")
        self.cleared[change_id] = (user_id, now, reason)

    def list_changes(self, *, vendor_id: str | None = None, status: BankChangeStatus | None = None,
                     after: str | None = None, limit: int = 100) -> list[ChangeRecord]:
        hits = [self.get_change(k) for k in sorted(self.changes) if after is None or k > after]
        return [r for r in hits if r is not None and (vendor_id is None or r.change.vendor_id == vendor_id)
                and (status is None or r.change.status is BankChangeStatus(status))][:limit]


class InMemoryOutbox:
    def __init__(self) -> None:
        self.messages: list[OutboxMessage] = []

    def add(self, message: OutboxMessage) -> None:
        self.messages.append(message)

    def list(self, *, vendor_id: str | None = None, status: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.messages if (vendor_id is None or m.vendor_id == vendor_id)
                and (status is None or str(m.status.value) == status)]


@dataclass(frozen=True)
class VendorStatusOnFile:
    status: enum.Enum


@dataclass(frozen=True)
class VendorRecordOnFile:
    """What people read of a vendor record: only its status."""

    vendor: VendorStatusOnFile


class InMemoryVendorMaster:
    """Accounts payable's vendors as people read them: anything with a ``vendor.status``."""

    def __init__(self) -> None:
        self.rows: dict[str, VendorOnFile] = {}

    def add(self, vendor_id: str, status: enum.Enum) -> None:
        self.rows[vendor_id] = VendorRecordOnFile(VendorStatusOnFile(status))

    def get(self, vendor_id: str, /) -> VendorOnFile | None:
        return self.rows.get(vendor_id)


@dataclass
class IdentityState(KernelState):
    """Everything the fake database holds; a unit of work works on a copy of it."""

    users: InMemoryUsers = field(default_factory=InMemoryUsers)
    tokens: InMemoryTokens = field(default_factory=InMemoryTokens)
    sessions: InMemorySessions = field(default_factory=InMemorySessions)
    sign_in_throttle: InMemoryThrottle = field(default_factory=InMemoryThrottle)
    vendor_contacts: InMemoryVendorContacts = field(default_factory=InMemoryVendorContacts)
    bank_accounts: InMemoryBankAccounts = field(default_factory=InMemoryBankAccounts)
    outbox: InMemoryOutbox = field(default_factory=InMemoryOutbox)
    vendors: InMemoryVendorMaster = field(default_factory=InMemoryVendorMaster)

    def copy(self) -> IdentityState:
        state = copy_repos(self)
        state.ledger_queries._journal = state.ledger
        return state


class InMemoryIdentityUnitOfWork(CopyOnCommitUnitOfWork[IdentityState]):
    # Declared as the ports' types, so that binding each fake below is mypy's proof that it satisfies its Protocol.
    users: UserRepository
    tokens: TokenRepository
    sessions: SessionRepository
    sign_in_throttle: ThrottleRepository
    vendor_contacts: VendorContactRepository
    bank_accounts: BankAccountRepository
    outbox: OutboxRepository

    def _bind(self, state: IdentityState) -> None:
        self._state = state
        self.ledger, self.audit, self.audit_index = state.ledger, state.audit, state.audit_index
        self.ledger_queries = state.ledger_queries
        self.users, self.tokens, self.sessions = state.users, state.tokens, state.sessions
        self.sign_in_throttle, self.vendor_contacts = state.sign_in_throttle, state.vendor_contacts
        self.bank_accounts, self.outbox = state.bank_accounts, state.outbox

    @property
    def vendors(self) -> VendorMaster:
        return self._state.vendors


class InMemoryIdentityDatabase(CopyOnCommitDatabase[IdentityState]):
    """The committed state and the factory of units of work over it (``UowFactory[IdentityUnitOfWork]``)."""

    def __init__(self) -> None:
        super().__init__(IdentityState())

    def __call__(self, read_only: bool = False) -> InMemoryIdentityUnitOfWork:
        return InMemoryIdentityUnitOfWork(self, read_only)


def as_identity_uow_factory(db: InMemoryIdentityDatabase) -> UowFactory[IdentityUnitOfWork]:
    """The fake as the port's type: mypy checks here that the fakes satisfy every Protocol of the seam."""
    return db


def _as_identity_uow(uow: InMemoryIdentityUnitOfWork) -> IdentityUnitOfWork:
    return uow
