"""AES-256-GCM field encryption: bound to its row and column, never a repeated nonce, keys kept private."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import Protocol, runtime_checkable

import pytest

from adapters.keys.field_cipher import (
    HEADER_LEN,
    KEYRING_FILE,
    MASTER_KEY_FILE,
    NONCE_LEN,
    AesGcmFieldCipher,
    CiphertextMalformed,
    CiphertextNotAuthentic,
    FieldKeyring,
    KeyFileInsecure,
    MasterKeyMissing,
    UnknownKeyId,
)

ACCOUNT = "000123456789"


@runtime_checkable
class FieldCipher(Protocol):
    """The shape ``payments/ports.py`` is expected to declare; the adapter must satisfy it."""

    def encrypt(self, plaintext: str, *, row_id: str, column: str) -> bytes: ...
    def decrypt(self, blob: bytes, *, row_id: str, column: str) -> str: ...
    def fingerprint(self, value: str) -> str: ...


@pytest.fixture
def cipher(tmp_path) -> AesGcmFieldCipher:
    return AesGcmFieldCipher.open(tmp_path / "keys")


def test_it_satisfies_the_field_cipher_port(cipher):
    assert isinstance(cipher, FieldCipher)


def test_a_value_round_trips_in_its_own_row_and_column(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="bac_1", column="account_number")
    assert ACCOUNT.encode() not in blob
    assert cipher.decrypt(blob, row_id="bac_1", column="account_number") == ACCOUNT


def test_the_blob_layout_is_version_key_id_nonce_then_ciphertext_and_tag(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="bac_1", column="account_number")
    assert blob[0] == 1
    assert blob[1:HEADER_LEN].hex() == cipher.keys.active_key_id
    assert len(blob) == HEADER_LEN + NONCE_LEN + len(ACCOUNT) + 16


def test_a_memoryview_from_the_database_decrypts(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="bac_1", column="account_number")
    assert cipher.decrypt(memoryview(blob), row_id="bac_1", column="account_number") == ACCOUNT


def test_a_ciphertext_moved_to_another_row_fails_to_decrypt(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="bac_1", column="account_number")
    with pytest.raises(CiphertextNotAuthentic) as refused:
        cipher.decrypt(blob, row_id="bac_2", column="account_number")
    assert refused.value.code == "ciphertext_not_authentic"
    assert "another row or column" in str(refused.value)


def test_a_ciphertext_moved_to_another_column_fails_to_decrypt(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="ven_1", column="account_number")
    with pytest.raises(CiphertextNotAuthentic):
        cipher.decrypt(blob, row_id="ven_1", column="tin")


def test_row_and_column_cannot_be_reshuffled_across_the_boundary(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="ab", column="c")
    with pytest.raises(CiphertextNotAuthentic):
        cipher.decrypt(blob, row_id="a", column="bc")


def test_a_flipped_bit_fails_to_decrypt(cipher):
    blob = bytearray(cipher.encrypt(ACCOUNT, row_id="bac_1", column="account_number"))
    blob[-1] ^= 1
    with pytest.raises(CiphertextNotAuthentic):
        cipher.decrypt(bytes(blob), row_id="bac_1", column="account_number")


def test_garbage_and_unknown_versions_are_malformed(cipher):
    with pytest.raises(CiphertextMalformed):
        cipher.decrypt(b"short", row_id="r", column="c")
    blob = cipher.encrypt(ACCOUNT, row_id="r", column="c")
    with pytest.raises(CiphertextMalformed):
        cipher.decrypt(b"\x09" + blob[1:], row_id="r", column="c")


def test_a_blob_naming_an_unknown_key_is_refused(cipher):
    blob = cipher.encrypt(ACCOUNT, row_id="r", column="c")
    forged = blob[:1] + bytes(8) + blob[HEADER_LEN:]
    with pytest.raises(UnknownKeyId):
        cipher.decrypt(forged, row_id="r", column="c")


def test_one_hundred_thousand_encryptions_repeat_no_nonce(cipher):
    nonces = set()
    for i in range(100_000):
        blob = cipher.encrypt("4", row_id="r", column="c")
        nonces.add(blob[HEADER_LEN:HEADER_LEN + NONCE_LEN])
    assert len(nonces) == 100_000


def test_the_master_key_file_and_keyring_are_owner_only(tmp_path):
    AesGcmFieldCipher.open(tmp_path / "keys")
    for name in (MASTER_KEY_FILE, KEYRING_FILE):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_the_master_key_file_is_0600_even_under_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        AesGcmFieldCipher.open(tmp_path / "keys")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "keys" / MASTER_KEY_FILE).stat().st_mode) == 0o600


def test_a_group_readable_master_key_is_refused(tmp_path):
    AesGcmFieldCipher.open(tmp_path / "keys")
    (tmp_path / "keys" / MASTER_KEY_FILE).chmod(0o640)
    with pytest.raises(KeyFileInsecure) as refused:
        AesGcmFieldCipher.open(tmp_path / "keys")
    assert refused.value.code == "key_file_insecure"


def test_opening_without_create_needs_an_existing_master(tmp_path):
    with pytest.raises(MasterKeyMissing):
        AesGcmFieldCipher.open(tmp_path / "nowhere", create=False)


def test_the_master_key_never_encrypts_data_directly(cipher):
    master = (cipher.keys.path / MASTER_KEY_FILE).read_bytes()
    keyring = json.loads((cipher.keys.path / KEYRING_FILE).read_text())
    assert master.hex() not in json.dumps(keyring)
    assert cipher.keys.data_key(cipher.keys.active_key_id) != master


def test_a_reopened_directory_decrypts_what_the_first_encrypted(tmp_path):
    blob = AesGcmFieldCipher.open(tmp_path / "keys").encrypt(ACCOUNT, row_id="r", column="c")
    assert AesGcmFieldCipher.open(tmp_path / "keys", create=False).decrypt(blob, row_id="r", column="c") == ACCOUNT


def test_rotation_keeps_old_blobs_readable_and_reencrypts_under_the_new_key(cipher):
    old_blob = cipher.encrypt(ACCOUNT, row_id="r", column="c")
    old_key = cipher.keys.active_key_id
    new_key = cipher.keys.rotate()
    assert new_key != old_key and cipher.keys.key_ids == {old_key, new_key}
    assert cipher.needs_reencrypt(old_blob)
    assert cipher.decrypt(old_blob, row_id="r", column="c") == ACCOUNT
    new_blob = cipher.reencrypt(old_blob, row_id="r", column="c")
    assert cipher.key_id_of(new_blob) == new_key and not cipher.needs_reencrypt(new_blob)
    assert AesGcmFieldCipher.open(cipher.keys.path).decrypt(new_blob, row_id="r", column="c") == ACCOUNT


def test_a_process_opened_before_a_rotation_finds_the_new_key(tmp_path):
    early = AesGcmFieldCipher.open(tmp_path / "keys")
    late = AesGcmFieldCipher.open(tmp_path / "keys")
    late.keys.rotate()
    blob = late.encrypt(ACCOUNT, row_id="r", column="c")
    assert early.decrypt(blob, row_id="r", column="c") == ACCOUNT


def test_fingerprints_are_stable_and_match_across_rows(cipher):
    assert cipher.fingerprint("021000021:" + ACCOUNT) == cipher.fingerprint("021000021:" + ACCOUNT)
    reopened = AesGcmFieldCipher.open(cipher.keys.path)
    assert reopened.fingerprint(ACCOUNT) == cipher.fingerprint(ACCOUNT)
    assert cipher.fingerprint(ACCOUNT) != cipher.fingerprint("000123456780")


def test_fingerprints_are_keyed_by_the_master(cipher, tmp_path):
    other = AesGcmFieldCipher.open(tmp_path / "other-keys")
    assert other.fingerprint(ACCOUNT) != cipher.fingerprint(ACCOUNT)
    assert cipher.fingerprint(ACCOUNT) != hashlib.sha256(ACCOUNT.encode()).hexdigest()


def test_fingerprints_survive_data_key_rotation(cipher):
    before = cipher.fingerprint(ACCOUNT)
    cipher.keys.rotate()
    assert AesGcmFieldCipher(cipher.keys).fingerprint(ACCOUNT) == before


def test_derived_subkeys_differ_by_purpose(tmp_path):
    keys = FieldKeyring.open(tmp_path / "keys")
    assert keys.derive("csrf") != keys.derive("fingerprint")
    assert keys.derive("csrf") == keys.derive("csrf")


def test_only_text_is_encrypted(cipher):
    with pytest.raises(TypeError):
        cipher.encrypt(123456789, row_id="r", column="c")
