"""Users' lock-out arithmetic, the token codec, and audit events on in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import FixedClock
from adapters.keys.tokens import ApiTokenCodec
from ledger.signing import Ed25519Signer
from ledger.verify import verify_journal
from payments.audit import AuditTrail, digest
from payments.errors import DomainError
from payments.identity import Principal, Role
from payments.people.users import SignInPolicy, User, UserStatus, check_password, normalize_username
from tests.fakes import InMemoryJournalStore

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def tess(**kw) -> User:
    return User("usr_tess", "tess", "Tess", frozenset({Role.TREASURER}), None, UserStatus.ACTIVE, NOW, "usr_root",
                password_hash="$argon2id$x", **kw)


def test_five_wrong_passwords_in_a_row_lock_the_account_for_the_policy_period():
    policy, user = SignInPolicy(max_failures=5, lockout_minutes=15), tess()
    for _ in range(4):
        user = user.after_failure(policy, NOW)
    assert (user.failed_sign_ins, user.is_locked(NOW)) == (4, False)
    user = user.after_failure(policy, NOW)
    assert user.is_locked(NOW) and not user.is_locked(NOW + timedelta(minutes=15))
    assert user.after_success().failed_sign_ins == 0 and user.after_success().locked_until is None


def test_a_user_record_can_never_mix_the_vendor_role_with_staff_roles():
    with pytest.raises(DomainError):
        User("usr_x", "x1", "X", frozenset({Role.VENDOR, Role.AP_APPROVER}), "ven_1", UserStatus.ACTIVE, NOW, "r")
    with pytest.raises(DomainError):
        User("usr_x", "x1", "X", frozenset({Role.VENDOR}), None, UserStatus.ACTIVE, NOW, "r")


def test_usernames_and_passwords():
    assert normalize_username("  Casey.Jones@city ") == "casey.jones@city"
    for bad in ("", "a", "-lead", "has space", "x" * 65):
        with pytest.raises(DomainError):
            normalize_username(bad)
    with pytest.raises(DomainError) as err:
        check_password("short")
    assert err.value.code == "password_too_short"


def test_the_snapshot_that_is_audited_never_holds_the_password_hash():
    assert "$argon2id$x" not in str(tess().snapshot()) and tess().snapshot()["has_password"] is True


def test_the_token_codec_mints_shows_once_and_compares_in_constant_time():
    codec = ApiTokenCodec()
    secret, stored, hint = codec.mint()
    assert secret.startswith("dsb_") and len(secret) == 47 and stored != secret and hint == secret[:8] + "…"
    assert codec.hash(secret) == stored and codec.matches(secret, stored)
    assert codec.hash("dsb_short") is None and codec.hash("Bearer x") is None
    assert not codec.matches(secret, None) and not codec.matches(secret, codec.mint()[1])


class _Index:
    def __init__(self) -> None:
        self.rows: list = []

    def add(self, entry, **kw) -> None:  # noqa: ANN001, ANN003
        self.rows.append((entry, kw))


class _Uow:
    def __init__(self) -> None:
        self.audit, self.audit_index = InMemoryJournalStore(), _Index()


class _Vault:
    def __init__(self) -> None:
        self.keys: dict = {}

    def create(self, purpose: str) -> Ed25519Signer:
        signer = Ed25519Signer.generate()
        self.keys[signer.key_id] = signer
        return signer

    def signer(self, key_id: str) -> Ed25519Signer:
        return self.keys[key_id]


def test_an_audit_event_starts_its_own_signed_chain_and_verifies():
    uow, trail = _Uow(), AuditTrail(lambda **_: None, _Vault(), FixedClock(NOW))
    actor = Principal.staff("usr_val", Role.VENDOR_ADMIN)
    entry = trail.record(uow, actor, "bank_change_requested", "bch_1", None, {"status": "requested"},
                         detail={"vendor_id": "ven_1"})
    assert entry.sequence == 2  # after the genesis entry that introduces the audit key
    assert entry.draft.data["actor_roles"] == ["vendor_admin"]
    assert entry.draft.data["after_digest"] == digest({"status": "requested"})
    assert uow.audit_index.rows[0][1] == {"actor": "usr_val", "action": "bank_change_requested",
                                          "object_type": "bch", "object_id": "bch_1"}
    keys = {k.key_id: k for k in uow.audit.keys()}
    assert verify_journal(uow.audit.iter_entries(), keys, workers=1).ok


def test_digests_are_canonical_and_refuse_floats_and_secrets():
    assert digest({"b": 1, "a": [2, 3]}) == digest({"a": [2, 3], "b": 1})
    assert digest(None) is None
    with pytest.raises(ValueError):
        digest({"amount": 1.5})
    with pytest.raises(ValueError):
        digest({"nested": {"token": "dsb_x"}})
    with pytest.raises(ValueError):
        AuditTrail(lambda **_: None, _Vault(), FixedClock(NOW)).record(_Uow(), "system", "Not-Snake", "x_1")
