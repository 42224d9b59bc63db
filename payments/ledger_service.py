"""Ledger use cases: initialize, post, reverse, checkpoint, rotate keys, verify. Each commits once."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable, Sequence

from ledger.accounts import Account
from ledger.checkpoint import Checkpoint
from ledger.entries import EntryDraft, SealedEntry, new_entry_id, reversal_of
from ledger.errors import EntryNotFound
from ledger.journal import Journal, Posted
from ledger.keys import KeyRecord, export_keys
from ledger.proofs import store_block_roots
from ledger.incremental import start_from
from ledger.schedule import TrustAnchor
from ledger.verify import Fault, VerifyReport, verify_journal, verify_stored
from payments.dates import DatePolicy
from payments.journal_signers import JournalSigners
from payments.ports import Clock, KeyVault, UnitOfWork

UowFactory = Callable[..., UnitOfWork]


class LedgerService:
    def __init__(self, uow_factory: UowFactory, vault: KeyVault, clock: Clock, dates: DatePolicy | None = None) -> None:
        self._uow = uow_factory
        self._vault = vault
        self._clock = clock
        self.dates = dates or DatePolicy()
        self._signers = JournalSigners(vault, clock, self.dates)

    def _journal(self, uow: UnitOfWork) -> Journal:
        return self._signers.journal(uow.ledger)

    def journal_for(self, uow: UnitOfWork) -> Journal:
        """The journal with the active signer, for a use case posting inside its own unit of work."""
        return self._journal(uow)

    # -- set-up ----------------------------------------------------------------------------------------
    def initialize(self, chart: Iterable[Account]) -> bool:
        """Create the genesis entry and its key (once) and add missing accounts. True when the journal was new."""
        with self._uow() as uow:
            sequence, _ = uow.ledger.lock_head()
            created = sequence == 0
            if created:
                Journal(uow.ledger, self._signers.create("ledger"), self._clock).genesis()
            uow.ledger_queries.add_accounts(chart)
            uow.commit()
        return created

    def add_accounts(self, accounts: Iterable[Account]) -> int:
        with self._uow() as uow:
            added = uow.ledger_queries.add_accounts(accounts)
            uow.commit()
        return added

    # -- posting ---------------------------------------------------------------------------------------
    def post(self, drafts: Sequence[EntryDraft]) -> list[Posted]:
        """Post a batch atomically; replays of the same id and body return the stored entries."""
        with self._uow() as uow:
            result = self._journal(uow).post_many(drafts)
            uow.commit()
        return result

    def reverse(self, entry_id: str, *, effective_date: dt.date | None = None, memo: str = "",
                reversal_id: str | None = None) -> Posted:
        """Post the reversal of ``entry_id`` (idempotent when ``reversal_id`` is reused)."""
        with self._uow() as uow:
            original = uow.ledger_queries.get_entry(entry_id)
            if original is None:
                raise EntryNotFound(entry_id)
            draft = reversal_of(original.draft, entry_id=reversal_id or new_entry_id(),
                                effective_date=effective_date or self._clock.now().date(), memo=memo)
            result = self._journal(uow).post(draft)
            uow.commit()
        return result

    # -- keys and checkpoints --------------------------------------------------------------------------
    def rotate_key(self) -> SealedEntry:
        """A new signing key, introduced by an entry signed by the old key and co-signed by the new."""
        with self._uow() as uow:
            journal = self._journal(uow)
            entry = journal.rotate_key(self._signers.create("ledger"))
            uow.commit()
        return entry

    def keys(self) -> list[KeyRecord]:
        with self._uow(read_only=True) as uow:
            return list(uow.ledger.keys())

    def export_public_keys(self) -> str:
        return export_keys(self.keys())

    def checkpoint(self) -> Checkpoint:
        """Sign a checkpoint of the journal as it stands, store it and return it for export."""
        with self._uow() as uow:
            cp = self._signers.checkpoint(uow.ledger, "ledger")
            uow.ledger_queries.add_checkpoint(cp)
            store_block_roots(uow.ledger, cp.sequence)
            uow.commit()
        return cp

    def verify(self, *, keys: dict[str, KeyRecord] | None = None, anchor: TrustAnchor | None = None,
               checkpoint: Checkpoint | None = None, checkpoints: Sequence[Checkpoint] = (),
               stored_checkpoints: bool = True, workers: int | None = None,
               progress: Callable[[int], None] | None = None, since: Checkpoint | None = None) -> VerifyReport:
        """Verify the stored journal against ``checkpoint``/``checkpoints`` kept outside it and, unless told not
        to, every checkpoint stored with it.

        Trust comes from ``anchor`` (the genesis key's fingerprint, a keys file, or the database's own genesis
        key); ``keys`` from an exported keys file is the same as ``TrustAnchor(keys=...)``; with neither, the
        database's genesis key is taken as given. The key registry, the head row and the stored checkpoints
        are checked against the entries, never trusted. With ``since``, a checkpoint verified before, only the
        entries after it are verified, once the store is shown to still extend it (``ledger.incremental``).
        """
        if anchor is None:
            anchor = TrustAnchor(keys=tuple(keys.values())) if keys is not None else TrustAnchor(database=True)
        with self._uow(read_only=True) as uow:
            registry = {k.key_id: k for k in uow.ledger.keys()}
            checkpoints = [*(uow.ledger_queries.checkpoints("ledger") if stored_checkpoints else ()), *checkpoints]
            last = uow.ledger.last_sequence()
            stored = uow.ledger.stored_state(last)
            reader = uow.ledger.row_reader()
            start = start_from(since, uow.ledger) if since is not None else None
            if isinstance(start, Fault):  # the store no longer extends the checkpoint verification was to start from
                return VerifyReport(ok=False, entries_checked=0, head_sequence=last, head_hash="", fault=start,
                                    checkpoint_sequence=since.sequence if since else None, trust=anchor.describe())
            if reader is None:  # a store no other process can read (in-memory SQLite): the whole journal, here
                return verify_journal(uow.ledger.iter_entries(), registry, anchor=anchor, checkpoint=checkpoint,
                                      checkpoints=checkpoints, stored=stored, workers=workers, progress=progress,
                                      expected_total=uow.ledger_queries.count_entries())
        # Outside the unit of work: the workers read on their own connections, the parent holds none.
        try:
            return verify_stored(reader, last, registry, anchor=anchor, checkpoint=checkpoint,
                                 checkpoints=checkpoints, stored=stored, workers=workers, progress=progress,
                                 start=start)
        finally:
            close = getattr(reader, "close", None)
            if close:
                close()
