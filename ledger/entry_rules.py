"""The rules every stored entry must keep, checked by the verifier on the row as stored (docs/ledger-format.md).

A holder of the signing key can sign anything; these rules are what such an entry must still obey, so that
a stolen key cannot slip a float, a third side of the books or a junk co-signature past ``ledger verify``.
Each broken rule is a fault with a stable code; within one entry the first in ``RANK`` wins.

A row is the tuple of ``ledger.verify_chunk``: ``(sequence, id, effective_date, recorded_at, code, memo,
references, data, reverses, key_id, prev_hash, hash, signature, cosignature, legs)``, where ``references`` and
``data`` are JSON text or already parsed objects, and ``legs`` are ``(account, direction, amount_minor, currency)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any, Mapping, Sequence, TypeGuard

from ledger.errors import LedgerError

GENESIS = "ledger_genesis"
ROTATION = "key_rotated"
SYSTEM_CODES = frozenset({GENESIS, ROTATION})
MAX_AMOUNT_MINOR = 10**15

# Where a fault ranks among those of the same entry: the lowest wins (docs: "Fault precedence").
ENTRY_FAULTS = ("sequence_gap", "float_in_entry", "canonical_mismatch", "hash_mismatch", "derived_mismatch",
                "invalid_field",
                "invalid_posting", "system_entry_with_postings", "unbalanced", "unexpected_cosignature",
                "bad_genesis", "bad_rotation", "unknown_key", "bad_signature", "untrusted_key")
RANK = {code: i for i, code in enumerate(ENTRY_FAULTS)}

_ID = re.compile(r"je_[0-7][0-9A-HJKMNP-TV-Z]{25}")
_CODE = re.compile(r"[a-z][a-z0-9_]{1,63}")
_REF_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d would take any script's digits
_RECORDED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_CURRENCY = re.compile(r"[A-Z]{3}")
_HEX32 = re.compile(r"[0-9a-f]{64}")
_GENESIS_KEYS = ("key_id", "public_key")
_ROTATION_KEYS = ("key_id", "previous_key_id", "public_key")


class FloatFound(LedgerError, ValueError):
    """A JSON number with a fraction or an exponent (or NaN/Infinity): the format has no floats."""

    code = "float_found"


def _no_float(text: str) -> Any:
    raise FloatFound(text)


# The C scanner calls these only for a float token, so a journal without floats pays nothing for the check.
_loads = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_float).decode


def parse_object(value: Any) -> Any:
    """``references`` or ``data`` as stored (JSON text) or given (an object); raises ``FloatFound`` on a float."""
    if isinstance(value, str):
        return {} if value == "{}" else _loads(value)
    if value is not None and _has_float(value):
        raise FloatFound("a float")
    return value


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_float(v) for v in value)
    return False


def float_fault(row: Sequence[Any], refs: Any, data: Any) -> str | None:
    """The float rule over the fields that are not JSON text: the legs' amounts."""
    for index, leg in enumerate(row[14]):
        if isinstance(leg[2], float):
            return f"posting {index}: amount_minor {leg[2]!r} is a float"
    return None


def key_id_for(public_key: bytes) -> str:
    """``k_`` + the first 16 hex digits of SHA-256 of the raw public key."""
    return "k_" + hashlib.sha256(public_key).hexdigest()[:16]


def _is_text(value: Any) -> TypeGuard[str]:
    return type(value) is str


def _valid_date(text: Any) -> bool:
    if not _is_text(text) or not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def field_fault(row: Sequence[Any], refs: Any, data: Any) -> str | None:
    """``invalid_field``: a field of the wrong type or form (what the posting rules allow, checked again)."""
    seq, eid, eff, recorded_at, code, memo, _r, _d, reverses, key_id = row[:10]
    if type(seq) is not int or seq < 1:
        return f"sequence {seq!r} is not an integer >= 1"
    if not _is_text(eid) or not _ID.fullmatch(eid):
        return f"id {eid!r} is not 'je_' followed by a ULID"
    if isinstance(eff, dt.date):
        eff = eff.isoformat()
    if not _valid_date(eff):
        return f"effective_date {eff!r} is not a date YYYY-MM-DD"
    if not _is_text(recorded_at) or not _RECORDED_AT.fullmatch(recorded_at) or not _valid_date(recorded_at[:10]):
        return f"recorded_at {recorded_at!r} is not RFC 3339 UTC with microseconds"
    if not _is_text(code) or not _CODE.fullmatch(code):
        return f"code {code!r} is not snake_case"
    if not _is_text(memo):
        return "memo is not text"
    if not isinstance(refs, dict):
        return "references is not an object"
    for k, v in refs.items():
        if not _REF_KEY.fullmatch(k) or not _is_text(v) or not v or len(v) > 128:
            return f"reference {k!r} is not a snake_case name with a text value of 1 to 128 characters"
    if not isinstance(data, dict):
        return "data is not an object"
    if reverses is not None and (not _is_text(reverses) or not _ID.fullmatch(reverses)):
        return f"reverses {reverses!r} is neither null nor an entry id"
    if not _is_text(key_id):
        return "key_id is not text"
    return None


