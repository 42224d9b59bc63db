"""Proofs a vendor or an auditor can check without us: that an entry is in the journal a signed checkpoint
commits to (inclusion), and that a later checkpoint extends an earlier one (consistency). Read-only."""

from __future__ import annotations

from typing import Callable

from ledger.checkpoint import Checkpoint
from ledger.errors import EntryNotFound, LedgerError
from ledger.keys import KeyRecord
from ledger.merkle import merkle_root
from ledger.proofs import LeafRoots, consistency_bundle, inclusion_bundle
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
                raise LedgerError(f"no checkpoint covers entry {entry_id} (sequence {entry.sequence}) yet; take one "
                                  "with `disburse ledger checkpoint`", code="checkpoint_does_not_cover_entry")
            leaves = self._leaves(uow, cp)
            key = self._key(uow, cp)
        return inclusion_bundle(entry_row(entry), cp, key.public_key, LeafRoots(leaves))

    def consistency(self, first: Checkpoint, second: Checkpoint | None = None) -> str:
        """The bundle proving ``second`` (default: the latest stored checkpoint) extends ``first``."""
        with self._uow(read_only=True) as uow:
            later = second or self._latest(uow)
            if later is None or later.sequence < first.sequence:
                raise LedgerError("no later checkpoint to prove consistency with", code="no_later_checkpoint")
            self._leaves(uow, first)
            leaves = self._leaves(uow, later)
            keys = [self._key(uow, first).public_key, self._key(uow, later).public_key]
        return consistency_bundle(first, later, keys, LeafRoots(leaves))

    def _latest(self, uow: UnitOfWork) -> Checkpoint | None:
        stored = uow.ledger_queries.checkpoints(self._journal)
        return stored[-1] if stored else None

    def _leaves(self, uow: UnitOfWork, cp: Checkpoint) -> list[bytes]:
        """The entry hashes 1..N of checkpoint N, refusing a journal that no longer extends it."""
        leaves = uow.ledger.entry_hashes(1, cp.sequence)
        if len(leaves) != cp.sequence or leaves[-1] != cp.head_hash or merkle_root(leaves) != cp.merkle_root:
            raise LedgerError(f"the journal no longer extends the checkpoint at {cp.sequence}: run `disburse ledger "
                              "verify`", code="journal_does_not_extend_checkpoint")
        return leaves

    def _key(self, uow: UnitOfWork, cp: Checkpoint) -> KeyRecord:
        key = next((k for k in uow.ledger.keys() if k.key_id == cp.key_id), None)
        if key is None:
            raise LedgerError(f"the key {cp.key_id} that signed the checkpoint is not in the registry",
                              code="unknown_key")
        return key
