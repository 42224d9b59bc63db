"""What one verification worker checks: a run of consecutive journal rows, as stored, against a key schedule.

A row is a plain tuple in the order of the stored fields (docs/ledger-format.md), so that a store can hand
over what its driver returns without building objects, and so that it pickles cheaply::

    (sequence, id, effective_date, recorded_at, code, memo, references_json, data_json, reverses, key_id,
     prev_hash, hash, signature, cosignature, legs[, carried_canonical[, derived]])
                                                    legs: ((account, direction, amount_minor, currency), ...)

``effective_date`` is ISO text or a ``date``; ``references_json`` and ``data_json`` are JSON text of the
object or the object itself (re-encoded canonically here); ``carried_canonical``, from an export, is the
canonical bytes the file carries, which must equal those re-derived from the fields (None from a database);
``derived``, from a database, is each posting's stored (idx, effective_date), columns outside the hash that
must follow from what it covers (``entry_rules.derived_fault``). The worker re-derives
each canonical form, hash and balance, applies the entry rules (``ledger.entry_rules``), checks the key
window and the signature, links the rows to one another, and returns what the parent needs to link runs
together, build Merkle roots and balance tallies and derive the key schedule, without another pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from ledger.canonical import VERSION_BYTE
from ledger.entry_rules import (RANK, ROTATION, FloatFound, claim_of, derived_fault, float_fault,  # noqa: F401
                                parse_object, rule_fault)
from ledger.keys import KeyRecord, key_for
from ledger.merkle import leaf_hash, node_hash
from ledger.signing import signature_checker, verify_signature

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode
_text = json.encoder.encode_basestring
_int = int.__repr__


class ChunkResult(NamedTuple):
    """A run's verdict. ``faults`` are (sequence, entry id, code, detail); the tallies map (account, currency)
    to [debits, credits]; ``tallies_at`` holds a copy of the run's tally after each checkpoint sequence in it;
    ``merkle_root`` is set when the run is a whole aligned subtree (see ``verify``), ``hashes`` otherwise;
    ``claims`` are what the run's system entries say about keys (``entry_rules.claim_of``)."""

    entries: int
    first_id: str | None
    first_sequence: int
    first_prev_hash: bytes
    last_sequence: int
    last_hash: bytes
    faults: list[Any]
    tally: dict[tuple[str, str], list[int]]
    tallies_at: dict[int, dict[tuple[str, str], list[int]]]
    merkle_root: bytes | None
    hashes: list[Any] | None
    claims: list[Any]


def _json_member(value: Any) -> str:
    return _text(value) if type(value) is str else _encode(value)


def _member_object(value: Any) -> str:
    return "{}" if type(value) is dict and not value else _encode(value)


def canonical_from_parsed(row: Sequence[Any], refs: Any, data: Any) -> bytes:
    """Canonical bytes v1 of a row whose references and data are already parsed."""
    (seq, eid, eff, recorded_at, code, memo, _refs, _data, reverses, key_id, _prev, _hash, _sig, _cosig, legs) = row[:15]
    if isinstance(eff, dt.date):
        eff = eff.isoformat()
    parts = []
    for account, direction, amount, currency in legs:
        parts.append(f'{{"account":{_json_member(account)},'
                     f'"amount_minor":{_int(amount) if type(amount) is int else _encode(amount)},'
                     f'"currency":{_json_member(currency)},"direction":{_json_member(direction)}}}')
    text = (f'{{"code":{_json_member(code)},"data":{_member_object(data)},'
            f'"effective_date":{_json_member(eff)},'
            f'"id":{_json_member(eid)},"key_id":{_json_member(key_id)},"memo":{_json_member(memo)},'
            f'"postings":[{",".join(parts)}],"recorded_at":{_json_member(recorded_at)},'
            f'"references":{_member_object(refs)},"reverses":{_json_member(reverses)},'
            f'"sequence":{_int(seq) if type(seq) is int else _encode(seq)}}}')
    return text.encode("utf-8")


