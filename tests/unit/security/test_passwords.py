"""argon2id password hashes: verify the right password, reject the wrong one, notice weak parameters."""

from __future__ import annotations

import pytest

from adapters.keys import passwords
from adapters.keys.passwords import PasswordHasher, PasswordRejected

# Cheap parameters keep the suite fast; one test below exercises the production defaults.
fast = PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


def test_a_hash_verifies_the_right_password_and_rejects_a_wrong_one():
    stored = fast.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert fast.verify(stored, "correct horse battery staple")
    assert not fast.verify(stored, "correct horse battery stapler")


def test_the_same_password_hashes_differently_each_time():
    assert fast.hash("hunter2-hunter2") != fast.hash("hunter2-hunter2")


def production() -> PasswordHasher:
    """The hasher a `disburse` process makes by default. (This suite's conftest lowers the defaults in-process so that
    example agencies load quickly; the production values are the module's constants, restored here by name.)"""
    return PasswordHasher(time_cost=passwords.TIME_COST, memory_cost_kib=passwords.MEMORY_COST_KIB,
                          parallelism=passwords.PARALLELISM)


def test_the_production_defaults_are_argon2id_at_64_mib():
    default = production()
    stored = default.hash("s3cret pass phrase")
    assert "$argon2id$v=19$m=65536,t=3,p=4$" in stored
    assert default.verify(stored, "s3cret pass phrase")
    assert not default.needs_rehash(stored)


def test_a_hash_made_with_weaker_parameters_needs_rehash():
    assert production().needs_rehash(fast.hash("pass phrase"))


@pytest.mark.parametrize("stored", ["", "plaintext", "$argon2id$v=19$m=8192,t=1,p=1$garbage"])
def test_a_malformed_stored_hash_is_a_mismatch_and_needs_rehash(stored):
    assert not fast.verify(stored, "anything")
    assert fast.needs_rehash(stored)


@pytest.mark.parametrize("password", ["", "x" * 1025])
def test_empty_and_absurd_passwords_are_refused(password):
    with pytest.raises(PasswordRejected) as refused:
        fast.hash(password)
    assert refused.value.code == "password_rejected"
    assert not fast.verify(fast.hash("real one"), password)


def test_an_unknown_user_still_costs_a_verify_and_fails():
    assert fast.verify_unknown_user("guess") is False
