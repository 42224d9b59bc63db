"""Proofs a vendor or an auditor can check without us: that an entry is in the journal a signed checkpoint
commits to (inclusion), and that a later checkpoint extends an earlier one (consistency). Read-only."""

from __future__ import annotations

from typing import Callable

from ledger.checkpoint import Checkpoint
from ledger.errors import (CheckpointDoesNotCoverEntry, EntryNotFound, JournalDoesNotExtendCheckpoint, LedgerError,
                           NoLaterCheckpoint, UnknownKey)
from ledger.keys import KeyRecord
from ledger.merkle import BLOCK_SIZE
from ledger.proofs import BlockRoots, consistency_bundle, inclusion_bundle
from ledger.verify import entry_row
from payments.ports import UnitOfWork

UowFactory = Callable[..., UnitOfWork]


class LedgerProofs:
    """Builds proof bundles (docs/ledger-format.md section 10) from the stored journal of ``journal``."""

    def __init__(self, uow_factory: UowFactory, journal: str = "ledger") -> None:
        self._uow = uow_factory
        self._journal = journal

    def inclusion(self, entry_id: str, checkpoint: Checkpoint | None = None) -> str:
        """The bundle proving ``entry_id`` is in the journal ``checkpoint`` signed (default: the latest stored)."""
        with self._uow(read_only=True) as uow:
            entry = uow.ledger_queries.get_entry(entry_id)
            if entry is None:
                raise EntryNotFound(entry_id)
            cp = checkpoint or self._latest(uow)
            if cp is None or cp.sequence < entry.sequence:
                raise CheckpointDoesNotCoverEntry(f"no checkpoint covers entry {entry_id} (sequence {entry.sequence}) yet; take one "
                                                  "with `disburse ledger checkpoint`")
            roots = self._roots(uow, cp)
            return inclusion_bundle(entry_row(entry), cp, self._key(uow, cp).public_key, roots)

    def consistency(self, first: Checkpoint, second: Checkpoint | None = None) -> str:
        """The bundle proving ``second`` (default: the latest stored checkpoint) extends ``first``."""
        with self._uow(read_only=True) as uow:
            later = second or self._latest(uow)
            if later is None or later.sequence < first.sequence:
                raise NoLaterCheckpoint("no later checkpoint to prove consistency with")
            self._roots(uow, first)
            roots = self._roots(uow, later)
            keys = [self._key(uow, first).public_key, self._key(uow, later).public_key]
            return consistency_bundle(first, later, keys, roots)

    def _latest(self, uow: UnitOfWork) -> Checkpoint | None:
        stored = uow.ledger_queries.checkpoints(self._journal)
        return stored[-1] if stored else None

    def _roots(self, uow: UnitOfWork, cp: Checkpoint) -> BlockRoots:
        """Subtree roots of the journal as stored (whole blocks by their stored roots), refusing a journal that no
        longer builds the checkpoint's root: its proofs would not check."""
        roots = BlockRoots(uow.ledger.entry_hashes, uow.ledger.merkle_blocks(0, cp.sequence // BLOCK_SIZE))
        head = uow.ledger.entry_hashes(cp.sequence, cp.sequence)
        if head != [cp.head_hash] or roots(0, cp.sequence) != cp.merkle_root:
            raise JournalDoesNotExtendCheckpoint(f"the journal no longer extends the checkpoint at {cp.sequence}: run `disburse ledger "
                                                 "verify`")
        return roots

    def _key(self, uow: UnitOfWork, cp: Checkpoint) -> KeyRecord:
        key = next((k for k in uow.ledger.keys() if k.key_id == cp.key_id), None)
        if key is None:
            raise UnknownKey(f"the key {cp.key_id} that signed the checkpoint is not in the registry")
        return key
