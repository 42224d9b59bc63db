"""The key schedule: which key signs which entries, as the journal itself says, and what vouches for it.

The journal carries its own key history: the genesis entry introduces the first key and each ``key_rotated``
entry (signed by the key in force, co-signed by the new one) ends that key's window at the rotation and starts
the new key's at the next sequence. ``derive_schedule`` reads that history from the entries' claims; the
verifier then checks every signature against it. What makes the schedule trustworthy is a ``TrustAnchor``
kept outside the database: the genesis key's fingerprint, or a keys file (which may predate later rotations).

A key registry (the database's table, an export's ``key`` lines) must say exactly what the journal says;
a keys file must agree with it as far as the file goes. ``disagreement`` names the first sequence where they
part (docs/ledger-format.md, "Keys and trust").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

from ledger.entry_rules import GENESIS, ROTATION, genesis_fault, rotation_fault
from ledger.keys import KeyRecord


def fingerprint(public_key: bytes) -> str:
    """A key's fingerprint: the 64 hex digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """Where verification starts. Exactly one of: the genesis key's ``fingerprint``; a keys file's ``keys``
    (any export, even one from before later rotations); or ``database``, taking the journal's own genesis
    key as given (anyone able to rewrite the whole database, keys included, would pass)."""

    fingerprint: str | None = None
    keys: tuple[KeyRecord, ...] | None = None
    database: bool = False

    def describe(self) -> str:
        if self.fingerprint:
            return f"trust anchor: genesis key fingerprint {self.fingerprint}"
        if self.keys is not None:
            return f"trust anchor: a keys file of {len(self.keys)} key(s)"
        return "trust anchor: none; the database's own genesis key was trusted (--trust-database)"


def derive_schedule(claims: Iterable[tuple[Any, ...]]) -> list[KeyRecord]:
    """The schedule the journal's system entries claim, in sequence order; claims are
    (sequence, code, key_id, recorded_at, data). A claim that breaks its entry's rules is skipped: the
    verifier names that entry anyway, and nothing after it is trusted."""
    return _walk(claims)[0]


def reused_keys(claims: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``bad_rotation`` faults (sequence, None, code, why) of rotations that bring back a key that was in
    force before: a key's window is one run of sequences, so a retired key never signs again."""
    return _walk(claims)[1]


def _walk(claims: Iterable[tuple[Any, ...]]) -> tuple[list[KeyRecord], list[tuple[Any, ...]]]:
    keys: list[KeyRecord] = []
    faults: list[tuple[Any, ...]] = []
    for seq, code, key_id, recorded_at, data in sorted(claims, key=lambda c: c[0]):
        if code == GENESIS and seq == 1 and genesis_fault(seq, code, key_id, data) is None:
            keys = [KeyRecord(data["key_id"], bytes.fromhex(data["public_key"]), 1, recorded_at)]
        elif code == ROTATION and keys and keys[-1].key_id == key_id and rotation_fault(code, key_id, data) is None:
            if any(k.key_id == data["key_id"] for k in keys):
                faults.append((seq, None, "bad_rotation", f"the rotation brings back key {data['key_id']}, which "
                               "was in force before; a retired key never signs again"))
                continue
            keys[-1] = replace(keys[-1], valid_to_sequence=seq, valid_to=recorded_at)
            keys.append(KeyRecord(data["key_id"], bytes.fromhex(data["public_key"]), seq + 1, recorded_at))
    return keys, faults


def as_map(keys: Iterable[KeyRecord]) -> dict[str, KeyRecord]:
    """Keys by id, as the verification workers look them up."""
    return {k.key_id: k for k in keys}


def same_windows(a: Mapping[str, KeyRecord], b: Sequence[KeyRecord]) -> bool:
    """True when ``a`` gives every key of ``b`` the same public key and sequence window, and nothing more:
    checking signatures against either then gives the same verdicts."""
    return len(a) == len(b) and all(
        (k := a.get(d.key_id)) is not None and (k.public_key, k.valid_from_sequence, k.valid_to_sequence)
        == (d.public_key, d.valid_from_sequence, d.valid_to_sequence) for d in b)


def _introduced_at(key: KeyRecord) -> int:
    return 1 if key.valid_from_sequence <= 1 else key.valid_from_sequence - 1


def disagreement(known: Sequence[KeyRecord], derived: Sequence[KeyRecord], head: int, *,
                 complete: bool) -> tuple[int, bool, str] | None:
    """Where ``known`` (a registry when ``complete``, else a keys file) first parts from the journal's
    schedule ``derived``: (sequence, truncated, why), or None when it agrees.

    ``truncated`` is True when ``known`` names a key or a window end that lies beyond the journal's last
    entry ``head``: the journal lost its tail. A keys file may stop early and may leave open the window of
    its last key; a registry must hold every key, window and time exactly as the journal does.
    """
    known = sorted(known, key=lambda k: k.valid_from_sequence)
    for i in range(max(len(known), len(derived))):
        if i >= len(known):
            if not complete:
                return None
            d = derived[i]
            return _introduced_at(d), False, f"key {d.key_id}, introduced by the journal, is missing"
        k = known[i]
        if i >= len(derived):
            at = _introduced_at(k)
            if at > head:
                return head + 1, True, f"key {k.key_id} starts after the journal's last entry {head}"
            return at, False, f"key {k.key_id} from sequence {k.valid_from_sequence} is not introduced by the journal"
        d = derived[i]
        if (k.key_id, k.public_key, k.valid_from_sequence, k.valid_from) != \
                (d.key_id, d.public_key, d.valid_from_sequence, d.valid_from):
            at = max(1, min(k.valid_from_sequence, d.valid_from_sequence) - 1)
            return at, False, (f"key {k.key_id} (from {k.valid_from_sequence}, {k.valid_from}) is not the journal's "
                               f"key {d.key_id} (from {d.valid_from_sequence}, {d.valid_from})")
        if (k.valid_to_sequence, k.valid_to) == (d.valid_to_sequence, d.valid_to):
            continue
        if not complete and k.valid_to_sequence is None and k.valid_to is None and i == len(known) - 1:
            continue  # a keys file exported before this key was retired
        if d.valid_to_sequence is None and k.valid_to_sequence is not None:
            end = k.valid_to_sequence
            if end > head:
                return head + 1, True, f"key {k.key_id} ends at {end}, after the journal's last entry {head}"
            return end, False, f"key {k.key_id} ends at {end} but the journal rotates no key there"
        ends = [e for e in (k.valid_to_sequence, d.valid_to_sequence) if e is not None]
        return min(ends, default=d.valid_from_sequence), False, (
            f"key {k.key_id} ends at {k.valid_to_sequence} ({k.valid_to}); the journal retires it at "
            f"{d.valid_to_sequence} ({d.valid_to})")
    return None


def trust_fault(anchor: TrustAnchor | None, derived: Sequence[KeyRecord], head: int) -> tuple[int, bool, str] | None:
    """Whether the anchor vouches for the journal's schedule: (sequence, truncated, why) or None."""
    if anchor is None or anchor.database:
        return None
    if anchor.fingerprint is not None:
        if not derived:
            return None  # no genesis key: the genesis entry itself is the fault
        got = fingerprint(derived[0].public_key)
        if got != anchor.fingerprint.lower():
            return 1, False, f"the genesis key's fingerprint {got} is not the trust anchor {anchor.fingerprint}"
        return None
    keys = anchor.keys or ()
    if not keys:
        return 1, False, "the keys file holds no key"
    return disagreement(keys, derived, head, complete=False)
