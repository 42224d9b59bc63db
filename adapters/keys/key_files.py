"""Ed25519 signing keys as files in the key directory, created 0600; the default ``KeyVault``."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from adapters.keys.key_errors import SigningKeyCorrupt, SigningKeyMissing
from ledger.signing import Ed25519Signer


class KeyDirectory:
    """Private keys as ``<purpose>-<key_id>.ed25519`` files holding the raw 32-byte seed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def ensure(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        return self.path

    def create(self, purpose: str) -> Ed25519Signer:
        self.ensure()
        key = Ed25519PrivateKey.generate()
        signer = Ed25519Signer(key)
        seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        target = self.path / f"{purpose}-{signer.key_id}.ed25519"
        # O_EXCL with mode 0600: the key is never readable by others, not even for an instant.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(seed)
        return signer

    def signer(self, key_id: str) -> Ed25519Signer:
        matches = sorted(self.path.glob(f"*-{key_id}.ed25519")) if self.path.exists() else []
        if not matches:
            raise SigningKeyMissing(f"private key {key_id} is not in {self.path}", key_id=key_id)
        seed = matches[0].read_bytes()
        if len(seed) != 32:
            raise SigningKeyCorrupt(f"key file {matches[0].name} is not a 32-byte Ed25519 seed")
        signer = Ed25519Signer(Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != key_id:
            raise SigningKeyCorrupt(f"key file {matches[0].name} holds key {signer.key_id}")
        return signer
