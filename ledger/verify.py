"""Offline verification of a journal: needs only its entries, the public keys and, optionally, a checkpoint.

Per entry, in this order, the first fault wins: ``sequence_gap`` (sequence is not previous + 1),
``hash_mismatch`` (the stored hash is not SHA-256 of version, previous hash and the re-derived canonical
bytes, or ``prev_hash`` does not link to the previous entry), ``unbalanced``, ``unknown_key`` (no
registered key of that id covers this sequence, or a rotation introduces a key the registry disagrees
with), ``bad_signature`` (also a rotation's co-signature). Against a checkpoint: ``truncated`` (the
journal ends before it) and ``checkpoint_mismatch`` (a different entry, Merkle root or balances there,
or a checkpoint signature that does not verify).

Signatures are the costly part (about 0.2 ms each), so they are checked in worker processes in
chunks while the main process re-derives hashes; the earliest fault by sequence is reported.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Mapping

from ledger.canonical import GENESIS_PREV_HASH, canonical_bytes, chain_hash
from ledger.checkpoint import BalanceTally, Checkpoint
from ledger.entries import EntryCode, SealedEntry, balance_problem
from ledger.keys import KeyRecord, key_for
from ledger.merkle import MerkleAccumulator
from ledger.signing import signature_checker, verify_signature

FAULT_CODES = ("sequence_gap", "hash_mismatch", "unbalanced", "unknown_key", "bad_signature", "truncated",
               "checkpoint_mismatch")
_CHUNK = 1024
_PARALLEL_FROM = 4096  # below this, starting processes costs more than it saves


@dataclass(frozen=True, slots=True)
class Fault:
    """The first thing wrong: where (sequence, entry id) and what (a stable code and a sentence)."""

    sequence: int
    entry_id: str | None
    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The verdict: ``ok`` with the head reached, or the first fault."""

    ok: bool
    entries_checked: int
    head_sequence: int
    head_hash: str
    fault: Fault | None
    checkpoint_sequence: int | None = None

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=2, sort_keys=True)

    def describe(self) -> str:
        cp = f", extends checkpoint at {self.checkpoint_sequence}" if self.checkpoint_sequence and self.ok else ""
        if self.ok:
            return f"journal verifies: {self.entries_checked} entries, head {self.head_sequence} {self.head_hash[:16]}…{cp}"
        f = self.fault
        where = f"entry {f.entry_id} (sequence {f.sequence})" if f.entry_id else f"sequence {f.sequence}"
        return f"journal does NOT verify: {f.code} at {where}: {f.detail}"


def _check_signatures(items: list[tuple[int, bytes, bytes, bytes]]) -> list[int]:
    """Worker body: the sequences whose signature fails. Each public key is parsed once per chunk."""
    checkers: dict[bytes, Callable[[bytes, bytes], bool]] = {}
    bad = []
    for seq, public, sig, msg in items:
        check = checkers.get(public)
        if check is None:
            check = checkers[public] = signature_checker(public)
        if not check(sig, msg):
            bad.append(seq)
    return bad


