"""Canonical encoding v1 of a journal entry, its hash and what is signed.

Documented in docs/ledger-format.md; an independent verifier needs only this description:

* canonical bytes = UTF-8 JSON of the object below, keys sorted, separators ``,`` and ``:``, no
  insignificant whitespace, non-ASCII characters written as themselves, integers only (no floats);
* hash = SHA-256(version byte 0x01 || previous entry's hash (32 zero bytes before the first) || canonical bytes);
* signature = Ed25519 over the 32-byte hash, by the key named in ``key_id``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ledger.entries import EntryDraft

VERSION = 1
VERSION_BYTE = bytes([VERSION])
GENESIS_PREV_HASH = bytes(32)

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def canonical_object(draft: EntryDraft, *, sequence: int, recorded_at: str, key_id: str) -> dict[str, Any]:
    """The object whose JSON is the canonical form: the draft's body plus its place and signer."""
    body = draft.body()
    body["sequence"] = sequence
    body["recorded_at"] = recorded_at
    body["key_id"] = key_id
    return body


def canonical_bytes(draft: EntryDraft, *, sequence: int, recorded_at: str, key_id: str) -> bytes:
    """Canonical bytes v1 of a sealed entry's content."""
    return _encode(canonical_object(draft, sequence=sequence, recorded_at=recorded_at, key_id=key_id)).encode("utf-8")


def canonical_parts(draft: EntryDraft, *, key_id: str) -> tuple[bytes, bytes]:
    """The canonical bytes less the two things known only under the head lock, for sealing fast.

    ``head + json(recorded_at) + tail + str(sequence) + b"}"`` equals ``canonical_bytes``: the object has
    a fixed set of top-level keys, so its sorted-key JSON is the concatenation of its members in
    this order, and ``sequence`` is the last of them.
    """
    body = draft.body()
    head = (f'{{"code":{_encode(body["code"])},"data":{_encode(body["data"])},'
            f'"effective_date":{_encode(body["effective_date"])},"id":{_encode(body["id"])},'
            f'"key_id":{_encode(key_id)},"memo":{_encode(body["memo"])},"postings":{_encode(body["postings"])},'
            f'"recorded_at":')
    tail = f',"references":{_encode(body["references"])},"reverses":{_encode(body["reverses"])},"sequence":'
    return head.encode("utf-8"), tail.encode("utf-8")


def encode_json(value: Any) -> bytes:
    """The same canonical JSON rules, for checkpoints and balance digests."""
    return _encode(value).encode("utf-8")


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """SHA-256 over version byte, previous hash and canonical bytes."""
    h = hashlib.sha256(VERSION_BYTE)
    h.update(prev_hash)
    h.update(canonical)
    return h.digest()
