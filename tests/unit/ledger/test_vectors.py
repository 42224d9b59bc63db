"""The published test vectors, checked two ways: by the library, and by an independent verifier written
only from docs/ledger-format.md (hashlib, json and an Ed25519 implementation; nothing from ledger/)."""

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.data.ledger.make_vectors import build

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "ledger" / "vectors.json").read_text())


def test_the_library_reproduces_the_committed_vectors_byte_for_byte():
    assert build() == VECTORS


def test_an_independent_verifier_written_from_the_format_document_agrees():
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTORS["ed25519_seed"]))
    public = key.public_key()
    prev = bytes(32)
    for v in VECTORS["entries"]:
        obj = json.loads(v["canonical_utf8"])
        # Re-encode from the parsed object by the documented rules: the bytes must be identical.
        again = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        assert again == v["canonical_utf8"].encode("utf-8")
        assert bytes.fromhex(v["prev_hash"]) == prev
        digest = hashlib.sha256(b"\x01" + prev + again).digest()
        assert digest.hex() == v["hash"]
        public.verify(bytes.fromhex(v["signature"]), digest)  # raises if wrong
        assert key.sign(digest).hex() == v["signature"]  # Ed25519 is deterministic
        prev = digest
