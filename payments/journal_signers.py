"""The signer in force for a signed journal, and the journal it signs: one implementation for every use case.

The key in force is the registry's open key (no ``valid_to_sequence``); the newest such key wins while a rotation
is being recorded. Private keys come from the vault once and are kept per key id, so a service that posts often
does not reopen its key file on every unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledger.checkpoint import BalanceTally, Checkpoint
from ledger.entries import EntryDraft
from ledger.errors import CheckpointFailed, JournalNotInitialized
from ledger.journal import Journal, Posted, format_time
from ledger.keys import KeyRecord
from ledger.merkle import MerkleAccumulator
from ledger.ports import Clock, JournalStore
from ledger.signing import Signer
from payments.dates import DatePolicy, check_entry_dates
from payments.ports import KeyVault


class DatedJournal(Journal):
    """The financial journal: an entry dated outside the date policy is refused before anything is signed."""

    def __init__(self, store: JournalStore, signer: Signer, clock: Clock, dates: DatePolicy,
                 signer_for: Callable[[str], Signer] | None = None) -> None:
        super().__init__(store, signer, clock, financial=True, signer_for=signer_for)
        self._dates = dates

    def post_many(self, drafts: Sequence[EntryDraft]) -> list[Posted]:
        drafts = list(drafts)
        check_entry_dates(drafts, self._dates, self._clock.now().date())
        return super().post_many(drafts)


class JournalSigners:
    def __init__(self, vault: KeyVault, clock: Clock, dates: DatePolicy | None = None) -> None:
        self._vault = vault
        self._clock = clock
        self._dates = dates or DatePolicy()
        self._signers: dict[str, Signer] = {}

    def active(self, keys: Sequence[KeyRecord]) -> Signer:
        """The signer of the key in force; ``journal_not_initialized`` when the journal has none yet."""
        open_keys = [k for k in keys if k.valid_to_sequence is None]
        if not open_keys:
            raise JournalNotInitialized("the ledger has no signing key; run `disburse init`")
        key_id = open_keys[-1].key_id
        if key_id not in self._signers:
            self._signers[key_id] = self._vault.signer(key_id)
        return self._signers[key_id]

    def signer_of(self, key_id: str) -> Signer:
        """The signer of ``key_id`` (from the vault, once): what a journal signs with when it finds, under the head
        lock, that a rotation made another key the key in force."""
        if key_id not in self._signers:
            self._signers[key_id] = self._vault.signer(key_id)
        return self._signers[key_id]

    def journal(self, store: JournalStore, *, financial: bool = True) -> Journal:
        """``store``'s journal, signed with its key in force."""
        if financial:
            return DatedJournal(store, self.active(store.keys()), self._clock, self._dates, self.signer_of)
        return Journal(store, self.active(store.keys()), self._clock, financial=False, signer_for=self.signer_of)

    def create(self, purpose: str) -> Signer:
        """A new key for a new journal's genesis, kept for the entries that follow it."""
        signer = self._vault.create(purpose)
        self._signers[signer.key_id] = signer
        return signer

    def checkpoint(self, store: JournalStore, name: str) -> Checkpoint:
        """A signed checkpoint of ``store`` as it stands: head, Merkle root and balances digest, with its head locked
        in the caller's unit of work so that nothing is appended while it is read."""
        head, _ = store.lock_head()
        merkle, tally, last = MerkleAccumulator(), BalanceTally(), None
        for entry in store.iter_entries():
            merkle.add(entry.hash)
            tally.add(entry)
            last = entry
        if last is None or last.sequence != head:
            raise CheckpointFailed(f"the {name} journal is empty or its head is inconsistent")
        signer = self.active(store.keys())
        return Checkpoint(name, last.sequence, last.hash, merkle.root(), tally.digest(),
                          format_time(self._clock.now()), signer.key_id).signed_by(signer)