def posting_fault(legs: Sequence[Any]) -> str | None:
    """``invalid_posting``: a side other than debit/credit, an empty account, a malformed currency, or an
    amount that is not an integer from 1 to 10**15."""
    for index, (account, direction, amount, currency) in enumerate(legs):
        if direction != "debit" and direction != "credit":
            return f"posting {index}: direction {direction!r} is neither 'debit' nor 'credit'"
        if not _is_text(account) or not account:
            return f"posting {index}: account {account!r} is not a non-empty text"
        if not _is_text(currency) or not _CURRENCY.fullmatch(currency):
            return f"posting {index}: currency {currency!r} is not three capital letters"
        if type(amount) is not int or not 0 < amount <= MAX_AMOUNT_MINOR:
            return f"posting {index}: amount_minor {amount!r} is not an integer from 1 to 10**15"
    return None


def balance_fault(legs: Sequence[Any]) -> str | None:
    """``unbalanced``: debits and credits differ in some currency."""
    totals: dict[str, int] = {}
    for _account, direction, amount, currency in legs:
        totals[currency] = totals.get(currency, 0) + (amount if direction == "debit" else -amount)
    off = {c: v for c, v in totals.items() if v}
    return None if not off else "unbalanced: " + ", ".join(f"{c} off by {v}" for c, v in sorted(off.items()))


def _public_key(data: Mapping[str, Any]) -> bytes | None:
    text = data.get("public_key")
    return bytes.fromhex(text) if _is_text(text) and _HEX32.fullmatch(text) else None


def genesis_fault(seq: int, code: str, key_id: Any, data: Mapping[str, Any]) -> str | None:
    """``bad_genesis``: entry 1 is the genesis, only entry 1 is, and it introduces the key that signs it."""
    if seq == 1 and code != GENESIS:
        return f"the first entry is a {code!r}, not a {GENESIS}"
    if code != GENESIS:
        return None
    if seq != 1:
        return f"a {GENESIS} entry at sequence {seq}: only the first entry may be one"
    if sorted(data) != list(_GENESIS_KEYS):
        return f"genesis data must be exactly {{key_id, public_key}}, not {{{', '.join(sorted(data))}}}"
    public = _public_key(data)
    if public is None:
        return "genesis public_key is not 64 lower-case hex digits"
    if data["key_id"] != key_id_for(public):
        return f"genesis key_id {data['key_id']!r} is not derived from its public key ({key_id_for(public)})"
    if key_id != data["key_id"]:
        return f"the genesis entry is signed by {key_id}, not by the key it introduces ({data['key_id']})"
    return None


def rotation_fault(code: str, key_id: Any, data: Mapping[str, Any]) -> str | None:
    """``bad_rotation``: a rotation names the key that signs it as the previous key and a new, different key."""
    if code != ROTATION:
        return None
    if sorted(data) != list(_ROTATION_KEYS):
        return ("rotation data must be exactly {key_id, previous_key_id, public_key}, "
                f"not {{{', '.join(sorted(data))}}}")
    public = _public_key(data)
    if public is None:
        return "the new public_key is not 64 lower-case hex digits"
    if data["key_id"] != key_id_for(public):
        return f"the new key_id {data['key_id']!r} is not derived from its public key ({key_id_for(public)})"
    if data["previous_key_id"] != key_id:
        return f"the rotation is signed by {key_id} but names {data['previous_key_id']!r} as the previous key"
    if data["key_id"] == key_id:
        return "the rotation introduces the key that signs it"
    return None


def derived_fault(row: Sequence[Any], derived: Sequence[Any]) -> str | None:
    """``derived_mismatch``: a stored column outside the hash that must follow from what it covers does not:
    each posting's position (``idx`` 0, 1, ...) and its copy of the entry's ``effective_date``."""
    eff = row[2].isoformat() if isinstance(row[2], dt.date) else row[2]
    for position, (idx, posting_date) in enumerate(derived):
        if idx != position:
            return f"posting {position} is stored with idx {idx}"
        if (posting_date.isoformat() if isinstance(posting_date, dt.date) else posting_date) != eff:
            return f"posting {position} is stored with effective_date {posting_date}, the entry's is {eff}"
    return None


def rule_fault(row: Sequence[Any], refs: Any, data: Any) -> tuple[str, str] | None:
    """The first rule an entry whose hash checks out still breaks, as (code, detail), in rank order up to
    ``bad_rotation``; keys and signatures are the caller's (they need the key schedule)."""
    problem = field_fault(row, refs, data)
    if problem:
        return "invalid_field", problem
    legs = row[14]
    problem = posting_fault(legs)
    if problem:
        return "invalid_posting", problem
    seq, code, key_id, cosignature = row[0], row[4], row[9], row[13]
    if code in SYSTEM_CODES and legs:
        return "system_entry_with_postings", f"a {code} entry carries {len(legs)} postings; it must carry none"
    problem = balance_fault(legs)
    if problem:
        return "unbalanced", problem
    if cosignature is not None and code != ROTATION:
        return "unexpected_cosignature", f"a {code} entry carries a co-signature; only {ROTATION} entries may"
    problem = genesis_fault(seq, code, key_id, data)
    if problem:
        return "bad_genesis", problem
    problem = rotation_fault(code, key_id, data)
    if problem:
        return "bad_rotation", problem
    return None


def claim_of(row: Sequence[Any], data: Any) -> tuple[Any, ...] | None:
    """What a system entry claims about keys, for deriving the key schedule: (sequence, code, key_id,
    recorded_at, data), or None for an ordinary entry."""
    code = row[4]
    if code in SYSTEM_CODES and isinstance(data, dict):
        return (row[0], code, row[9], row[3], data)
    return None
