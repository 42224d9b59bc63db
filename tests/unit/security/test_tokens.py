"""API tokens shown once and stored hashed; CSRF tokens bound to their session."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.keys.tokens import (
    ApiTokenCodec,
    CsrfRejected,
    CsrfTokens,
    TokenRejected,
    find_token,
    hash_token,
    issue_token,
    parse_token,
    token_from_authorization,
    verify_token,
)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def issued(ttl=timedelta(days=30)):
    return issue_token(token_id="tok_1", user_id="usr_tess", now=NOW, ttl=ttl)


def test_a_token_is_prefixed_base64url_of_32_random_bytes():
    secret = issued().secret
    assert secret.startswith("dsb_") and len(secret) == 4 + 43
    assert parse_token(secret) == secret
    assert issued().secret != secret


def test_only_the_hash_is_stored_and_the_secret_is_not_in_the_repr():
    token = issued()
    assert token.record.token_hash == hash_token(token.secret) != token.secret
    assert token.secret not in repr(token)
    assert token.secret not in repr(token.record)
    assert token.record.hint == token.secret[:8] + "…"


def test_the_right_token_verifies_and_a_wrong_one_is_invalid():
    token = issued()
    assert verify_token(token.secret, token.record, now=NOW) == token.record
    other = issued().secret
    with pytest.raises(TokenRejected) as refused:
        verify_token(other, token.record, now=NOW)
    assert refused.value.code == "token_invalid"


def _builtins_called(call, *args, **kwargs) -> list[str]:
    """The names of the C functions ``call`` runs, in order, seen by the interpreter's profiler (nothing is
    replaced: the code under test runs exactly as in production)."""
    seen: list[str] = []

    def profile(_frame, event, arg):  # noqa: ANN001, ANN202
        if event == "c_call":
            seen.append(getattr(arg, "__qualname__", repr(arg)))

    sys.setprofile(profile)
    try:
        call(*args, **kwargs)
    except TokenRejected:
        pass
    finally:
        sys.setprofile(None)
    return seen[:-1]  # the last is sys.setprofile itself


def test_verification_compares_the_digests_with_compare_digest():
    # A plain ``==`` on the two hashes would call no C function: the profiler would not see compare_digest.
    token = issued()
    assert _builtins_called(verify_token, token.secret, token.record, now=NOW).count("compare_digest") == 1
    assert _builtins_called(ApiTokenCodec().matches, token.secret, token.record.token_hash).count(
        "compare_digest") == 1


def test_a_hit_a_wrong_token_and_a_lookup_miss_run_the_same_comparison():
    # The work up to the verdict is the same whether the token is right, wrong, or found no record, so the
    # time taken says nothing about which it was.
    token = issued()
    hit = _builtins_called(verify_token, token.secret, token.record, now=NOW)
    wrong = _builtins_called(verify_token, issued().secret, token.record, now=NOW)
    miss = _builtins_called(verify_token, token.secret, None, now=NOW)
    upto = hit.index("compare_digest") + 1
    assert hit[:upto] == wrong[:upto] == miss[:upto]


def test_the_whole_digest_is_compared_never_a_prefix():
    # A stored hash that agrees with the presented token's in all but its last digit, or is a prefix of it, or
    # the same digits in another case, is a different hash: an early-exit or prefix comparison would let one in.
    token = issued()
    digest = token.record.token_hash
    last = "0" if digest[-1] != "0" else "1"
    for stored in (digest[:-1] + last, digest[:32], digest[:-1], digest.upper(), digest + "0"):
        with pytest.raises(TokenRejected) as refused:
            verify_token(token.secret, replace(token.record, token_hash=stored), now=NOW)
        assert refused.value.code == "token_invalid"
        assert not ApiTokenCodec().matches(token.secret, stored)
    assert ApiTokenCodec().matches(token.secret, digest)


def test_a_lookup_miss_is_invalid():
    with pytest.raises(TokenRejected) as refused:
        verify_token(issued().secret, None, now=NOW)
    assert refused.value.code == "token_invalid"
    assert not ApiTokenCodec().matches(issued().secret, None)


def test_an_expired_token_is_refused():
    token = issued(ttl=timedelta(hours=1))
    verify_token(token.secret, token.record, now=NOW + timedelta(minutes=59))
    with pytest.raises(TokenRejected) as refused:
        verify_token(token.secret, token.record, now=NOW + timedelta(hours=1))
    assert refused.value.code == "token_expired"
    assert not token.record.is_usable(NOW + timedelta(hours=1))


def test_a_revoked_token_is_refused():
    token = issued()
    revoked = token.record.revoke(now=NOW + timedelta(minutes=5))
    assert revoked.revoke(now=NOW + timedelta(days=1)).revoked_at == NOW + timedelta(minutes=5)
    with pytest.raises(TokenRejected) as refused:
        verify_token(token.secret, revoked, now=NOW + timedelta(minutes=6))
    assert refused.value.code == "token_revoked"


def test_a_service_token_without_expiry_works_until_revoked():
    token = issued(ttl=None)
    assert verify_token(token.secret, token.record, now=NOW + timedelta(days=3650))


@pytest.mark.parametrize("presented", ["", "dsb_", "dsb_short", "xyz_" + "A" * 43, "dsb_" + "A" * 42 + "!"])
def test_malformed_tokens_are_refused_before_any_lookup(presented):
    with pytest.raises(TokenRejected) as refused:
        parse_token(presented)
    assert refused.value.code == "token_malformed"


def test_the_bearer_header_yields_the_token():
    token = issued().secret
    assert token_from_authorization(f"Bearer {token}") == token
    assert token_from_authorization(f"bearer   {token}") == token
    for header in (None, "", f"Basic {token}", token):
        with pytest.raises(TokenRejected) as refused:
            token_from_authorization(header)
        assert refused.value.code == "token_missing"


def test_an_in_memory_store_finds_the_one_record_among_many():
    tokens_ = [issue_token(token_id=f"tok_{i}", user_id="usr_x", now=NOW) for i in range(5)]
    records = [t.record for t in tokens_]
    assert find_token(tokens_[3].secret, records, now=NOW).token_id == "tok_3"
    with pytest.raises(TokenRejected):
        find_token(issued().secret, records, now=NOW)


# --- CSRF --------------------------------------------------------------------------------------------------

csrf = CsrfTokens(b"k" * 32)


def test_a_csrf_token_verifies_for_its_session_when_cookie_and_form_agree():
    token = csrf.issue("sess_1")
    assert csrf.verify("sess_1", cookie_token=token, submitted_token=token)
    csrf.require("sess_1", cookie_token=token, submitted_token=token)


def test_a_csrf_token_from_another_session_is_refused():
    token = csrf.issue("sess_attacker")
    assert not csrf.verify("sess_victim", cookie_token=token, submitted_token=token)
    with pytest.raises(CsrfRejected):
        csrf.require("sess_victim", cookie_token=token, submitted_token=token)


@pytest.mark.parametrize("cookie, form", [(None, "x"), ("x", None), ("a.b", "a.c"), ("!!.??", "!!.??")])
def test_missing_mismatched_or_garbled_csrf_tokens_are_refused(cookie, form):
    assert not csrf.verify("sess_1", cookie_token=cookie, submitted_token=form)


def test_a_csrf_token_signed_with_another_key_is_refused():
    token = CsrfTokens(b"z" * 32).issue("sess_1")
    assert not csrf.verify("sess_1", cookie_token=token, submitted_token=token)


def test_a_short_csrf_key_is_refused():
    with pytest.raises(ValueError):
        CsrfTokens(b"short")
