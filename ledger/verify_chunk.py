"""What one verification worker checks: a run of consecutive journal rows, as stored, against the key registry.

A row is a plain tuple in the order of the stored fields (docs/ledger-format.md), so that a store can hand
over what its driver returns without building objects, and so that it pickles cheaply::

    (sequence, id, effective_date, recorded_at, code, memo, references_json, data_json, reverses, key_id,
     prev_hash, hash, signature, cosignature, legs)      legs: ((account, direction, amount_minor, currency), ...)

``effective_date`` is ISO text or a ``date``; ``references_json`` and ``data_json`` are any JSON text of
the object (re-encoded canonically here). The worker re-derives each canonical form, hash and balance,
checks the key window and the signature, links the rows to one another, and returns what the parent
needs to link runs together and to build the Merkle root and balance tally, without another pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from ledger.canonical import VERSION_BYTE
from ledger.keys import KeyRecord, key_for
from ledger.merkle import leaf_hash, node_hash
from ledger.signing import signature_checker, verify_signature

ROTATION = "key_rotated"
# Where a fault ranks among those of the same entry: the first in this order wins.
RANK = {"sequence_gap": 0, "hash_mismatch": 1, "unbalanced": 2, "unknown_key": 3, "bad_signature": 4}

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode
_text = json.encoder.encode_basestring
_int = int.__repr__


class ChunkResult(NamedTuple):
    """A run's verdict. ``faults`` are (sequence, entry id, code, detail); the tallies map (account, currency)
    to [debits, credits]; ``merkle_root`` is set when the run is a whole aligned subtree (see ``verify``),
    ``hashes`` otherwise."""

    count: int
    first_id: str | None
    first_sequence: int
    first_prev_hash: bytes
    last_sequence: int
    last_hash: bytes
    faults: list
    tally: dict
    tally_at_checkpoint: dict | None
    merkle_root: bytes | None
    hashes: list | None


def _json_member(value: Any) -> str:
    return _text(value) if type(value) is str else _encode(value)


def _object(text: Any) -> str:
    if text == "{}" or text is None:
        return "{}"
    return _encode(json.loads(text) if isinstance(text, str) else text)


def canonical_from_row(row: Sequence) -> bytes:
    """Canonical bytes v1 of a stored row: the same bytes as ``canonical.canonical_bytes`` of the entry."""
    (seq, eid, eff, recorded_at, code, memo, refs, data, reverses, key_id, _prev, _hash, _sig, _cosig, legs) = row
    if isinstance(eff, dt.date):
        eff = eff.isoformat()
    parts = []
    for account, direction, amount, currency in legs:
        parts.append(f'{{"account":{_json_member(account)},'
                     f'"amount_minor":{_int(amount) if type(amount) is int else _encode(amount)},'
                     f'"currency":{_json_member(currency)},"direction":{_json_member(direction)}}}')
    text = (f'{{"code":{_json_member(code)},"data":{_object(data)},"effective_date":{_json_member(eff)},'
            f'"id":{_json_member(eid)},"key_id":{_json_member(key_id)},"memo":{_json_member(memo)},'
            f'"postings":[{",".join(parts)}],"recorded_at":{_json_member(recorded_at)},'
            f'"references":{_object(refs)},"reverses":{_json_member(reverses)},'
            f'"sequence":{_int(seq) if type(seq) is int else _encode(seq)}}}')
    return text.encode("utf-8")


def _balance_problem(legs: Sequence) -> str | None:
    totals: dict[str, int] = {}
    for account, direction, amount, currency in legs:
        if not isinstance(amount, int) or amount <= 0:
            return f"non-positive amount {amount} on {account}"
        totals[currency] = totals.get(currency, 0) + (amount if direction == "debit" else -amount)
    off = {c: v for c, v in totals.items() if v}
    return None if not off else "unbalanced: " + ", ".join(f"{c} off by {v}" for c, v in sorted(off.items()))


def _rotation_fault(row: Sequence, keys: Mapping[str, KeyRecord]) -> tuple | None:
    seq, eid, data, digest, cosignature = row[0], row[1], row[7], row[11], row[13]
    data = json.loads(data) if isinstance(data, str) else (data or {})
    new_id = data.get("key_id")
    try:
        new_public = bytes.fromhex(str(data.get("public_key", "")))
    except ValueError:
        new_public = b""
    registered = keys.get(str(new_id))
    if registered is None or registered.public_key != new_public or registered.valid_from_sequence != seq + 1:
        return (seq, eid, "unknown_key",
                f"rotation introduces key {new_id} that the key registry does not hold from the next entry on")
    if not cosignature or not verify_signature(new_public, bytes(cosignature), digest):
        return (seq, eid, "bad_signature", f"the new key {new_id} did not co-sign its rotation")
    return None


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 root of a power-of-two number of leaves (a perfect subtree)."""
    level = [leaf_hash(h) for h in hashes]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def check_rows(rows: Sequence[Sequence], keys: Mapping[str, KeyRecord], *, checkpoint_sequence: int | None = None,
               subtree: bool = False) -> ChunkResult:
    """Check a run of rows in sequence order. With ``subtree``, a gap-free run returns its Merkle root."""
    sha256 = hashlib.sha256
    checkers: dict[bytes, Callable[[bytes, bytes], bool]] = {}
    faults: list[tuple] = []
    tally: dict[tuple[str, str], list[int]] = {}
    at_cp: dict | None = None
    hashes: list[bytes] = []
    prev_seq = prev_hash = None
    for row in rows:
        seq, eid, key_id, stored_prev, digest, signature, legs = (row[0], row[1], row[9], bytes(row[10]),
                                                                   bytes(row[11]), bytes(row[12]), row[14])
        if prev_seq is not None:
            if seq > prev_seq + 1:
                faults.append((prev_seq + 1, None, "sequence_gap", f"entries {prev_seq + 1}..{seq - 1} are missing"))
            elif seq <= prev_seq:
                faults.append((seq, eid, "sequence_gap", f"sequence {seq} follows {prev_seq}"))
            elif stored_prev != prev_hash:
                faults.append((seq, eid, "hash_mismatch", "prev_hash does not link to the previous entry's hash "
                               "(an entry was removed, inserted or reordered)"))
        prev_seq, prev_hash = seq, digest
        hashes.append(digest)
        for account, direction, amount, currency in legs:
            sides = tally.get((account, currency))
            if sides is None:
                sides = tally[(account, currency)] = [0, 0]
            sides[0 if direction == "debit" else 1] += amount if isinstance(amount, int) else 0
        if seq == checkpoint_sequence:
            at_cp = {k: list(v) for k, v in tally.items()}
        if sha256(VERSION_BYTE + stored_prev + canonical_from_row(row)).digest() != digest:
            faults.append((seq, eid, "hash_mismatch", "the stored hash does not match the entry's content "
                           "(the entry was altered)"))
            continue
        problem = _balance_problem(legs)
        if problem:
            faults.append((seq, eid, "unbalanced", problem))
            continue
        key = key_for(keys, key_id, seq)
        if key is None:
            why = "is not a registered key" if key_id not in keys else "was not valid at this sequence"
            faults.append((seq, eid, "unknown_key", f"key {key_id} {why}"))
            continue
        if row[4] == ROTATION:
            fault = _rotation_fault(row, keys)
            if fault:
                faults.append(fault)
                continue
        check = checkers.get(key.public_key)
        if check is None:
            check = checkers[key.public_key] = signature_checker(key.public_key)
        if not check(signature, digest):
            faults.append((seq, eid, "bad_signature", "the Ed25519 signature does not verify under the entry's key"))
    if not rows:
        return ChunkResult(0, None, 0, b"", 0, b"", faults, tally, at_cp, None, [])
    n = len(rows)
    whole = (subtree and not faults and checkpoint_sequence is None and n & (n - 1) == 0
             and rows[-1][0] - rows[0][0] + 1 == n and (rows[0][0] - 1) % n == 0)
    return ChunkResult(n, rows[0][1], rows[0][0], bytes(rows[0][10]), prev_seq, prev_hash, faults, tally, at_cp,
                       perfect_root(hashes) if whole else None, None if whole else hashes)
