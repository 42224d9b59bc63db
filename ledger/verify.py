"""Offline verification of a journal: its entries, the key schedule they carry, a trust anchor, checkpoints.

Per entry the first fault in ``entry_rules.RANK`` order wins (``sequence_gap``, ``float_in_entry``,
``canonical_mismatch``, ``hash_mismatch``, ``invalid_field``, ``invalid_posting``,
``system_entry_with_postings``, ``unbalanced``, ``unexpected_cosignature``, ``bad_genesis``, ``bad_rotation``,
``unknown_key``, ``bad_signature``, ``untrusted_key``); the report names the first fault by sequence. Only
when every entry verifies is the journal as a whole checked, in this order: the key registry against the
schedule the journal carries (``registry_mismatch``), the stored head (``head_mismatch``), orphan postings,
and each checkpoint (``truncated``, ``checkpoint_mismatch``). docs/ledger-format.md states all of it.

Everything per entry is done in worker processes over aligned runs of 1,024 rows (``verify_chunk``):
canonical bytes, hash, rules, key window and the Ed25519 signature, which is most of the cost. On a
database the workers read their runs themselves; the parent only links the runs' ends, adds their
Merkle subtrees and balance totals, gathers what the system entries claim about keys, and reports the
earliest fault by sequence. Signatures are checked against the registry the store holds; if that differs
from the schedule the journal itself carries, the pass runs again against the journal's schedule.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ledger.canonical import GENESIS_PREV_HASH
from ledger.checkpoint import BalanceTally, Checkpoint
from ledger.entries import SealedEntry, _plain
from ledger.entry_rules import RANK
from ledger.keys import KeyRecord, key_for
from ledger.merkle import BLOCK_SIZE, MerkleAccumulator
from ledger.schedule import (TrustAnchor, as_map, derive_schedule, disagreement, reused_keys, same_windows,
                             trust_fault)
from ledger.verify_chunk import ChunkResult, check_rows, perfect_root
from ledger.verify_report import FAULT_CODES, Fault, StoredState, VerifyReport

if TYPE_CHECKING:
    from ledger.incremental import StartState

__all__ = ["FAULT_CODES", "Fault", "StoredState", "VerifyReport", "RowReader", "TrustAnchor", "verify_stored", "verify_journal",
           "verify_runs", "entry_row"]

_CHUNK = BLOCK_SIZE  # rows per worker task: a power of two, so that a whole aligned run is a Merkle subtree
_PARALLEL_FROM = 4096  # below this, starting processes costs more than it saves


class RowReader(Protocol):
    """Reads stored rows ``first``..``last`` (sequences, inclusive) in the layout of ``ledger.verify_chunk``.

    Called in worker processes (forked after it was made): it must open its own connection there.
    """

    def __call__(self, first: int, last: int) -> Sequence[Sequence[Any]]: ...


# Set in each worker process by the pool's initializer (inherited by fork, never pickled).
_KEYS: Mapping[str, KeyRecord] = {}
_READER: RowReader | None = None


def _init_worker(keys: Mapping[str, KeyRecord], reader: RowReader | None) -> None:
    global _KEYS, _READER
    _KEYS, _READER = keys, reader


def _check_range(first: int, last: int, cp_seqs: frozenset[int]) -> ChunkResult:
    """Worker task: read rows first..last itself (positional reads on its own connection) and check them."""
    if _READER is None:
        raise RuntimeError("a range task ran in a worker started without a row reader")
    return check_rows(_READER(first, last), _KEYS, checkpoint_sequences=cp_seqs, subtree=True)


def _check_given(rows: list[Any], cp_seqs: frozenset[int]) -> ChunkResult:
    """Worker task: check rows the parent sent."""
    return check_rows(rows, _KEYS, checkpoint_sequences=cp_seqs, subtree=True)


Tasks = Iterator[tuple[Callable[..., Any], tuple[Any, ...]]]


def verify_stored(reader: RowReader, last_sequence: int, registry: Mapping[str, KeyRecord], *,
                  anchor: TrustAnchor | None = None, checkpoint: Checkpoint | None = None,
                  checkpoints: Sequence[Checkpoint] = (), stored: StoredState | None = None,
                  workers: int | None = None, progress: Callable[[int], None] | None = None,
                  start: "StartState | None" = None) -> VerifyReport:
    """Verify stored entries 1..``last_sequence`` (the highest stored): the fast path for a database. With
    ``start`` (``ledger.incremental.start_from`` a checkpoint one trusts), only the entries after it.

    ``registry`` is the store's key registry (checked, not trusted, when an ``anchor`` is given; trusted
    as the anchor when it is not). Each worker reads its run with ``reader``, re-derives canonical bytes
    and hashes, applies the rules, checks key windows and signatures, and returns the run's Merkle subtree
    and balance totals (default: one worker per core).
    """
    after = start.sequence if start else 0
    cps = [cp for cp in _checkpoints(checkpoint, checkpoints) if cp.sequence > after]

    def tasks(cp_seqs: frozenset[int]) -> Tasks:
        lo = after + 1
        while lo <= last_sequence:  # aligned runs: the first one ends where a block does
            hi = min((lo - 1) // _CHUNK * _CHUNK + _CHUNK, last_sequence)
            yield _check_range, (lo, hi, frozenset(s for s in cp_seqs if lo <= s <= hi))
            lo = hi + 1
    return _verify(tasks, registry, anchor, cps, stored, reader, _pool_size(workers, last_sequence - after), progress,
                   start)


def verify_journal(entries: Iterable[SealedEntry], registry: Mapping[str, KeyRecord], *,
                   anchor: TrustAnchor | None = None, checkpoint: Checkpoint | None = None,
                   checkpoints: Sequence[Checkpoint] = (), stored: StoredState | None = None,
                   workers: int | None = None, progress: Callable[[int], None] | None = None,
                   expected_total: int | None = None) -> VerifyReport:
    """Verify a journal given as entries in sequence order; the parent sends runs of rows to the workers."""
    kept = entries if isinstance(entries, Sequence) else list(entries)
    return verify_runs(lambda: _runs(entry_row(e) for e in kept), registry, anchor=anchor, checkpoint=checkpoint,
                       checkpoints=checkpoints, stored=stored, workers=workers, progress=progress,
                       expected_total=expected_total if expected_total is not None else len(kept))


def verify_runs(make_runs: Callable[[], Iterable[list[Any]]], registry: Mapping[str, KeyRecord], *,
                anchor: TrustAnchor | None = None, checkpoint: Checkpoint | None = None,
                checkpoints: Sequence[Checkpoint] = (), stored: StoredState | Callable[[], StoredState] | None = None,
                workers: int | None = None, progress: Callable[[int], None] | None = None,
                expected_total: int | None = None) -> VerifyReport:
    """Verify rows (``verify_chunk``'s layout) given as aligned runs; ``make_runs`` may be called twice, and
    ``stored`` may be a function called once the entries are read (a file's end line comes last)."""
    cps = _checkpoints(checkpoint, checkpoints)

    def tasks(cp_seqs: frozenset[int]) -> Tasks:
        for run in make_runs():
            yield _check_given, (run, frozenset(s for s in cp_seqs if run[0][0] <= s <= run[-1][0]))
    size = _pool_size(workers, expected_total if expected_total is not None else _PARALLEL_FROM)
    return _verify(tasks, registry, anchor, cps, stored, None, size, progress)


def row_runs(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Rows cut into runs where a sequence crosses a multiple of the run length (aligned runs)."""
    return _runs(rows)


def _checkpoints(one: Checkpoint | None, many: Sequence[Checkpoint]) -> list[Checkpoint]:
    seen, out = set(), []
    for cp in ([one] if one else []) + list(many):
        if cp.to_json() not in seen:
            seen.add(cp.to_json())
            out.append(cp)
    return sorted(out, key=lambda cp: cp.sequence)


def _pool_size(workers: int | None, total: int) -> int:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    return workers if workers > 1 and total >= _PARALLEL_FROM else 1


def entry_row(e: SealedEntry) -> tuple[Any, ...]:
    """An entry in the row layout of ``ledger.verify_chunk`` (for stores that hold objects, not rows)."""
    d = e.draft
    return (e.sequence, d.id, d.effective_date, e.recorded_at, d.code, d.memo, dict(d.references), _plain(d.data),
            d.reverses, e.key_id, e.prev_hash, e.hash, e.signature, e.cosignature,
            tuple((p.account, getattr(p.direction, "value", p.direction), p.amount_minor, p.currency)
                  for p in d.postings))


def _runs(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    run: list[Any] = []
    for row in rows:
        if run and (row[0] - 1) // _CHUNK > (run[-1][0] - 1) // _CHUNK:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


@dataclass
class _Pass:
    """One pass over every entry: the earliest fault, the claims, and the state at each checkpoint."""

    fault: tuple[Any, ...] | None = None
    claims: list[Any] = field(default_factory=list)
    at_checkpoint: dict[int, Any] = field(default_factory=dict)  # sequence -> (head hash, merkle root, balances digest)
    last_seq: int = 0
    last_hash: bytes = GENESIS_PREV_HASH
    checked: int = 0
    blocks: dict[int, bytes] = field(default_factory=dict)  # block -> root, for every whole aligned block
    verified_from: int = 0  # the trusted checkpoint's sequence, in an incremental pass

    def note(self, fault: tuple[Any, ...]) -> None:
        if self.fault is None or (fault[0], RANK.get(fault[2], 99)) < (self.fault[0], RANK.get(self.fault[2], 99)):
            self.fault = fault


def _verify(tasks: Callable[[frozenset[int]], Tasks], registry: Mapping[str, KeyRecord], anchor: TrustAnchor | None,
            cps: list[Checkpoint], stored: StoredState | Callable[[], StoredState] | None, reader: RowReader | None, workers: int,
            progress: Callable[[int], None] | None, start: "StartState | None" = None) -> VerifyReport:
    cp_seqs = frozenset(cp.sequence for cp in cps)
    result = _pass(tasks(cp_seqs), registry, reader, cp_seqs, workers, progress, start)
    schedule = derive_schedule(result.claims)
    if not same_windows(registry, schedule):
        # The registry is not what the journal says: check every signature against the journal's own schedule.
        result = _pass(tasks(cp_seqs), as_map(schedule), reader, cp_seqs, workers, progress, start)
    if start is not None:
        key = checkpoint_key(start.checkpoint, schedule, result.last_seq, anchor)
        if key is None or not start.checkpoint.signature_valid(key.public_key):
            result.note((start.sequence, None, "checkpoint_mismatch", "the checkpoint verification started from is "
                         "not signed by the key in force after it"))
    for reuse in reused_keys(result.claims):
        result.note(reuse)
    head = result.last_seq
    trusted = trust_fault(anchor, schedule, head)
    if trusted:
        seq, truncated, why = trusted
        result.note((seq, None, "truncated" if truncated else "untrusted_key", why))
    fault = result.fault
    if fault is None:
        fault = _journal_fault(registry, schedule, result, stored() if callable(stored) else stored)
    cp_fault, cp_last, cp_count = None, None, 0
    if fault is None:
        for cp in cps:
            cp_fault = _checkpoint_fault(cp, result, schedule, anchor)
            cp_last = cp.sequence
            if cp_fault:
                break
            cp_count += 1
    first = Fault(*fault) if fault else cp_fault
    if progress:
        progress(result.checked)
    return VerifyReport(ok=first is None, entries_checked=result.checked, head_sequence=head,
                        head_hash=result.last_hash.hex(), fault=first, checkpoint_sequence=cp_last,
                        verified_from=start.sequence if start else 0,
                        checkpoints_checked=cp_count, trust=anchor.describe() if anchor else "")


def _journal_fault(registry: Mapping[str, KeyRecord], schedule: list[KeyRecord], result: _Pass,
                   stored: StoredState | None) -> tuple[Any, ...] | None:
    off = disagreement(list(registry.values()), schedule, result.last_seq, complete=True)
    if off:
        seq, truncated, why = off
        return (seq, None, "truncated" if truncated else "registry_mismatch", f"the key registry: {why}")
    if stored is None:
        return None
    if stored.cut_off:
        return (result.last_seq + 1, None, "truncated", "the file ends without its end line: it was cut off")
    if stored.count is not None and stored.count != result.checked:
        return (result.last_seq + 1 if stored.count > result.checked else result.last_seq, None,
                "truncated" if stored.count > result.checked else "head_mismatch",
                f"the end line counts {stored.count} entries, the file holds {result.checked}")
    if stored.head is not None and (stored.head[0], bytes(stored.head[1])) != (result.last_seq, result.last_hash):
        return (result.last_seq, None, "head_mismatch",
                f"the stored head says sequence {stored.head[0]} {bytes(stored.head[1]).hex()[:16]}…, the last entry "
                f"is {result.last_seq} {result.last_hash.hex()[:16]}…")
    if stored.orphan_sequences:
        seq = min(stored.orphan_sequences)
        return (seq, None, "orphan_postings", f"postings name entry sequence {seq}, which is not in the journal")
    for block in sorted(stored.block_roots):
        if block * _CHUNK < result.verified_from:
            continue  # a block that begins at or before the trusted checkpoint is taken with it
        if result.blocks.get(block) != bytes(stored.block_roots[block]):
            first = block * _CHUNK + 1
            return (first, None, "derived_mismatch", f"the Merkle root stored for entries {first}..{first + _CHUNK - 1}"
                    " is not theirs" if block in result.blocks else f"a Merkle root is stored for entries {first}.."
                    f"{first + _CHUNK - 1}, which the journal does not hold")
    return None


def _pass(tasks: Tasks, keys: Mapping[str, KeyRecord], reader: RowReader | None, cp_seqs: frozenset[int],
          workers: int, progress: Callable[[int], None] | None, start: "StartState | None" = None) -> _Pass:
    pool: ProcessPoolExecutor | None = None
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(keys, reader))
    else:
        _init_worker(keys, reader)
    out, merkle, totals = _Pass(), MerkleAccumulator(), BalanceTally()
    if start is not None:  # go on from a trusted checkpoint: its frontier, balances and key claims
        out.last_seq, out.last_hash, out.verified_from = start.sequence, start.checkpoint.head_hash, start.sequence
        out.claims.extend(start.claims)
        merkle = MerkleAccumulator.from_frontier(start.sequence, list(start.frontier))
        totals.merge(start.totals)
    inflight: deque[Any] = deque()
    try:
        for r in _in_order(pool, tasks, inflight, 3 * workers):
            if r.entries == 0:
                continue
            out.claims.extend(r.claims)
            if r.first_sequence > out.last_seq + 1:
                out.note((out.last_seq + 1, None, "sequence_gap",
                          f"entries {out.last_seq + 1}..{r.first_sequence - 1} are missing"))
            elif r.first_sequence <= out.last_seq:
                out.note((r.first_sequence, r.first_id, "sequence_gap", f"sequence {r.first_sequence} follows "
                          f"{out.last_seq}"))
            elif r.first_prev_hash != out.last_hash:
                out.note((r.first_sequence, r.first_id, "hash_mismatch", "prev_hash does not link to the previous "
                          "entry's hash (an entry was removed, inserted or reordered)"))
            for f in r.faults:
                out.note(f)
            if out.fault is None:
                _accumulate(r, merkle, totals, out)
            out.last_seq, out.last_hash, out.checked = r.last_sequence, r.last_hash, out.checked + r.entries
            if progress:
                progress(out.checked)
    finally:
        if pool:
            for f in inflight:
                f.cancel()
            pool.shutdown(cancel_futures=True)
    return out


def _accumulate(r: ChunkResult, merkle: MerkleAccumulator, totals: BalanceTally, out: _Pass) -> None:
    """Add a sound run to the Merkle tree and the balances, noting both at each checkpoint inside it."""
    if r.entries == _CHUNK and (r.first_sequence - 1) % _CHUNK == 0 and r.last_sequence - r.first_sequence + 1 == _CHUNK:
        out.blocks[(r.first_sequence - 1) // _CHUNK] = r.merkle_root or perfect_root(r.hashes or ())
    if r.merkle_root is not None:
        merkle.add_subtree(r.entries, r.merkle_root)
    else:
        first = r.first_sequence
        for offset, h in enumerate(r.hashes or ()):  # a run without a subtree root carries its hashes
            merkle.add(h)
            seq = first + offset
            if seq in r.tallies_at:
                at_cp = BalanceTally()
                at_cp.merge(totals.totals())
                at_cp.merge(r.tallies_at[seq])
                out.at_checkpoint[seq] = (h, merkle.root(), at_cp.digest())
    totals.merge(r.tally)


def _in_order(pool: ProcessPoolExecutor | None, tasks: Tasks, inflight: deque[Any], limit: int) -> Iterator[ChunkResult]:
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


def checkpoint_key(cp: Checkpoint, schedule: Sequence[KeyRecord], head: int,
                   anchor: TrustAnchor | None = None) -> KeyRecord | None:
    """The key that must have signed ``cp``: the key in force after its sequence (whose window covers
    ``sequence + 1``). Beyond the journal's end, any trusted key of that id (the journal may have lost the
    rotation that introduced it)."""
    key = key_for(as_map(schedule), cp.key_id, cp.sequence + 1)
    if key is None and cp.sequence >= head:
        known = list(schedule) + list(anchor.keys or () if anchor else ())
        key = next((k for k in reversed(known) if k.key_id == cp.key_id), None)
    return key


def _checkpoint_fault(cp: Checkpoint, result: _Pass, schedule: Sequence[KeyRecord],
                      anchor: TrustAnchor | None) -> Fault | None:
    key = checkpoint_key(cp, schedule, result.last_seq, anchor)
    if key is None or not cp.signature_valid(key.public_key):
        return Fault(cp.sequence, None, "checkpoint_mismatch",
                     f"the checkpoint's signature does not verify under the key in force after sequence {cp.sequence}")
    state = result.at_checkpoint.get(cp.sequence)
    if result.last_seq < cp.sequence or state is None:
        return Fault(result.last_seq + 1, None, "truncated",
                     f"the journal ends at sequence {result.last_seq} but a checkpoint covers {cp.sequence}")
    head, root, balances = state
    if head != cp.head_hash:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "the entry at the checkpoint is not the one it signed")
    if root != cp.merkle_root:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "the Merkle root up to the checkpoint differs")
    if balances != cp.balances_digest:
        return Fault(cp.sequence, None, "checkpoint_mismatch", "account balances at the checkpoint differ")
    return None
