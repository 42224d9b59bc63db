"""Appending to the journal: validate, deduplicate by id, chain, sign, store — all inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from ledger.canonical import (GENESIS_PREV_HASH, VERSION_BYTE, canonical_bytes, canonical_parts, chain_hash,
                              encode_json)
from ledger.entries import EntryCode, EntryDraft, SealedEntry, new_entry_id, validate_draft
from ledger.errors import (EntryAlreadyReversed, JournalAlreadyInitialized, JournalNotInitialized, LedgerError,
                           ReversalDoesNotMirror, ReversalTargetMissing, ReversalWithoutTarget, SameKey,
                           SigningKeyRotated)
from ledger.keys import KeyRecord
from ledger.ports import AppendConflict, Clock, JournalStore
from ledger.signing import Signer


_LARGE_BATCH = 100


class EntryExistsWithDifferentBody(LedgerError):
    code = "entry_exists_with_different_body"

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"entry {entry_id} already exists with a different body", entry_id=entry_id)


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome for one draft: the stored entry and whether this call created it."""

    entry: SealedEntry
    created: bool


def format_time(moment: dt.datetime) -> str:
    """RFC 3339 UTC with microseconds, the form stored in ``recorded_at``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Journal:
    """Posts entries to one journal. Never commits: the use case that holds the transaction does."""

    def __init__(self, store: JournalStore, signer: Signer, clock: Clock, *, financial: bool = True,
                 signer_for: Callable[[str], Signer] | None = None) -> None:
        self._store = store
        self._signer = signer
        self._clock = clock
        # The audit journal reuses this machinery for events that carry no postings.
        self._financial = financial
        # The signer was chosen from the registry before the head was locked; a rotation may have committed
        # since. Under the lock the key in force is read again, and ``signer_for`` gives its signer.
        self._signer_for = signer_for

    def _key_in_force(self, key_in_force: str | None) -> None:
        """Under the head lock: sign with the key in force now, or refuse (nothing written) when it is unknown."""
        if key_in_force is None or key_in_force == self._signer.key_id:
            return
        if self._signer_for is None:
            raise SigningKeyRotated(f"the signing key was rotated to {key_in_force} while this was being posted; "
                                    "nothing was written: post again")
        self._signer = self._signer_for(key_in_force)

    @property
    def signer(self) -> Signer:
        return self._signer

    def post(self, draft: EntryDraft) -> Posted:
        """Post one entry; a replay of the same id and body returns the stored entry."""
        return self.post_many([draft])[0]

    def post_many(self, drafts: Sequence[EntryDraft]) -> list[Posted]:
        """Post a batch in one lock of the chain head: the fast path. All or nothing."""
        drafts = list(drafts)
        # A batch allocates a dozen small acyclic objects per entry (rows, hashes, sealed entries); the
        # cyclic collector would rescan the whole heap for them again and again (about 19 us of CPU per
        # entry, measured), partly while the head lock is held, so it waits until the batch is posted.
        paused = len(drafts) >= _LARGE_BATCH and gc.isenabled()
        if paused:
            gc.disable()
        try:
            return self._post_many(drafts)
        finally:
            if paused:
                gc.enable()

    def _post_many(self, drafts: list[EntryDraft]) -> list[Posted]:
        unique: dict[str, EntryDraft] = {}
        for draft in drafts:
            first = unique.setdefault(draft.id, draft)
            if first is not draft and first.body() != draft.body():
                raise EntryExistsWithDifferentBody(draft.id)
        accounts = None
        if self._financial:
            accounts = self._store.accounts({p.account for d in unique.values() for p in d.postings})
        for draft in unique.values():
            validate_draft(draft, accounts, require_postings=self._financial)
            if draft.code == EntryCode.REVERSAL.value and draft.reverses is None:
                raise ReversalWithoutTarget("a reversal entry must name the entry it reverses")

        # Everything of the canonical bytes but the time and the place, before the head lock: writers
        # serialize under it, and what remains there is a hash and a signature per entry and the insert.
        key_id = self._signer.key_id
        parts = {d.id: canonical_parts(d, key_id=key_id) for d in unique.values()}

        sequence, prev, in_force = self._store.lock_head_and_key()
        if in_force is not None and in_force != key_id:
            self._key_in_force(in_force)  # a rotation committed while the head was awaited: seal for the new key
            parts = {d.id: canonical_parts(d, key_id=self._signer.key_id) for d in unique.values()}
        if sequence == 0 and drafts and drafts[0].code != EntryCode.LEDGER_GENESIS.value:
            raise JournalNotInitialized("the journal has no genesis entry; run `disburse init` first")
        stamp_text = format_time(self._clock.now())
        stamp = encode_json(stamp_text)
        # Optimistic: a fresh id is almost never stored already, so nothing is looked up but the targets of
        # reversals; a replayed id makes the store refuse the whole append (AppendConflict), and only then
        # are the stored entries read, still under the lock, and the rest sealed again.
        reversals = [d for d in unique.values() if d.reverses]
        existing = self._store.entries_by_id([d.id for d in reversals]) if reversals else {}
        made: dict[str, SealedEntry] = {}
        try:
            self._check_reversals([d for d in reversals if d.id not in existing], existing)
            self._append(unique, existing, parts, sequence, prev, stamp_text, stamp, made)
        except AppendConflict:
            existing = self._store.entries_by_id(unique.keys())
            self._check_reversals([d for d in reversals if d.id not in existing], existing)
            made.clear()
            self._append(unique, existing, parts, sequence, prev, stamp_text, stamp, made)

        out: list[Posted] = []
        out_by_id: dict[str, SealedEntry] = {}
        for draft in drafts:
            stored = existing.get(draft.id)
            if stored is not None:
                if stored.draft.body() != draft.body():
                    raise EntryExistsWithDifferentBody(draft.id)
                out.append(Posted(stored, created=False))
            else:
                entry = made.pop(draft.id, None)  # the first mention of an id created it; later ones repeat it
                out.append(Posted(entry, created=True) if entry else Posted(out_by_id[draft.id], created=False))
            out_by_id[draft.id] = out[-1].entry
        return out

    def _append(self, unique: dict[str, EntryDraft], existing: Mapping[str, SealedEntry],
                parts: dict[str, tuple[bytes, bytes]], sequence: int, prev: bytes, stamp_text: str, stamp: bytes,
                made: dict[str, SealedEntry]) -> None:
        fresh = [d for d in unique.values() if d.id not in existing]
        if not fresh:
            return
        key_id, sign, sha256 = self._signer.key_id, self._signer.sign, hashlib.sha256

        def sealed() -> Iterator[SealedEntry]:
            # Taken by the store one at a time, so it can send each row while the next is signed.
            nonlocal sequence, prev
            for draft in fresh:
                sequence += 1
                head, tail = parts[draft.id]
                digest = sha256(VERSION_BYTE + prev + head + stamp + tail + str(sequence).encode() + b"}").digest()
                entry = SealedEntry(draft, sequence, stamp_text, key_id, prev, digest, sign(digest))
                made[draft.id] = entry
                prev = digest
                yield entry

        self._store.append(sealed())
        if len(made) != len(fresh):
            raise RuntimeError("the journal store did not take every sealed entry")

    def _seal(self, draft: EntryDraft, sequence: int, recorded_at: str, prev: bytes,
              cosigner: Signer | None = None) -> SealedEntry:
        body = canonical_bytes(draft, sequence=sequence, recorded_at=recorded_at, key_id=self._signer.key_id)
        digest = chain_hash(prev, body)
        return SealedEntry(draft=draft, sequence=sequence, recorded_at=recorded_at, key_id=self._signer.key_id,
                           prev_hash=prev, hash=digest, signature=self._signer.sign(digest),
                           cosignature=cosigner.sign(digest) if cosigner else None)

    def _check_reversals(self, reversals: Iterable[EntryDraft], existing: Mapping[str, SealedEntry]) -> None:
        reversals = list(reversals)
        if not reversals:
            return
        targets = {d.reverses for d in reversals if d.reverses is not None}  # each names one (see post_many)
        if len(targets) != len(reversals):
            raise EntryAlreadyReversed("two reversals of the same entry in one batch")
        originals = self._store.entries_by_id(targets)
        already = self._store.reversed_ids(targets)
        for draft in reversals:
            original = originals.get(draft.reverses or "")
            if original is None:
                raise ReversalTargetMissing(f"entry {draft.reverses} to reverse does not exist")
            if draft.reverses in already:
                raise EntryAlreadyReversed(f"entry {draft.reverses} is already reversed")
            if draft.code == EntryCode.REVERSAL.value and not _mirrors(draft, original.draft):
                raise ReversalDoesNotMirror(f"reversal {draft.id} must mirror every posting of {draft.reverses}")

    # -- keys ------------------------------------------------------------------------------------------

    def genesis(self, memo: str = "Disburse journal genesis") -> SealedEntry:
        """The first entry: introduces this journal's first key, signed by it."""
        sequence, prev = self._store.lock_head()
        if sequence != 0:
            raise JournalAlreadyInitialized("the journal already has a genesis entry")
        now_dt = self._clock.now()
        now = format_time(now_dt)
        draft = EntryDraft(id=new_entry_id(), effective_date=now_dt.date(), code=EntryCode.LEDGER_GENESIS.value,
                           postings=(), memo=memo,
                           data={"key_id": self._signer.key_id, "public_key": self._signer.public_key.hex()})
        entry = self._seal(draft, 1, now, GENESIS_PREV_HASH)
        self._store.add_key(KeyRecord(self._signer.key_id, self._signer.public_key, 1, now))
        self._store.append([entry])
        return entry

    def rotate_key(self, new_signer: Signer, memo: str = "signing key rotated") -> SealedEntry:
        """Introduce ``new_signer``: the rotation entry is signed by the current key and co-signed by the new one."""
        if new_signer.key_id == self._signer.key_id:
            raise SameKey("the new key is the current key")
        sequence, prev, in_force = self._store.lock_head_and_key()
        if in_force is not None and in_force != self._signer.key_id:
            raise SigningKeyRotated(f"the signing key was rotated to {in_force} meanwhile; nothing was written")
        now_dt = self._clock.now()
        now = format_time(now_dt)
        draft = EntryDraft(id=new_entry_id(), effective_date=now_dt.date(), code=EntryCode.KEY_ROTATED.value,
                           postings=(), memo=memo,
                           data={"previous_key_id": self._signer.key_id, "key_id": new_signer.key_id,
                                 "public_key": new_signer.public_key.hex()})
        entry = self._seal(draft, sequence + 1, now, prev, cosigner=new_signer)
        self._store.append([entry])
        self._store.close_key(self._signer.key_id, sequence + 1, now)
        self._store.add_key(KeyRecord(new_signer.key_id, new_signer.public_key, sequence + 2, now))
        self._signer = new_signer
        return entry


def _mirrors(reversal: EntryDraft, original: EntryDraft) -> bool:
    def legs(d: EntryDraft, flip: bool) -> list[tuple[str, bool, int, str]]:
        return sorted((p.account, (p.direction.value == "debit") ^ flip, p.amount_minor, p.currency) for p in d.postings)
    return legs(reversal, False) == legs(original, True)