def canonical_from_row(row: Sequence[Any]) -> bytes:
    """Canonical bytes v1 of a stored row: the same bytes as ``canonical.canonical_bytes`` of the entry."""
    return canonical_from_parsed(row, parse_object(row[6]), parse_object(row[7]))


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 root of a power-of-two number of leaves (a perfect subtree)."""
    level = [leaf_hash(h) for h in hashes]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _parsed(row: Sequence[Any]) -> tuple[Any, Any, tuple[str, str] | None]:
    """(references, data, fault): a float anywhere, or stored text that is not JSON, is the fault."""
    try:
        refs, data = parse_object(row[6]), parse_object(row[7])
    except FloatFound:
        return None, None, ("float_in_entry", "a JSON number with a fraction or an exponent in references or data")
    except ValueError as exc:
        return None, None, ("invalid_field", f"references or data is not JSON text: {exc}")
    problem = float_fault(row, refs, data)
    return refs, data, ("float_in_entry", problem) if problem else None


def check_rows(rows: Sequence[Sequence[Any]], keys: Mapping[str, KeyRecord], *,
               checkpoint_sequences: frozenset[int] = frozenset(), subtree: bool = False) -> ChunkResult:
    """Check a run of rows in sequence order against ``keys`` (the key schedule). With ``subtree``, a
    gap-free aligned run of a power-of-two length returns its Merkle root instead of its hashes."""
    sha256 = hashlib.sha256
    checkers: dict[bytes, Callable[[bytes, bytes], bool]] = {}
    faults: list[tuple[Any, ...]] = []
    tally: dict[tuple[str, str], list[int]] = {}
    at_cp: dict[int, dict[tuple[str, str], list[int]]] = {}
    hashes: list[bytes] = []
    claims: list[tuple[Any, ...]] = []
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
            sides[0 if direction == "debit" else 1] += amount if type(amount) is int else 0
        if seq in checkpoint_sequences:
            at_cp[seq] = {k: list(v) for k, v in tally.items()}
        refs, data, problem = _parsed(row)
        if problem:
            faults.append((seq, eid, *problem))
            continue
        claim = claim_of(row, data)
        if claim:
            claims.append(claim)
        try:
            canonical = canonical_from_parsed(row, refs, data)
        except UnicodeEncodeError:
            faults.append((seq, eid, "invalid_field", "a text holds a lone surrogate: it has no UTF-8 form"))
            continue
        if len(row) > 15 and row[15] is not None and bytes(row[15]) != canonical:
            faults.append((seq, eid, "canonical_mismatch", "the canonical bytes carried with the entry are not "
                           "those its fields give"))
            continue
        if sha256(VERSION_BYTE + stored_prev + canonical).digest() != digest:
            faults.append((seq, eid, "hash_mismatch", "the stored hash does not match the entry's content "
                           "(the entry was altered)"))
            continue
        if len(row) > 16 and row[16] is not None:
            mismatch = derived_fault(row, row[16])
            if mismatch:
                faults.append((seq, eid, "derived_mismatch", mismatch))
                continue
        rule = rule_fault(row, refs, data)
        if rule:
            faults.append((seq, eid, *rule))
            continue
        key = key_for(keys, key_id, seq)
        if key is None:
            why = "is not a known key" if key_id not in keys else "is not the key in force at this sequence"
            faults.append((seq, eid, "unknown_key", f"key {key_id} {why}"))
            continue
        check = checkers.get(key.public_key)
        if check is None:
            check = checkers[key.public_key] = signature_checker(key.public_key)
        if not check(signature, digest):
            faults.append((seq, eid, "bad_signature", "the Ed25519 signature does not verify under the entry's key"))
        elif row[4] == ROTATION and not (row[13] and verify_signature(bytes.fromhex(data["public_key"]),
                                                                        bytes(row[13]), digest)):
            faults.append((seq, eid, "bad_signature", f"the new key {data['key_id']} did not co-sign its rotation"))
    if not rows:
        return ChunkResult(0, None, 0, b"", 0, b"", faults, tally, at_cp, None, [], claims)
    n = len(rows)
    whole = (subtree and not faults and not at_cp and n & (n - 1) == 0
             and rows[-1][0] - rows[0][0] + 1 == n and (rows[0][0] - 1) % n == 0)
    return ChunkResult(n, rows[0][1], rows[0][0], bytes(rows[0][10]), rows[-1][0], bytes(rows[-1][11]), faults, tally, at_cp,
                       perfect_root(hashes) if whole else None, None if whole else hashes, claims)
