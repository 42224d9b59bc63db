"""Merkle inclusion and consistency proofs over the journal (RFC 6962 section 2.1, RFC 9162 section 2.1).

An inclusion proof (audit path) shows that one entry is leaf ``sequence - 1`` of the tree a signed checkpoint
commits to; a consistency proof shows that a later checkpoint's tree extends an earlier one's. Both are
checked with nothing but the proof, the checkpoint(s) and the public key: ``check_inclusion`` and
``check_consistency`` here, and verifiers/js/proof.js from docs/ledger-format.md section 10.

Building a proof needs subtree roots, given as ``root_of(lo, hi)``: the Merkle Tree Hash of the entry hashes
of leaves ``lo .. hi - 1`` (0-based, half-open). ``LeafRoots`` computes them from the leaves themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ledger.canonical import VERSION_BYTE
from ledger.checkpoint import Checkpoint
from ledger.entry_rules import FloatFound, key_id_for, parse_object
from ledger.errors import CheckpointDoesNotCoverEntry, InvalidProofRequest, LedgerError, ProofLeavesMissing
from ledger.export import entry_line, row_of_entry_line
from ledger.keys import hex_bytes
from ledger.merkle import BLOCK_SIZE, leaf_hash, node_hash
from ledger.ports import JournalStore
from ledger.schedule import fingerprint
from ledger.signing import verify_signature
from ledger.verify_chunk import canonical_from_parsed

PROOF_FORMAT = "disburse-ledger-proof/1"
CONSISTENCY_FORMAT = "disburse-ledger-consistency/1"
RootOf = Callable[[int, int], bytes]


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def audit_path(index: int, size: int, root_of: RootOf, lo: int = 0) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]): the sibling subtree roots from leaf ``index`` up to the root of ``size`` leaves."""
    if size <= 1:
        return []
    k = _split(size)
    if index < k:
        return audit_path(index, k, root_of, lo) + [root_of(lo + k, lo + size)]
    return audit_path(index - k, size - k, root_of, lo + k) + [root_of(lo, lo + k)]


def consistency_path(first: int, second: int, root_of: RootOf) -> list[bytes]:
    """RFC 6962 PROOF(m, D[n]): what shows the tree of ``second`` leaves extends the tree of ``first``."""
    if not 0 < first <= second:
        raise InvalidProofRequest(f"no consistency proof from {first} to {second} leaves")
    return _subproof(first, second, True, root_of, 0)


def _subproof(m: int, n: int, whole: bool, root_of: RootOf, lo: int) -> list[bytes]:
    if m == n:
        return [] if whole else [root_of(lo, lo + n)]
    k = _split(n)
    if m <= k:
        return _subproof(m, k, whole, root_of, lo) + [root_of(lo + k, lo + n)]
    return _subproof(m - k, n - k, False, root_of, lo + k) + [root_of(lo, lo + k)]


