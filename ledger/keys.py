"""The key registry: which public key may sign which entries.

A key's validity window is a range of sequences (and the times that go with them). The first key is
introduced by the genesis entry, which it signs; a ``key_rotated`` entry is signed by the old key,
co-signed by the new one, and ends the old key's window. The registry exports as a small JSON file
that, with the journal, is all an outside verifier needs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping
from ledger.errors import InvalidKeyFile


KEYS_FORMAT = "disburse-ledger-keys/1"


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A public key and the sequences it may sign: ``valid_from_sequence`` .. ``valid_to_sequence`` (inclusive)."""

    key_id: str
    public_key: bytes
    valid_from_sequence: int
    valid_from: str
    valid_to_sequence: int | None = None
    valid_to: str | None = None

    def covers(self, sequence: int) -> bool:
        """True when this key may sign the entry at ``sequence``."""
        if sequence < self.valid_from_sequence:
            return False
        return self.valid_to_sequence is None or sequence <= self.valid_to_sequence

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["public_key"] = self.public_key.hex()
        return data


def export_keys(keys: Iterable[KeyRecord], journal: str = "ledger") -> str:
    """The public key file an auditor takes away."""
    return json.dumps({"format": KEYS_FORMAT, "journal": journal,
                       "keys": [k.as_json() for k in sorted(keys, key=lambda k: k.valid_from_sequence)]},
                      indent=2, sort_keys=True) + "\n"


def import_keys(text: str) -> dict[str, KeyRecord]:
    """Read a public key file; raises ``invalid_key_file`` with the reason."""
    try:
        doc = json.loads(text)
        if doc.get("format") != KEYS_FORMAT:
            raise ValueError(f"format must be {KEYS_FORMAT!r}")
        keys = {}
        for raw in doc["keys"]:
            for name, kinds in (("key_id", (str,)), ("valid_from", (str,)), ("valid_from_sequence", (int,)),
                                ("valid_to", (str, type(None))), ("valid_to_sequence", (int, type(None)))):
                if type(raw.get(name)) not in kinds:
                    raise ValueError(f"key {raw.get('key_id')!r}: {name} must be {' or '.join(k.__name__ for k in kinds)}")
            key = KeyRecord(key_id=raw["key_id"], public_key=hex_bytes(raw, "public_key", 32),
                            valid_from_sequence=raw["valid_from_sequence"], valid_from=raw["valid_from"],
                            valid_to_sequence=raw["valid_to_sequence"], valid_to=raw["valid_to"])
            if key.key_id in keys:
                raise ValueError(f"key {key.key_id} is listed twice")
            keys[key.key_id] = key
        return keys
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidKeyFile(f"public key file is not valid: {exc}") from None


def hex_bytes(doc: dict[str, Any], name: str, size: int) -> bytes:
    """``doc[name]`` as bytes: exactly ``size`` bytes written as lower-case hex, else ``ValueError``."""
    text = doc[name]
    raw = bytes.fromhex(text) if type(text) is str and text == text.lower() else b""
    if len(raw) != size or raw.hex() != text:
        raise ValueError(f"{name} must be {2 * size} lower-case hex digits")
    return raw


def key_for(keys: Mapping[str, KeyRecord], key_id: str, sequence: int) -> KeyRecord | None:
    """The registered key ``key_id`` if its window covers ``sequence``."""
    key = keys.get(key_id)
    return key if key is not None and key.covers(sequence) else None