def verify_journal(entries: Iterable[SealedEntry], keys: Mapping[str, KeyRecord], *,
                   checkpoint: Checkpoint | None = None, workers: int | None = None,
                   progress: Callable[[int], None] | None = None, expected_total: int | None = None) -> VerifyReport:
    """Verify a journal given in sequence order. ``workers`` processes check signatures (default: all cores)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    pool: ProcessPoolExecutor | None = None
    if workers > 1 and (expected_total is None or expected_total >= _PARALLEL_FROM):
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    pending: list[tuple[Future | list[int], dict[int, str]]] = []
    faults: list[Fault] = []
    merkle, tally = MerkleAccumulator(), BalanceTally()
    cp_state: tuple[bytes, bytes, bytes] | None = None  # head hash, merkle root, balances at the checkpoint
    prev_seq, prev_hash, checked = 0, GENESIS_PREV_HASH, 0
    batch: list[tuple[int, bytes, bytes, bytes]] = []
    ids: dict[int, str] = {}

    def flush() -> None:
        nonlocal batch, ids
        if batch:
            pending.append((pool.submit(_check_signatures, batch) if pool else _check_signatures(batch), ids))
            batch, ids = [], {}

    try:
        for entry in entries:
            seq, eid = entry.sequence, entry.id
            fault = _sequential_fault(entry, prev_seq, prev_hash, keys)
            if fault:
                faults.append(fault)
                break
            key = key_for(keys, entry.key_id, seq)
            batch.append((seq, key.public_key, entry.signature, entry.hash))
            ids[seq] = eid
            if entry.draft.code == EntryCode.KEY_ROTATED.value:
                rot = _rotation_fault(entry, keys)
                if rot:
                    faults.append(rot)
                    break
            merkle.add(entry.hash)
            tally.add(entry)
            if checkpoint is not None and seq == checkpoint.sequence:
                cp_state = (entry.hash, merkle.root(), tally.digest())
            prev_seq, prev_hash, checked = seq, entry.hash, checked + 1
            if len(batch) >= _CHUNK:
                flush()
                if progress:
                    progress(checked)
        flush()
        for result, chunk_ids in pending:
            bad = result.result() if isinstance(result, Future) else result
            faults.extend(Fault(s, chunk_ids[s], "bad_signature", "the Ed25519 signature does not verify under "
                                "the entry's key") for s in bad)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    if progress:
        progress(checked)
    if not faults and checkpoint is not None:
        cp_fault = _checkpoint_fault(checkpoint, prev_seq, cp_state, keys)
        if cp_fault:
            faults.append(cp_fault)
    first = min(faults, key=lambda f: f.sequence) if faults else None
    return VerifyReport(ok=first is None, entries_checked=checked, head_sequence=prev_seq, head_hash=prev_hash.hex(),
                        fault=first, checkpoint_sequence=checkpoint.sequence if checkpoint else None)


def _sequential_fault(entry: SealedEntry, prev_seq: int, prev_hash: bytes,
                      keys: Mapping[str, KeyRecord]) -> Fault | None:
    seq, eid = entry.sequence, entry.id
    if seq != prev_seq + 1:
        what = f"entries {prev_seq + 1}..{seq - 1} are missing" if seq > prev_seq + 1 else \
            f"sequence {seq} follows {prev_seq}"
        return Fault(prev_seq + 1 if seq > prev_seq else seq, eid if seq <= prev_seq else None, "sequence_gap", what)
    if entry.prev_hash != prev_hash:
        return Fault(seq, eid, "hash_mismatch", "prev_hash does not link to the previous entry's hash "
                     "(an entry was removed, inserted or reordered)")
    body = canonical_bytes(entry.draft, sequence=seq, recorded_at=entry.recorded_at, key_id=entry.key_id)
    if chain_hash(prev_hash, body) != entry.hash:
        return Fault(seq, eid, "hash_mismatch", "the stored hash does not match the entry's content "
                     "(the entry was altered)")
    problem = balance_problem(entry.draft.postings)
    if problem:
        return Fault(seq, eid, "unbalanced", problem)
    if key_for(keys, entry.key_id, seq) is None:
        why = "is not a registered key" if entry.key_id not in keys else "was not valid at this sequence"
        return Fault(seq, eid, "unknown_key", f"key {entry.key_id} {why}")
    return None


def _rotation_fault(entry: SealedEntry, keys: Mapping[str, KeyRecord]) -> Fault | None:
    data = entry.draft.data
    new_id, new_public = data.get("key_id"), bytes.fromhex(str(data.get("public_key", "")))
    registered = keys.get(str(new_id))
    if registered is None or registered.public_key != new_public \
            or registered.valid_from_sequence != entry.sequence + 1:
        return Fault(entry.sequence, entry.id, "unknown_key",
                     f"rotation introduces key {new_id} that the key registry does not hold from the next entry on")
    if not entry.cosignature or not verify_signature(new_public, entry.cosignature, entry.hash):
        return Fault(entry.sequence, entry.id, "bad_signature", f"the new key {new_id} did not co-sign its rotation")
    return None


def _checkpoint_fault(cp: Checkpoint, last_seq: int, state: tuple[bytes, bytes, bytes] | None,
                      keys: Mapping[str, KeyRecord]) -> Fault | None:
    key = key_for(keys, cp.key_id, cp.sequence)
    if key is None or not cp.signature_valid(key.public_key):
        return Fault(cp.sequence, None, "checkpoint_mismatch", "the checkpoint's signature does not verify")
    if last_seq < cp.sequence or state is None:
        return Fault(last_seq + 1, None, "truncated",
                     f"the journal ends at sequence {last_seq} but the checkpoint covers {cp.sequence}")
    head, root, balances = state
    if head != cp.head_hash:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "the entry at the checkpoint is not the one it signed")
    if root != cp.merkle_root:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "the Merkle root up to the checkpoint differs")
    if balances != cp.balances_digest:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "account balances at the checkpoint differ")
    return None
