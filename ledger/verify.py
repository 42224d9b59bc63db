"""Offline verification of a journal: needs only its entries, the public keys and, optionally, a checkpoint.

Per entry, in this order, the first fault wins: ``sequence_gap`` (sequence is not previous + 1),
``hash_mismatch`` (the stored hash is not SHA-256 of version, previous hash and the re-derived canonical
bytes, or ``prev_hash`` does not link to the previous entry), ``unbalanced``, ``unknown_key`` (no
registered key of that id covers this sequence, or a rotation introduces a key the registry disagrees
with), ``bad_signature`` (also a rotation's co-signature). Against a checkpoint: ``truncated`` (the
journal ends before it) and ``checkpoint_mismatch`` (a different entry, Merkle root or balances there,
or a checkpoint signature that does not verify).

Everything per entry is done in worker processes over aligned runs of 1,024 rows (``verify_chunk``):
canonical bytes, hash, balance, key window and the Ed25519 signature, which is most of the cost. On a
database the workers read their runs themselves; the parent only links the runs' ends, adds their
Merkle subtrees and balance totals, and reports the earliest fault by sequence.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ledger.canonical import GENESIS_PREV_HASH
from ledger.checkpoint import BalanceTally, Checkpoint
from ledger.entries import SealedEntry, _plain
from ledger.keys import KeyRecord, key_for
from ledger.merkle import MerkleAccumulator
from ledger.verify_chunk import RANK, ChunkResult, check_rows

FAULT_CODES = ("sequence_gap", "hash_mismatch", "unbalanced", "unknown_key", "bad_signature", "truncated",
               "checkpoint_mismatch")
_CHUNK = 1024  # rows per worker task: a power of two, so that a whole aligned run is a Merkle subtree
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


class RowReader(Protocol):
    """Reads stored rows ``first``..``last`` (sequences, inclusive) in the layout of ``ledger.verify_chunk``.

    Called in worker processes (forked after it was made): it must open its own connection there.
    """

    def __call__(self, first: int, last: int) -> Sequence[Sequence]: ...


# Set in each worker process by the pool's initializer (inherited by fork, never pickled).
_KEYS: Mapping[str, KeyRecord] = {}
_READER: RowReader | None = None


def _init_worker(keys: Mapping[str, KeyRecord], reader: RowReader | None) -> None:
    global _KEYS, _READER
    _KEYS, _READER = keys, reader


def _check_range(first: int, last: int, checkpoint_sequence: int | None) -> ChunkResult:
    """Worker task: read rows first..last itself (positional reads on its own connection) and check them."""
    cp = checkpoint_sequence if checkpoint_sequence is not None and first <= checkpoint_sequence <= last else None
    return check_rows(_READER(first, last), _KEYS, checkpoint_sequence=cp, subtree=True)


def _check_given(rows: list, checkpoint_sequence: int | None) -> ChunkResult:
    """Worker task: check rows the parent sent."""
    return check_rows(rows, _KEYS, checkpoint_sequence=checkpoint_sequence, subtree=True)


def verify_stored(reader: RowReader, last_sequence: int, keys: Mapping[str, KeyRecord], *,
                  checkpoint: Checkpoint | None = None, workers: int | None = None,
                  progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Verify stored entries 1..``last_sequence`` (the highest stored): the fast path for a database.

    The parent only hands out runs of sequences and links their ends; each worker reads its run with
    ``reader``, re-derives canonical bytes and hashes, checks balances, key windows and signatures,
    and returns the run's Merkle subtree and balance totals (default: one worker per core).
    """
    cp_seq = checkpoint.sequence if checkpoint else None
    tasks = ((_check_range, (lo, min(lo + _CHUNK - 1, last_sequence), cp_seq))
             for lo in range(1, last_sequence + 1, _CHUNK))
    return _verify(tasks, keys, reader, checkpoint, _pool_size(workers, last_sequence), progress)


def verify_journal(entries: Iterable[SealedEntry], keys: Mapping[str, KeyRecord], *,
                   checkpoint: Checkpoint | None = None, workers: int | None = None,
                   progress: Callable[[int], None] | None = None, expected_total: int | None = None) -> VerifyReport:
    """Verify a journal given as entries in sequence order; the parent sends runs of rows to the workers."""
    cp_seq = checkpoint.sequence if checkpoint else None
    tasks = ((_check_given, (run, cp_seq if cp_seq is not None and run[0][0] <= cp_seq <= run[-1][0] else None))
             for run in _runs(entries))
    size = _pool_size(workers, expected_total) if expected_total is not None else _pool_size(workers, _PARALLEL_FROM)
    return _verify(tasks, keys, None, checkpoint, size, progress)


