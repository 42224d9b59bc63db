"""Field-level encryption for secrets at rest (bank-account numbers, TINs): AES-256-GCM envelope encryption.

Layout of the key directory (created 0700; every file 0600):

    master.key      32 random bytes. Never encrypts data itself: HKDF derives from it a key-encryption key
                    (which wraps the data keys with AES key wrap, RFC 3394) and a fingerprint key.
    data_keys.json  the data keys, each wrapped by the key-encryption key, and which one is active.

A ciphertext is ``version (1 byte) | key id (8 bytes) | nonce (12 random bytes) | ciphertext and 16-byte tag``.
The version, key id, row id and column name are the associated data, so a blob copied to another row or
column, or with its key id swapped, fails to decrypt instead of quietly yielding the wrong vendor's account.
Rotating the data key only changes which key encrypts new values; old blobs name their key and still decrypt.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import struct
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from ledger.errors import CodedError

VERSION = 1
KEY_ID_LEN = 8
NONCE_LEN = 12
TAG_LEN = 16
HEADER_LEN = 1 + KEY_ID_LEN
MASTER_KEY_FILE = "master.key"
KEYRING_FILE = "data_keys.json"
_KEY_LEN = 32
_HKDF_SALT = b"disburse.keys.v1"
_AAD_LABEL = b"disburse.field.v1"


class FieldCipherError(CodedError):
    """Root of the field cipher's errors; each carries a stable ``code`` like the domain's errors."""

    code = "field_cipher_error"


class CiphertextNotAuthentic(FieldCipherError):
    """The tag does not verify: tampered with, or bound to another row or column."""

    code = "ciphertext_not_authentic"


class CiphertextMalformed(FieldCipherError):
    """Too short, or not the layout this module writes."""

    code = "ciphertext_malformed"


class UnknownKeyId(FieldCipherError):
    """The blob names a data key the keyring does not hold."""

    code = "unknown_key_id"


class KeyFileInsecure(FieldCipherError):
    """A key file can be read by someone other than its owner, or is not a key at all."""

    code = "key_file_insecure"


class MasterKeyMissing(FieldCipherError):
    """The key directory has no master key and we were told not to create one."""

    code = "master_key_missing"


def _write_new_file(path: Path, data: bytes) -> bool:
    """Create ``path`` atomically with mode 0600; False if another process created it first."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask can only narrow the mode; say it outright anyway
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # link(2) refuses to overwrite: the first writer wins and no one sees half a key
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _replace_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _read_private(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileInsecure(f"{path} is readable by group or others (mode {stat.filemode(mode)}); chmod 600 it")
    return path.read_bytes()


class FieldKeyring:
    """The master key and the wrapped data keys in one directory, and the keys derived from them."""

    def __init__(self, path: Path, master_key: bytes) -> None:
        if len(master_key) != _KEY_LEN:
            raise KeyFileInsecure(f"{path / MASTER_KEY_FILE} does not hold a {_KEY_LEN}-byte key")
        self.path = path
        self._master = master_key
        self._kek = self.derive("data-key-wrapping")
        self._lock = threading.Lock()
        self._wrapped: dict[str, str] = {}
        self._created: dict[str, str] = {}
        self._active: str | None = None

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> FieldKeyring:
        """Load the key directory, creating the master key and a first data key when ``create`` is set."""
        path = Path(path)
        master_path = path / MASTER_KEY_FILE
        if not master_path.exists():
            if not create:
                raise MasterKeyMissing(f"no master key at {master_path}")
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_new_file(master_path, secrets.token_bytes(_KEY_LEN))
        keys = cls(path, _read_private(master_path))
        keys.reload()
        if keys._active is None:
            if not create:
                raise MasterKeyMissing(f"no data keys at {path / KEYRING_FILE}")
            keys._add_data_key(now=None, only_if_none=True)
        return keys

    def derive(self, purpose: str, length: int = _KEY_LEN) -> bytes:
        """A subkey for one purpose (fingerprints, CSRF, …) that reveals nothing about the master or the others."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=_HKDF_SALT, info=purpose.encode())
        return hkdf.derive(self._master)

    def reload(self) -> None:
        """Re-read the keyring (another process may have rotated)."""
        keyring_path = self.path / KEYRING_FILE
        if not keyring_path.exists():
            return
        doc = json.loads(_read_private(keyring_path))
        with self._lock:
            self._wrapped = {kid: entry["wrapped"] for kid, entry in doc["keys"].items()}
            self._created = {kid: entry["created_at"] for kid, entry in doc["keys"].items()}
            self._active = doc["active"]

    def rotate(self, *, now: datetime | None = None) -> str:
        """Make a new data key active and return its id; older keys stay for decryption."""
        return self._add_data_key(now=now, only_if_none=False)

    def _add_data_key(self, *, now: datetime | None, only_if_none: bool) -> str:
        # Read-modify-write under an exclusive file lock, so that two processes starting (or rotating) at once
        # cannot each write a keyring holding only their own key and strand the other's ciphertexts.
        with self._keyring_lock():
            self.reload()
            if only_if_none and self._active is not None:
                return self._active
            key_id = secrets.token_hex(KEY_ID_LEN)
            wrapped = base64.b64encode(aes_key_wrap(self._kek, secrets.token_bytes(_KEY_LEN))).decode()
            with self._lock:
                self._wrapped[key_id] = wrapped
                self._created[key_id] = (now or datetime.now(UTC)).isoformat()
                self._active = key_id
                doc = {"version": 1, "active": key_id,
                       "keys": {k: {"wrapped": w, "created_at": self._created[k]} for k, w in self._wrapped.items()}}
            _replace_file(self.path / KEYRING_FILE, json.dumps(doc, indent=2, sort_keys=True).encode())
            return key_id

    @contextlib.contextmanager
    def _keyring_lock(self):
        fd = os.open(self.path / ".keyring.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    @property
    def active_key_id(self) -> str:
        if self._active is None:
            raise MasterKeyMissing(f"no active data key in {self.path}")
        return self._active

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._wrapped)

    def data_key(self, key_id: str) -> bytes:
        wrapped = self._wrapped.get(key_id)
        if wrapped is None:
            self.reload()
            wrapped = self._wrapped.get(key_id)
        if wrapped is None:
            raise UnknownKeyId(f"data key {key_id} is not in {self.path / KEYRING_FILE}")
        try:
            return aes_key_unwrap(self._kek, base64.b64decode(wrapped))
        except InvalidUnwrap:
            raise KeyFileInsecure(f"data key {key_id} does not unwrap under this master key") from None


def _length_prefixed(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">I", len(raw)) + raw


def associated_data(header: bytes, row_id: str, column: str) -> bytes:
    """Unambiguous: length prefixes keep ("ab", "c") and ("a", "bc") apart."""
    return _AAD_LABEL + header + _length_prefixed(row_id) + _length_prefixed(column)


class AesGcmFieldCipher:
    """Encrypts one column value bound to its row and column; fingerprints values for equality search."""

    def __init__(self, keys: FieldKeyring) -> None:
        self.keys = keys
        self._fingerprint_key = keys.derive("fingerprint")
        self._aead: dict[str, AESGCM] = {}

    @classmethod
    def open(cls, key_dir: Path | str, *, create: bool = True) -> AesGcmFieldCipher:
        return cls(FieldKeyring.open(key_dir, create=create))

    def _aead_for(self, key_id: str) -> AESGCM:
        aead = self._aead.get(key_id)
        if aead is None:
            aead = self._aead[key_id] = AESGCM(self.keys.data_key(key_id))
        return aead

    def encrypt(self, plaintext: str, *, row_id: str, column: str) -> bytes:
        if not isinstance(plaintext, str):
            raise TypeError("the field cipher encrypts text; encode other values first")
        key_id = self.keys.active_key_id
        header = bytes([VERSION]) + bytes.fromhex(key_id)
        # A fresh random 96-bit nonce per call: safe for well under 2**32 encryptions per key; rotate before.
        nonce = os.urandom(NONCE_LEN)
        sealed = self._aead_for(key_id).encrypt(nonce, plaintext.encode(), associated_data(header, row_id, column))
        return header + nonce + sealed

    def decrypt(self, blob: bytes, *, row_id: str, column: str) -> str:
        blob = bytes(blob)  # database drivers may hand back a memoryview
        key_id = self.key_id_of(blob)
        header, nonce = blob[:HEADER_LEN], blob[HEADER_LEN:HEADER_LEN + NONCE_LEN]
        sealed = blob[HEADER_LEN + NONCE_LEN:]
        try:
            plain = self._aead_for(key_id).decrypt(nonce, sealed, associated_data(header, row_id, column))
        except InvalidTag:
            raise CiphertextNotAuthentic(
                f"ciphertext for {column} of row {row_id} does not authenticate: it was altered, or it belongs "
                f"to another row or column"
            ) from None
        return plain.decode()

    def key_id_of(self, blob: bytes) -> str:
        blob = bytes(blob)
        if len(blob) < HEADER_LEN + NONCE_LEN + TAG_LEN:
            raise CiphertextMalformed(f"ciphertext is {len(blob)} bytes, shorter than any this cipher writes")
        if blob[0] != VERSION:
            raise CiphertextMalformed(f"ciphertext version {blob[0]} is not supported (expected {VERSION})")
        return blob[1:HEADER_LEN].hex()

    def needs_reencrypt(self, blob: bytes) -> bool:
        """Whether the blob was sealed with a data key other than the active one."""
        return self.key_id_of(blob) != self.keys.active_key_id

    def reencrypt(self, blob: bytes, *, row_id: str, column: str) -> bytes:
        """Re-seal under the active key (after a rotation); the plaintext never leaves this method."""
        return self.encrypt(self.decrypt(blob, row_id=row_id, column=column), row_id=row_id, column=column)

    def fingerprint(self, value: str) -> str:
        """HMAC-SHA256 of the value under a key derived from the master: equal values match, nobody can guess.

        Callers pass the normalized value (for an account number, routing and digits only) so that formatting
        does not split a match.
        """
        return hmac.new(self._fingerprint_key, value.encode(), hashlib.sha256).hexdigest()
