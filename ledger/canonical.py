"""Canonical encoding v1 of a journal entry, its hash and what is signed.

Documented in docs/ledger-format.md; an independent verifier needs only this description:

* canonical bytes = UTF-8 JSON of the object below, keys sorted, separators ``,`` and ``:``, no
  insignificant whitespace, non-ASCII characters written as themselves, integers only (no floats);
* hash = SHA-256(version byte 0x01 || previous entry's hash (32 zero bytes before the first) || canonical bytes);
* signature = Ed25519 over the 32-byte hash, by the key named in ``key_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from ledger.entries import EntryDraft, _plain

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

    Drafts of the usual shape (plain strings, integer amounts, a date) are written member by member with
    the encoder's own string and integer forms, at a fifth of the cost of building and encoding the
    body; anything else goes through the encoder. Both give the same bytes (a property test holds them
    to ``canonical_bytes``).
    """
    head = _fast_head(draft, key_id)
    if head is None:
        return _generic_parts(draft, key_id)
    refs = draft.references
    tail = (f',"references":{_encode(dict(refs)) if refs else "{}"},'
            f'"reverses":{"null" if draft.reverses is None else _text(draft.reverses)},"sequence":')
    return head.encode("utf-8"), tail.encode("utf-8")


# The encoder's own string form (ensure_ascii=False) and integer form, so that hand-written members match it.
_text = json.encoder.encode_basestring
_int = int.__repr__


def _fast_head(draft: EntryDraft, key_id: str) -> str | None:
    if not (type(draft.code) is str and type(draft.id) is str and type(draft.memo) is str
            and type(key_id) is str and type(draft.effective_date) is dt.date
            and (draft.reverses is None or type(draft.reverses) is str)):
        return None
    legs = []
    for p in draft.postings:
        direction: Any = p.direction
        if type(direction) is not str:
            direction = getattr(direction, "value", None)
        if not (type(p.account) is str and type(p.amount_minor) is int and type(p.currency) is str
                and type(direction) is str):
            return None
        legs.append(f'{{"account":{_text(p.account)},"amount_minor":{_int(p.amount_minor)},'
                    f'"currency":{_text(p.currency)},"direction":{_text(direction)}}}')
    data = _encode(_plain(draft.data)) if draft.data else "{}"
    return (f'{{"code":{_text(draft.code)},"data":{data},"effective_date":"{draft.effective_date.isoformat()}",'
            f'"id":{_text(draft.id)},"key_id":{_text(key_id)},"memo":{_text(draft.memo)},'
            f'"postings":[{",".join(legs)}],"recorded_at":')


def _generic_parts(draft: EntryDraft, key_id: str) -> tuple[bytes, bytes]:
    body = draft.body()
    front = _encode({"code": body["code"], "data": body["data"], "effective_date": body["effective_date"],
                     "id": body["id"], "key_id": key_id, "memo": body["memo"], "postings": body["postings"]})
    back = _encode({"references": body["references"], "reverses": body["reverses"]})
    return (front[:-1] + ',"recorded_at":').encode("utf-8"), ("," + back[1:-1] + ',"sequence":').encode("utf-8")


def encode_json(value: Any) -> bytes:
    """The same canonical JSON rules, for checkpoints and balance digests."""
    return _encode(value).encode("utf-8")


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """SHA-256 over version byte, previous hash and canonical bytes."""
    h = hashlib.sha256(VERSION_BYTE)
    h.update(prev_hash)
    h.update(canonical)
    return h.digest()