def _pool_size(workers: int | None, total: int) -> int:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    return workers if workers > 1 and total >= _PARALLEL_FROM else 1


def entry_row(e: SealedEntry) -> tuple:
    """An entry in the row layout of ``ledger.verify_chunk`` (for stores that hold objects, not rows)."""
    d = e.draft
    return (e.sequence, d.id, d.effective_date, e.recorded_at, d.code, d.memo, dict(d.references), _plain(d.data),
            d.reverses, e.key_id, e.prev_hash, e.hash, e.signature, e.cosignature,
            tuple((p.account, getattr(p.direction, "value", p.direction), p.amount_minor, p.currency)
                  for p in d.postings))


def _runs(entries: Iterable[SealedEntry]) -> Iterator[list]:
    """Rows of the entries, cut where a sequence crosses a multiple of the run length (aligned runs)."""
    run: list = []
    for e in entries:
        row = entry_row(e)
        if run and (e.sequence - 1) // _CHUNK > (run[-1][0] - 1) // _CHUNK:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


def _verify(tasks: Iterator[tuple[Callable, tuple]], keys: Mapping[str, KeyRecord], reader: RowReader | None,
            checkpoint: Checkpoint | None, workers: int, progress: Callable[[int], None] | None) -> VerifyReport:
    pool: ProcessPoolExecutor | None = None
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(keys, reader))
    else:
        _init_worker(keys, reader)
    merkle, totals = MerkleAccumulator(), BalanceTally()
    cp_state: tuple[bytes, bytes, bytes] | None = None  # head hash, merkle root, balances at the checkpoint
    cp_root = cp_head = None
    last_seq, last_hash, checked, faults = 0, GENESIS_PREV_HASH, 0, []
    inflight: deque = deque()
    try:
        results = _in_order(pool, tasks, inflight, 3 * workers)
        for r in results:
            if r.count == 0:
                continue
            if r.first_sequence > last_seq + 1:
                faults.append((last_seq + 1, None, "sequence_gap", f"entries {last_seq + 1}..{r.first_sequence - 1} "
                               "are missing"))
            elif r.first_sequence <= last_seq:
                faults.append((r.first_sequence, r.first_id, "sequence_gap",
                               f"sequence {r.first_sequence} follows {last_seq}"))
            elif r.first_prev_hash != last_hash:
                faults.append((r.first_sequence, r.first_id, "hash_mismatch", "prev_hash does not link to the "
                               "previous entry's hash (an entry was removed, inserted or reordered)"))
            faults.extend(r.faults)
            if faults:
                checked += r.count
                break  # every later run holds later sequences: the first fault is in hand
            if r.merkle_root is not None:
                merkle.add_subtree(r.count, r.merkle_root)
            else:
                for h in r.hashes:
                    merkle.add(h)
                    if checkpoint is not None and merkle.count == checkpoint.sequence:
                        cp_root, cp_head = merkle.root(), h
            if r.tally_at_checkpoint is not None:
                at_cp = BalanceTally()
                at_cp.merge(totals.totals())
                at_cp.merge(r.tally_at_checkpoint)
                cp_state = (cp_head, cp_root, at_cp.digest())
            totals.merge(r.tally)
            last_seq, last_hash, checked = r.last_sequence, r.last_hash, checked + r.count
            if progress:
                progress(checked)
    finally:
        if pool:
            for f in inflight:
                f.cancel()
            pool.shutdown(cancel_futures=True)
    found = [Fault(*f) for f in sorted(faults, key=lambda f: (f[0], RANK.get(f[2], 9)))]
    if not found and checkpoint is not None:
        cp_fault = _checkpoint_fault(checkpoint, last_seq, cp_state, keys)
        if cp_fault:
            found.append(cp_fault)
    first = found[0] if found else None
    if progress:
        progress(checked)
    return VerifyReport(ok=first is None, entries_checked=checked, head_sequence=last_seq, head_hash=last_hash.hex(),
                        fault=first, checkpoint_sequence=checkpoint.sequence if checkpoint else None)


def _in_order(pool: ProcessPoolExecutor | None, tasks: Iterator[tuple[Callable, tuple]], inflight: deque,
              limit: int) -> Iterator[ChunkResult]:
    """Results in task order, with at most ``limit`` tasks handed out ahead (bounded memory)."""
    if pool is None:
        for fn, args in tasks:
            yield fn(*args)
        return
    for fn, args in tasks:
        inflight.append(pool.submit(fn, *args))
        if len(inflight) >= limit:
            yield inflight.popleft().result()
    while inflight:
        yield inflight.popleft().result()


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
