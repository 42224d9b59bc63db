"""In-memory fakes of the ledger's ports, for unit tests that need no database."""

from __future__ import annotations

import copy
from typing import Iterable, Iterator, Mapping, Sequence

from ledger.accounts import Account
from ledger.canonical import GENESIS_PREV_HASH
from ledger.entries import SealedEntry
from ledger.keys import KeyRecord
from ledger.ports import AppendConflict
from ledger.verify import entry_row
from ledger.verify_report import StoredState


class InMemoryJournalStore:
    def __init__(self, accounts: Iterable[Account] = ()) -> None:
        self.rows: list[SealedEntry] = []
        self._accounts = {a.code: a for a in accounts}
        self._keys: list[KeyRecord] = []

    def lock_head(self) -> tuple[int, bytes]:
        return (self.rows[-1].sequence, self.rows[-1].hash) if self.rows else (0, GENESIS_PREV_HASH)

    def lock_head_and_key(self) -> tuple[int, bytes, str | None]:
        sequence, digest = self.lock_head()
        open_keys = [k.key_id for k in self._keys if k.valid_to_sequence is None]
        return sequence, digest, open_keys[-1] if open_keys else None

    def entries_by_id(self, ids: Iterable[str]) -> Mapping[str, SealedEntry]:
        wanted = set(ids)
        return {e.id: e for e in self.rows if e.id in wanted}

    def reversed_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = set(ids)
        return {e.draft.reverses for e in self.rows if e.draft.reverses in wanted}

    def append(self, entries: Iterable[SealedEntry]) -> None:
        entries = list(entries)
        ids = {e.id for e in self.rows}
        reversed_ = {e.draft.reverses for e in self.rows if e.draft.reverses}
        if any(e.id in ids or (e.draft.reverses and e.draft.reverses in reversed_) for e in entries):
            raise AppendConflict("an entry id or reversal target is already in the journal")  # as a unique index would
        self.rows.extend(entries)

    def accounts(self, codes: Iterable[str]) -> Mapping[str, Account]:
        return {c: self._accounts[c] for c in codes if c in self._accounts}

    def iter_entries(self, after_sequence: int = 0, batch_size: int = 2000) -> Iterator[SealedEntry]:
        return iter([e for e in self.rows if e.sequence > after_sequence])

    def last_sequence(self) -> int:
        return max((e.sequence for e in self.rows), default=0)

    def row_reader(self):  # noqa: ANN201 - rows by sequence range, as a database store reads them
        def read(first: int, last: int) -> list[tuple]:
            return [entry_row(e) for e in sorted(self.rows, key=lambda e: e.sequence) if first <= e.sequence <= last]
        return read

    def entry_hashes(self, first: int, last: int) -> list[bytes]:
        return [e.hash for e in sorted(self.rows, key=lambda e: e.sequence) if first <= e.sequence <= last]

    def merkle_blocks(self, first: int, last: int) -> Mapping[int, bytes]:
        return {b: r for b, r in getattr(self, "_blocks", {}).items() if first <= b <= last}

    def add_merkle_blocks(self, roots: Mapping[int, bytes]) -> None:
        self._blocks = {**getattr(self, "_blocks", {}), **roots}

    def balance_totals(self, last_sequence: int) -> dict:
        totals: dict = {}
        for e in self.rows:
            if e.sequence <= last_sequence:
                for p in e.draft.postings:
                    sides = totals.setdefault((p.account, p.currency), [0, 0])
                    sides[0 if getattr(p.direction, "value", p.direction) == "debit" else 1] += p.amount_minor
        return totals

    def system_rows(self, last_sequence: int) -> list:
        return [entry_row(e) for e in self.rows
                if e.sequence <= last_sequence and e.draft.code in ("ledger_genesis", "key_rotated")]

    def stored_state(self, last_sequence: int) -> StoredState:
        return StoredState(head=self.lock_head(), block_roots=dict(getattr(self, "_blocks", {})))

    def keys(self) -> Sequence[KeyRecord]:
        return list(self._keys)

    def add_key(self, key: KeyRecord) -> None:
        self._keys.append(key)

    def close_key(self, key_id: str, valid_to_sequence: int, valid_to: str) -> None:
        self._keys = [KeyRecord(k.key_id, k.public_key, k.valid_from_sequence, k.valid_from, valid_to_sequence, valid_to)
                      if k.key_id == key_id and k.valid_to_sequence is None else k for k in self._keys]

    def snapshot(self) -> "InMemoryJournalStore":
        return copy.deepcopy(self)
