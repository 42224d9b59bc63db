"""What the journal needs from its storage and its clock. Adapters implement these; the ledger owns them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Protocol, Sequence

from ledger.accounts import Account
from ledger.entries import SealedEntry
from ledger.errors import LedgerError
from ledger.keys import KeyRecord

if TYPE_CHECKING:
    from ledger.verify import RowReader
    from ledger.verify_report import StoredState


class AppendConflict(LedgerError):
    """An appended entry's id (or the entry it reverses) is already in the journal; the store undid the append.

    The journal posts optimistically (a fresh ULID is almost never there already) and only on this
    looks up which entries exist, still holding the head lock.
    """

    code = "append_conflict"


class Clock(Protocol):
    """Tells the time. Tests pass a fixed clock."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


class JournalStore(Protocol):
    """One journal's rows inside the caller's open transaction. Never commits.

    Implementations must make ``lock_head`` serialize appenders: a row lock on PostgreSQL,
    ``BEGIN IMMEDIATE`` on SQLite. Entries are only ever inserted.
    """

    def lock_head(self) -> tuple[int, bytes]:
        """Lock the chain head for this transaction; return (last sequence, its hash); (0, 32 zero bytes) when empty."""
        ...

    def lock_head_and_key(self) -> tuple[int, bytes, str | None]:
        """``lock_head`` and, read under the same lock, the id of the key in force (the registry's open key; None
        when there is none): the key an append made now must be signed by."""
        ...

    def entries_by_id(self, ids: Iterable[str]) -> Mapping[str, SealedEntry]:
        """The stored entries among ``ids``."""
        ...

    def reversed_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` already have a reversal entry."""
        ...

    def append(self, entries: Iterable[SealedEntry]) -> None:
        """Insert sealed entries and move the head to the last one, or raise ``AppendConflict`` having written nothing.

        ``entries`` come in sequence order, following the head, and may be a generator that seals each
        entry as it is taken (so that rows go to the database while later ones are being signed): take
        every one of them, once.
        """
        ...

    def accounts(self, codes: Iterable[str]) -> Mapping[str, Account]:
        """The accounts among ``codes``."""
        ...

    def iter_entries(self, after_sequence: int = 0, batch_size: int = 2000) -> Iterator[SealedEntry]:
        """Every entry after ``after_sequence`` in sequence order, streamed."""
        ...

    def last_sequence(self) -> int:
        """The highest stored sequence (0 when empty): how far verification reads."""
        ...

    def entry_hashes(self, first: int, last: int) -> list[bytes]:
        """The stored ``hash`` of entries ``first``..``last`` in sequence order (the Merkle tree's leaves)."""
        ...

    def merkle_blocks(self, first: int, last: int) -> Mapping[int, bytes]:
        """The stored Merkle roots of whole blocks ``first``..``last`` (block b: sequences b*1024+1 .. (b+1)*1024)."""
        ...

    def add_merkle_blocks(self, roots: Mapping[int, bytes]) -> None:
        """Store the roots of whole blocks (derived from the entries' hashes; insert-only)."""
        ...

    def balance_totals(self, last_sequence: int) -> dict[tuple[str, str], list[int]]:
        """Debits and credits per (account, currency) over the postings of entries 1..``last_sequence``."""
        ...

    def system_rows(self, last_sequence: int) -> list[tuple[Any, ...]]:
        """The genesis and key rotation entries up to ``last_sequence``, as rows of ``ledger.verify_chunk``."""
        ...

    def stored_state(self, last_sequence: int) -> "StoredState":
        """What the store holds beside the entries, for the verifier to check against them: the head row and
        the entry sequences of postings outside 1..``last_sequence``. Reads only; takes no lock."""
        ...

    def row_reader(self) -> "RowReader | None":
        """A reader of stored rows by sequence range for verification workers, or None when other processes
        cannot read this store (verification then streams ``iter_entries``)."""
        ...

    def keys(self) -> Sequence[KeyRecord]:
        """The key registry of this journal."""
        ...

    def add_key(self, key: KeyRecord) -> None:
        """Register a key (on genesis or rotation)."""
        ...

    def close_key(self, key_id: str, valid_to_sequence: int, valid_to: str) -> None:
        """End a key's validity window at ``valid_to_sequence`` (inclusive)."""
        ...
