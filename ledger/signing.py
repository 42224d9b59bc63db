"""Ed25519 signing behind a Protocol, so an HSM or cloud KMS can replace the local key file."""

from __future__ import annotations

import hashlib
from typing import Callable, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Signer(Protocol):
    """Signs 32-byte entry hashes under one key id.

    ``key_id`` names the key in the registry; ``public_key`` is the raw 32-byte Ed25519 public key;
    ``sign`` returns a 64-byte Ed25519 signature and never exposes the private key.
    """

    @property
    def key_id(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Ed25519Signer:
    """A signer holding an in-process private key (loaded from a key file by an adapter)."""

    __slots__ = ("_key", "_key_id", "_public")

    def __init__(self, private_key: Ed25519PrivateKey, key_id: str | None = None) -> None:
        self._key = private_key
        self._public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._key_id = key_id or key_id_for(self._public)

    @classmethod
    def generate(cls) -> "Ed25519Signer":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> "Ed25519Signer":
        """Deterministic key from a 32-byte seed: for test vectors only."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def __repr__(self) -> str:  # never show key material
        return f"Ed25519Signer(key_id={self._key_id!r})"


def key_id_for(public_key: bytes) -> str:
    """Key ids are derived from the public key: ``k_`` + first 16 hex digits of its SHA-256."""
    return "k_" + hashlib.sha256(public_key).hexdigest()[:16]


def signature_checker(public_key: bytes) -> Callable[[bytes, bytes], bool]:
    """``check(signature, message)`` for one public key, parsed once (verifying many entries)."""
    try:
        verify = Ed25519PublicKey.from_public_bytes(public_key).verify
    except ValueError:
        return lambda _signature, _message: False

    def check(signature: bytes, message: bytes) -> bool:
        try:
            verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    return check


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` under ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
