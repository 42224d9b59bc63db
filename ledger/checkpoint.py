"""Signed checkpoints: what catches a truncated or rewritten tail, which a chain alone cannot.

A checkpoint names a sequence, the hash of the entry there, the RFC 6962 Merkle root over the hashes
of entries 1..sequence and a digest of every account balance at that point; it is signed by the key
that covers that sequence. An outside party keeps the exported JSON and later asks the journal to
prove it still extends it.
"""

from __future__ import annotations

from typing import Any
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from ledger.canonical import encode_json
from ledger.entries import SealedEntry
from ledger.errors import InvalidCheckpointFile
from ledger.keys import hex_bytes
from ledger.signing import Signer, verify_signature

CHECKPOINT_FORMAT = "disburse-ledger-checkpoint/1"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: 'the journal had these ``sequence`` entries, ending in ``head_hash``'."""

    journal: str
    sequence: int
    head_hash: bytes
    merkle_root: bytes
    balances_digest: bytes
    created_at: str
    key_id: str
    signature: bytes = b""

    def signed_fields(self) -> dict[str, Any]:
        return {"format": CHECKPOINT_FORMAT, "journal": self.journal, "sequence": self.sequence,
                "head_hash": self.head_hash.hex(), "merkle_root": self.merkle_root.hex(),
                "balances_digest": self.balances_digest.hex(), "created_at": self.created_at,
                "key_id": self.key_id}

    def message(self) -> bytes:
        """What is signed: SHA-256 of the canonical JSON of every field but the signature."""
        return hashlib.sha256(encode_json(self.signed_fields())).digest()

    def signed_by(self, signer: Signer) -> "Checkpoint":
        unsigned = Checkpoint(self.journal, self.sequence, self.head_hash, self.merkle_root, self.balances_digest,
                              self.created_at, signer.key_id)
        return Checkpoint(**{**_fields(unsigned), "signature": signer.sign(unsigned.message())})

    def signature_valid(self, public_key: bytes) -> bool:
        return verify_signature(public_key, self.signature, self.message())

    def to_json(self) -> str:
        return json.dumps({**self.signed_fields(), "signature": self.signature.hex()}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Checkpoint":
        try:
            doc = json.loads(text)
            if doc.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(f"format must be {CHECKPOINT_FORMAT!r}")
            for name in ("journal", "created_at", "key_id"):
                if type(doc[name]) is not str:
                    raise ValueError(f"{name} must be a string")
            if type(doc["sequence"]) is not int or doc["sequence"] < 1:
                raise ValueError("sequence must be an integer >= 1")
            return cls(journal=doc["journal"], sequence=doc["sequence"], head_hash=hex_bytes(doc, "head_hash", 32),
                       merkle_root=hex_bytes(doc, "merkle_root", 32),
                       balances_digest=hex_bytes(doc, "balances_digest", 32), created_at=doc["created_at"],
                       key_id=doc["key_id"], signature=hex_bytes(doc, "signature", 64))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidCheckpointFile(f"checkpoint file is not valid: {exc}") from None


def _fields(cp: Checkpoint) -> dict[str, Any]:
    return {name: getattr(cp, name) for name in Checkpoint.__slots__}


class BalanceTally:
    """Debits and credits per (account, currency), fed entry by entry; its digest goes into checkpoints."""

    __slots__ = ("_totals",)

    def __init__(self) -> None:
        self._totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, entry: SealedEntry) -> None:
        for p in entry.draft.postings:
            self._totals[(p.account, p.currency)][0 if p.direction.value == "debit" else 1] += p.amount_minor

    def merge(self, totals: dict[tuple[str, str], list[int]]) -> None:
        """Add another tally's totals (a verification worker's, for its run of entries)."""
        for key, (debits, credits) in totals.items():
            sides = self._totals[key]
            sides[0] += debits
            sides[1] += credits

    def totals(self) -> dict[tuple[str, str], list[int]]:
        return {key: list(sides) for key, sides in self._totals.items()}

    def digest(self) -> bytes:
        rows = [[account, currency, d, c] for (account, currency), (d, c) in sorted(self._totals.items())]
        return hashlib.sha256(encode_json(rows)).digest()
