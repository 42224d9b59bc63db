"""What verification says: the first fault (where and what), or that the journal verifies and how far."""

from __future__ import annotations

import json
from typing import Mapping
from dataclasses import asdict, dataclass, field

from ledger.entry_rules import ENTRY_FAULTS

# Faults of the journal as a whole, checked once every entry verifies, in this order.
JOURNAL_FAULTS = ("registry_mismatch", "truncated", "head_mismatch", "orphan_postings", "checkpoint_mismatch")
FAULT_CODES = ENTRY_FAULTS + JOURNAL_FAULTS


@dataclass(frozen=True, slots=True)
class Fault:
    """The first thing wrong: where (sequence, entry id) and what (a stable code and a sentence)."""

    sequence: int
    entry_id: str | None
    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The verdict: ``ok`` with the head reached, or the first fault. ``checkpoint_sequence`` is the latest
    checkpoint the journal was shown to extend (or the one it failed); ``trust`` says what vouched for the keys."""

    ok: bool
    entries_checked: int
    head_sequence: int
    head_hash: str
    fault: Fault | None
    checkpoint_sequence: int | None = None
    checkpoints_checked: int = 0
    trust: str = ""
    verified_from: int = 0  # an incremental verification: entries after this trusted checkpoint only

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def describe(self) -> str:
        cp = ""
        if self.ok and self.checkpoints_checked:
            cp = (f", extends {self.checkpoints_checked} checkpoint(s), the latest at {self.checkpoint_sequence}")
        trust = f"\n{self.trust}" if self.trust else ""
        if self.ok and self.verified_from:
            return (f"journal verifies from the checkpoint at {self.verified_from} you trusted: "
                    f"{self.entries_checked} entries after it, head {self.head_sequence} {self.head_hash[:16]}…{cp}{trust}")
        if self.ok:
            return (f"journal verifies: {self.entries_checked} entries, head {self.head_sequence} "
                    f"{self.head_hash[:16]}…{cp}{trust}")
        f = self.fault
        if f is None:  # not ok always names its fault; say so plainly if a caller built one without
            return f"journal does NOT verify{trust}"
        where = f"entry {f.entry_id} (sequence {f.sequence})" if f.entry_id else f"sequence {f.sequence}"
        return f"journal does NOT verify: {f.code} at {where}: {f.detail}{trust}"


@dataclass(frozen=True, slots=True)
class StoredState:
    """What a store holds beside its entries, each checked against them: the head row (sequence, hash), the
    sequences of postings whose entry does not exist, the Merkle roots of whole blocks kept for proofs (block b:
    sequences b*1024+1 .. (b+1)*1024) and, for a file, the entry count its end line states (``cut_off`` when it
    has no end line)."""

    head: tuple[int, bytes] | None = None
    orphan_sequences: tuple[int, ...] = ()
    count: int | None = None
    cut_off: bool = False
    block_roots: Mapping[int, bytes] = field(default_factory=dict)
