"""Verifying only what came after a checkpoint one already trusts (`disburse ledger verify --since FILE`).

A full verification re-derives every entry. Someone who verified the journal up to a checkpoint before (and kept
it) need not do that again: the checkpoint commits to the hashes of entries 1..N (its Merkle root) and to every
balance at N. ``start_from`` checks that the store still holds exactly that — the hash of entry N, the root built
from the stored block roots and hashes, the balances summed from the stored postings — and hands the verifier
the state to go on from: the Merkle frontier at N, the balances, and what the system entries up to N say about
keys. The entries after N are then verified as in a full pass.

What this does not re-check, by design: the other fields of entries 1..N (a change to them that leaves the hash
columns alone is for a full verification to find), and block roots that begin at or before N.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ledger.canonical import encode_json
from ledger.checkpoint import Checkpoint
from ledger.entry_rules import FloatFound, claim_of, parse_object
from ledger.merkle import BLOCK_SIZE, frontier_sizes, node_hash
from ledger.ports import JournalStore
from ledger.proofs import BlockRoots
from ledger.verify_report import Fault


@dataclass(frozen=True, slots=True)
class StartState:
    """Where an incremental verification starts: the trusted checkpoint and the journal's state at it."""

    checkpoint: Checkpoint
    frontier: tuple[bytes, ...]
    totals: dict[tuple[str, str], list[int]]
    claims: tuple[tuple[Any, ...], ...]

    @property
    def sequence(self) -> int:
        return self.checkpoint.sequence


def balances_digest(totals: dict[tuple[str, str], list[int]]) -> bytes:
    """A checkpoint's balances digest of these (account, currency) -> [debits, credits] totals."""
    rows = [[account, currency, d, c] for (account, currency), (d, c) in sorted(totals.items())]
    return hashlib.sha256(encode_json(rows)).digest()


def start_from(checkpoint: Checkpoint, store: JournalStore) -> StartState | Fault:
    """The state to verify on from ``checkpoint``, or the fault that the store no longer extends it."""
    n = checkpoint.sequence
    last = store.last_sequence()
    if last < n:
        return Fault(last + 1, None, "truncated", f"the journal ends at sequence {last} but the checkpoint you "
                     f"trusted covers {n}")
    if store.entry_hashes(n, n) != [checkpoint.head_hash]:
        return Fault(n, None, "checkpoint_mismatch", "the entry at the checkpoint is not the one it signed")
    roots = BlockRoots(store.entry_hashes, store.merkle_blocks(0, n // BLOCK_SIZE))
    frontier, lo = [], 0
    for size in frontier_sizes(n):
        frontier.append(roots(lo, lo + size))
        lo += size
    root = frontier[-1]
    for node in reversed(frontier[:-1]):
        root = node_hash(node, root)
    if root != checkpoint.merkle_root:
        return Fault(n, None, "checkpoint_mismatch", "the stored hashes up to the checkpoint no longer build its "
                     "Merkle root")
    totals = store.balance_totals(n)
    if balances_digest(totals) != checkpoint.balances_digest:
        return Fault(n, None, "checkpoint_mismatch", "the stored postings up to the checkpoint no longer sum to its "
                     "balances")
    claims = []
    for row in store.system_rows(n):
        try:
            claim = claim_of(row, parse_object(row[7]))
        except (FloatFound, ValueError):
            continue  # a system entry that is not even JSON: its claim is void, as in a full pass
        if claim:
            claims.append(claim)
    return StartState(checkpoint, tuple(frontier), totals, tuple(claims))