def root_from_inclusion(index: int, size: int, entry_hash: bytes, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 section 2.1.3.2: the root ``path`` leads to from leaf ``index`` of ``size``, or None."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf_hash(entry_hash)
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: does ``proof`` show the ``second``-leaf tree extends the ``first``-leaf tree?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        path = [first_root, *path]
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


class LeafRoots:
    """``root_of`` over a list of entry hashes (leaf i = entry i + 1), remembering what it computed."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self._hashes = hashes
        self._memo: dict[tuple[int, int], bytes] = {}

    def __call__(self, lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaf_hash(self._hashes[lo])
        got = self._memo.get((lo, hi))
        if got is None:
            k = _split(hi - lo)
            got = self._memo[(lo, hi)] = node_hash(self(lo, lo + k), self(lo + k, hi))
        return got


class BlockRoots:
    """``root_of`` for a store: whole aligned blocks of ``BLOCK_SIZE`` entries by their stored roots, anything
    smaller from the entry hashes of its block, read once (``leaves(first, last)`` by 1-based sequence). A proof
    in a journal of a million entries so reads two blocks of hashes and the block roots, not the journal."""

    def __init__(self, leaves: Callable[[int, int], Sequence[bytes]], blocks: Mapping[int, bytes]) -> None:
        self._leaves = leaves
        self._blocks = blocks
        self._hashes: dict[int, list[list[bytes]]] = {}
        self._memo: dict[tuple[int, int], bytes] = {}

    def _levels(self, block: int) -> list[list[bytes]]:
        """Every node of the block's perfect subtrees, level by level (level 0: the leaves), read and hashed once."""
        levels = self._hashes.get(block)
        if levels is None:
            sha256 = hashlib.sha256  # leaf_hash and node_hash written out: two thousand of each per block
            level = [sha256(b"\x00" + h).digest() for h in self._leaves(block * BLOCK_SIZE + 1, (block + 1) * BLOCK_SIZE)]
            levels = [level]
            while len(level) > 1:
                level = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
                levels.append(level)
            self._hashes[block] = levels
        return levels

    def __call__(self, lo: int, hi: int) -> bytes:
        got = self._memo.get((lo, hi))
        if got is not None:
            return got
        block, offset = divmod(lo, BLOCK_SIZE)
        if hi - lo == BLOCK_SIZE and offset == 0 and block in self._blocks:
            got = bytes(self._blocks[block])
        elif hi - lo <= BLOCK_SIZE and (hi - 1) // BLOCK_SIZE == block and hi - lo & (hi - lo - 1) == 0:
            levels = self._levels(block)  # a perfect subtree inside one block: looked up
            height = (hi - lo).bit_length() - 1
            if offset >> height >= len(levels[height]):
                raise ProofLeavesMissing(f"entries {lo + 1}..{hi} are not all in the journal")
            got = levels[height][offset >> height]
        else:
            k = _split(hi - lo)
            got = node_hash(self(lo, lo + k), self(lo + k, hi))
        self._memo[(lo, hi)] = got
        return got


def block_roots(leaves: Sequence[bytes], first_block: int = 0) -> dict[int, bytes]:
    """The roots of the whole blocks in ``leaves`` (entry hashes from block ``first_block`` on)."""
    roots = {}
    for b in range(len(leaves) // BLOCK_SIZE):
        level = [leaf_hash(h) for h in leaves[b * BLOCK_SIZE:(b + 1) * BLOCK_SIZE]]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        roots[first_block + b] = level[0]
    return roots


def store_block_roots(store: JournalStore, last_sequence: int) -> int:
    """Store the roots of the whole blocks up to ``last_sequence`` that are not stored yet, from the entries'
    hashes (inside the caller's transaction, under its head lock); returns how many were added."""
    have = store.merkle_blocks(0, last_sequence // BLOCK_SIZE)
    missing = [b for b in range(last_sequence // BLOCK_SIZE) if b not in have]
    added, i = 0, 0
    while i < len(missing):
        j = i + 1  # a run of consecutive missing blocks, at most 64 (2 MiB of hashes) read at once
        while j < len(missing) and j - i < 64 and missing[j] == missing[j - 1] + 1:
            j += 1
        first, last = missing[i], missing[j - 1]
        roots = block_roots(store.entry_hashes(first * BLOCK_SIZE + 1, (last + 1) * BLOCK_SIZE), first)
        store.add_merkle_blocks(roots)
        added, i = added + len(roots), j
    return added


def inclusion_bundle(row: Sequence[Any], checkpoint: Checkpoint, public_key: bytes, root_of: RootOf) -> str:
    """The proof bundle a vendor downloads: the entry (its fields and canonical bytes), the audit path, the
    checkpoint and the public key that signed it. ``row`` is the entry in ``ledger.verify_chunk``'s layout."""
    sequence = row[0]
    if not 1 <= sequence <= checkpoint.sequence:
        raise CheckpointDoesNotCoverEntry(f"the checkpoint at {checkpoint.sequence} does not cover entry {sequence}")
    entry = json.loads(entry_line(row))
    entry.pop("type")
    path = audit_path(sequence - 1, checkpoint.sequence, root_of)
    return json.dumps({"format": PROOF_FORMAT, "journal": checkpoint.journal, "entry": entry,
                       "leaf_index": sequence - 1, "tree_size": checkpoint.sequence,
                       "audit_path": [p.hex() for p in path], "checkpoint": json.loads(checkpoint.to_json()),
                       "public_key": public_key.hex()}, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def consistency_bundle(first: Checkpoint, second: Checkpoint, public_keys: Sequence[bytes], root_of: RootOf) -> str:
    """Two checkpoints, the proof that the second extends the first, and the keys that signed them."""
    proof = consistency_path(first.sequence, second.sequence, root_of)
    return json.dumps({"format": CONSISTENCY_FORMAT, "journal": second.journal,
                       "first": json.loads(first.to_json()), "second": json.loads(second.to_json()),
                       "proof": [p.hex() for p in proof], "public_keys": sorted({k.hex() for k in public_keys})},
                      indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True, slots=True)
class ProofReport:
    """What checking a bundle found: ``ok``, or the fault (a stable code and a sentence); which key vouched."""

    ok: bool
    code: str | None
    detail: str
    fingerprint: str | None
    sequence: int | None = None
    checkpoint_sequence: int | None = None

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "fault": None if self.ok else {"code": self.code, "detail": self.detail},
                           "fingerprint": self.fingerprint, "sequence": self.sequence,
                           "checkpoint_sequence": self.checkpoint_sequence}, indent=2, sort_keys=True)


def _bad(message: str) -> LedgerError:
    return LedgerError(f"proof bundle is not valid: {message}", code="invalid_proof_bundle")


def _trusted_key(public_hex: Any, key_id: str, trusted: Sequence[bytes]) -> tuple[bytes | None, str | None]:
    public = hex_bytes({"public_key": public_hex}, "public_key", 32)
    if key_id_for(public) != key_id:
        return None, f"the bundle's public key is {key_id_for(public)}, the checkpoint names {key_id}"
    if trusted and public not in trusted:
        return None, f"the key that signed the checkpoint (fingerprint {fingerprint(public)}) is not a trusted key"
    return public, None


def check_inclusion(doc: dict[str, Any], trusted: Sequence[bytes] = ()) -> ProofReport:
    """Check a proof bundle (docs/ledger-format.md section 10) with nothing else; ``trusted`` narrows the
    public keys accepted (else the bundle's own key is used, and the report names its fingerprint)."""
    try:
        if doc.get("format") != PROOF_FORMAT:
            raise _bad(f"format must be {PROOF_FORMAT!r}")
        cp = Checkpoint.from_json(json.dumps(doc["checkpoint"]))
        e = doc["entry"]
        index, size = doc["leaf_index"], doc["tree_size"]
        path = [hex_bytes({"p": p}, "p", 32) for p in doc["audit_path"]]
        row = row_of_entry_line({**e, "type": "entry"}, 0)
        public, why = _trusted_key(doc.get("public_key"), cp.key_id, trusted)
    except (KeyError, TypeError, ValueError, AttributeError, LedgerError) as exc:
        raise _bad(str(getattr(exc, "message", exc))) from None
    seq = row[0]
    if public is None:
        return ProofReport(False, "untrusted_key", why or "", None, seq, cp.sequence)
    found = fingerprint(public)
    try:
        refs, data = parse_object(row[6]), parse_object(row[7])
    except FloatFound:
        return ProofReport(False, "float_in_entry", "the entry holds a float", found, seq, cp.sequence)
    canonical = canonical_from_parsed(row, refs, data)
    if canonical != row[15]:
        return ProofReport(False, "canonical_mismatch", "the carried canonical bytes are not those the fields give",
                           found, seq, cp.sequence)
    if hashlib.sha256(VERSION_BYTE + row[10] + canonical).digest() != row[11]:
        return ProofReport(False, "hash_mismatch", "the entry's hash does not match its content", found, seq,
                           cp.sequence)
    if not cp.signature_valid(public):
        return ProofReport(False, "checkpoint_mismatch", "the checkpoint's signature does not verify", found, seq,
                           cp.sequence)
    if type(index) is not int or type(size) is not int or index != seq - 1 or size != cp.sequence:
        return ProofReport(False, "bad_proof", "leaf_index must be sequence - 1 and tree_size the checkpoint's "
                           "sequence", found, seq, cp.sequence)
    if root_from_inclusion(index, size, row[11], path) != cp.merkle_root:
        return ProofReport(False, "bad_proof", "the audit path does not lead to the checkpoint's Merkle root",
                           found, seq, cp.sequence)
    return ProofReport(True, None, f"entry {row[1]} (sequence {seq}) is in the journal the checkpoint at "
                       f"{cp.sequence} signed", found, seq, cp.sequence)


def check_consistency(doc: dict[str, Any], trusted: Sequence[bytes] = ()) -> ProofReport:
    """Check a consistency bundle: both checkpoints signed, the second's tree extending the first's."""
    try:
        if doc.get("format") != CONSISTENCY_FORMAT:
            raise _bad(f"format must be {CONSISTENCY_FORMAT!r}")
        first = Checkpoint.from_json(json.dumps(doc["first"]))
        second = Checkpoint.from_json(json.dumps(doc["second"]))
        proof = [hex_bytes({"p": p}, "p", 32) for p in doc["proof"]]
        keys = [hex_bytes({"k": k}, "k", 32) for k in doc["public_keys"]]
    except (KeyError, TypeError, ValueError, AttributeError, LedgerError) as exc:
        raise _bad(str(getattr(exc, "message", exc))) from None
    prints = []
    for cp in (first, second):
        key = next((k for k in keys if key_id_for(k) == cp.key_id), None)
        if key is None or (trusted and key not in trusted):
            return ProofReport(False, "untrusted_key", f"no trusted key {cp.key_id} for the checkpoint at "
                               f"{cp.sequence}", None, None, cp.sequence)
        if not cp.signature_valid(key):
            return ProofReport(False, "checkpoint_mismatch", f"the checkpoint at {cp.sequence} is not signed by "
                               f"{cp.key_id}", fingerprint(key), None, cp.sequence)
        prints.append(fingerprint(key))
    if first.journal != second.journal or not consistent(first.sequence, second.sequence, first.merkle_root,
                                                         second.merkle_root, proof):
        return ProofReport(False, "bad_proof", f"the proof does not show the checkpoint at {second.sequence} "
                           f"extends the one at {first.sequence}", prints[-1], first.sequence, second.sequence)
    return ProofReport(True, None, f"the journal at {second.sequence} extends the journal at {first.sequence}",
                       ", ".join(dict.fromkeys(prints)), first.sequence, second.sequence)
