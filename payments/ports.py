"""The Protocols the accounts-payable domain owns and the adapters implement.

The consumer owns the port: use cases here are written against these, and ``adapters/`` supplies the
SQL, file, key and rail implementations. Fakes in tests implement the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Protocol, Self, Sequence, TypeVar

from ledger.accounts import Account
from ledger.checkpoint import Checkpoint
from ledger.entries import SealedEntry
from ledger.ports import Clock, JournalStore
from ledger.signing import Signer

__all__ = ["Clock", "JournalStore", "Signer", "LedgerQueries", "AuditIndex", "UnitOfWork", "UowFactory", "KeyVault",
           "IdempotencyStore"]


class LedgerQueries(Protocol):
    """Read side of the ledger inside a unit of work."""

    def add_accounts(self, items: Iterable[Account]) -> int:
        """Insert accounts that do not exist yet; return how many were added."""
        ...

    def list_accounts(self, *, fund: str | None = None, type_: str | None = None) -> list[Account]:
        """The chart, optionally one fund or one account type."""
        ...

    def get_entry(self, entry_id: str) -> SealedEntry | None:
        """One entry by id, or None."""
        ...

    def list_entries(self, *, after_sequence: int = 0, limit: int = 50, code: str | None = None,
                     account: str | None = None) -> list[SealedEntry]:
        """Entries after a sequence (the cursor), oldest first."""
        ...

    def balances(self, *, as_of: dt.date | None = None, fund: str | None = None, department: str | None = None,
                 object_code: str | None = None, account: str | None = None, currency: str | None = None) -> list[Any]:
        """Debit, credit and normal-side balance per account and currency as of an effective date."""
        ...

    def count_entries(self) -> int:
        """How many entries the journal holds."""
        ...

    def add_checkpoint(self, cp: Checkpoint) -> None:
        """Store a signed checkpoint."""
        ...

    def checkpoints(self, journal: str = "ledger") -> Sequence[Checkpoint]:
        """Stored checkpoints, oldest first."""
        ...


class AuditIndex(Protocol):
    """The audit journal's entries indexed for filtering (derived data; the journal is the record)."""

    def add(self, entry: SealedEntry, *, actor: str, action: str, object_type: str, object_id: str) -> None:
        """Index an audit entry for filtering (derived data; the journal is the record)."""
        ...

    def search(self, *, actor: str | None = None, action: str | None = None, object_type: str | None = None,
               object_id: str | None = None, since: str | None = None, until: str | None = None,
               after_sequence: int = 0, limit: int = 100) -> Sequence[SealedEntry]:
        """Audit entries matching every filter given, oldest first."""
        ...

    def count(self) -> int:
        """How many entries the audit journal holds."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Repositories hang off it; only the use case calls ``commit``.

    This is the kernel's part (the two journals); each feature's ports compose their own repositories on top of
    it (``APUnitOfWork``, ``PaymentsUnitOfWork``, ``ReconUnitOfWork``, ``IdentityUnitOfWork``), and the SQL unit
    of work implements them all.
    """

    ledger: JournalStore
    audit: JournalStore
    ledger_queries: LedgerQueries
    audit_index: AuditIndex

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None:
        """Make everything done in this unit durable, at once."""
        ...


U_co = TypeVar("U_co", covariant=True)


class UowFactory(Protocol[U_co]):
    """Opens a unit of work: ``with factory() as uow: ...; uow.commit()``."""

    def __call__(self, read_only: bool = False) -> U_co:
        """A new unit of work; ``read_only`` for readers that must not take a write lock."""
        ...


class KeyVault(Protocol):
    """Where private signing keys live (a key directory by default; an HSM or KMS is another adapter)."""

    def signer(self, key_id: str) -> Signer:
        """The signer for a registered key id; raises if this vault does not hold it."""
        ...

    def create(self, purpose: str) -> Signer:
        """Generate and store a new key; return its signer."""
        ...


class IdempotencyStore(Protocol):
    """Remembers the response to each Idempotency-Key, per caller and route."""

    def begin(self, scope: str, key: str, request_hash: str) -> tuple[str, int | None, bytes | None]:
        """Claim ``key``: ('new', None, None), ('replay', status, body), or ('conflict'|'in_flight', None, None)."""
        ...

    def finish(self, scope: str, key: str, status: int, body: bytes) -> None:
        """Record the response sent for ``key``."""
        ...


class FieldCipher(Protocol):
    """Encrypts one column value bound to its row and column (AES-256-GCM by default; a KMS is another adapter)."""

    def encrypt(self, plaintext: str, *, row_id: str, column: str) -> bytes:
        """Seal ``plaintext`` so that it decrypts only for this row id and column name."""
        ...

    def decrypt(self, blob: bytes, *, row_id: str, column: str) -> str:
        """Open a blob sealed for this row and column; raises if it was altered or moved."""
        ...

    def fingerprint(self, value: str) -> str:
        """A keyed hash of a normalized value: equal values match, and nobody without the key can guess them."""
        ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id by default)."""

    def hash(self, password: str) -> str:
        """A self-describing hash string with a fresh salt."""
        ...

    def verify(self, stored_hash: str, password: str) -> bool:
        """True only when the password matches the stored hash."""
        ...

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a hash that just verified should be replaced under the current parameters."""
        ...

    def verify_unknown_user(self, password: str) -> bool:
        """Spend a verify's time for a user who does not exist, so that timing tells nothing; always False."""
        ...


class TokenCodec(Protocol):
    """Mints API tokens and hashes presented ones; the secret itself is never stored."""

    def mint(self) -> tuple[str, str, str]:
        """A new token: (secret shown once, its stored hash, a short hint people can tell tokens apart by)."""
        ...

    def hash(self, presented: str) -> str | None:
        """The stored form of a presented token, or None when it is not shaped like one of ours."""
        ...

    def matches(self, presented: str, stored_hash: str | None) -> bool:
        """Constant-time comparison of a presented token with a stored hash (None compares against a dummy)."""
        ...


__all__ += ["FieldCipher", "PasswordHasher", "TokenCodec"]

