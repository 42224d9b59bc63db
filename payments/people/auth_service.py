"""Authentication: API tokens, web sign-in with lock-out and rate limiting, sessions, sign-out.

Every way of failing to authenticate ends the same way for the caller (``None`` here, one 401 at the edge),
so a probe learns nothing about which usernames or tokens exist. The slow password hash runs outside any
database transaction: holding SQLite's write lock through an argon2 verification would stall every writer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from payments.audit import AuditTrail
from payments.people.identity_ports import IdentityUnitOfWork
from payments.ports import UowFactory
from payments.identity import Principal
from payments.ports import Clock, PasswordHasher, TokenCodec
from payments.people.users import (SessionRecord, SignInFailed, SignInPolicy, SignInRateLimited, User, UsernameInvalid,
                            normalize_username)

ANONYMOUS = "anonymous"
_RATE_WINDOW_S = 60
# A token's last use is bookkeeping: write it at most this often, not on every request.
_TOUCH_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: ``secret`` goes into the cookie; ``session_hash`` is what is stored and what CSRF binds to."""

    secret: str = field(repr=False)
    session_hash: str
    principal: Principal
    username: str
    expires_at: datetime


def hash_session(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AuthService:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, hasher: PasswordHasher,
                 tokens: TokenCodec, clock: Clock, policy: SignInPolicy = SignInPolicy()) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self.policy = policy

    # -- API tokens ------------------------------------------------------------------------------------
    def authenticate_token(self, presented: str) -> Principal | None:
        """The principal behind a bearer token, or None (malformed, unknown, revoked, expired, user disabled)."""
        token_hash = self._tokens.hash(presented)
        if token_hash is None:
            return None
        now = self._clock.now()
        with self._uow(read_only=True) as uow:
            record = uow.tokens.by_hash(token_hash)
            # compared even when no token has this hash (against a dummy), so that the answer takes the same time
            if not self._tokens.matches(presented, record.token_hash if record else None) or record is None:
                return None
            if not record.is_usable(now):
                return None
            user = uow.users.get(record.user_id)
        if user is None or not user.is_active:
            return None
        if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
            with self._uow() as uow:
                uow.tokens.touch(record.token_id, now)
                uow.commit()
        return user.principal()

    # -- sessions --------------------------------------------------------------------------------------
    def sign_in(self, username: str, password: str, *, client: str) -> SignedIn:
        """Check a password and open a session; ``sign_in_failed`` or ``sign_in_rate_limited`` otherwise."""
        now = self._clock.now()
        with self._uow() as uow:
            attempts, window_start = uow.sign_in_throttle.hit(f"client:{client}", now, _RATE_WINDOW_S)
            uow.commit()
        if attempts > self.policy.attempts_per_minute:
            elapsed = int((now - window_start).total_seconds())
            raise SignInRateLimited(max(1, _RATE_WINDOW_S - elapsed))
        try:
            name = normalize_username(username)
        except UsernameInvalid:
            name = None
        with self._uow(read_only=True) as uow:
            user = uow.users.by_username(name) if name else None
        if user is None:
            self._hasher.verify_unknown_user(password)
            raise SignInFailed()
        # Verified even when the account is locked or disabled, and against a dummy hash when the user has no
        # password yet, so that the answer takes the same time whoever is asked about.
        if user.password_hash is None:
            password_ok = self._hasher.verify_unknown_user(password)
        else:
            password_ok = self._hasher.verify(user.password_hash, password)
        rehash = (self._hasher.hash(password) if password_ok and user.password_hash is not None
                  and self._hasher.needs_rehash(user.password_hash) else None)
        with self._uow() as uow:
            current = uow.users.get(user.user_id, for_update=True)
            if current is None or not current.is_active or current.is_locked(now) or not password_ok \
                    or current.password_hash != user.password_hash:
                if current is not None and current.is_active and not current.is_locked(now):
                    after = uow.users.update(current, current.after_failure(self.policy, now))
                    self._audit.record(uow, ANONYMOUS, "sign_in_failed", current.user_id, current.snapshot(),
                                       after.snapshot(), detail={"client": client,
                                                                 "locked": after.locked_until is not None})
                    uow.commit()
                raise SignInFailed()
            signed_in = self._open_session(uow, current, rehash, client=client, now=now)
            uow.commit()
        return signed_in

    def _open_session(self, uow: IdentityUnitOfWork, user: User, rehash: str | None, *, client: str, now: datetime) -> SignedIn:
        after = user.after_success()
        if rehash is not None:
            after = replace(after, password_hash=rehash)
        if after != user:
            uow.users.update(user, after)
        secret = secrets.token_urlsafe(32)
        session = SessionRecord(hash_session(secret), user.user_id, now,
                                now + timedelta(hours=self.policy.session_hours))
        uow.sessions.add(session)
        self._audit.record(uow, user.principal(), "signed_in", user.user_id, detail={"client": client})
        return SignedIn(secret, session.session_hash, user.principal(), user.username, session.expires_at)

    def authenticate_session(self, secret: str) -> tuple[Principal, str] | None:
        """The principal behind a session cookie and the session's hash (for CSRF), or None."""
        if not secret or len(secret) > 200:
            return None
        session_hash = hash_session(secret)
        now = self._clock.now()
        with self._uow(read_only=True) as uow:
            session = uow.sessions.by_hash(session_hash)
            if session is None or not session.is_usable(now):
                return None
            user = uow.users.get(session.user_id)
        if user is None or not user.is_active:
            return None
        return user.principal(), session_hash

    def purge_expired(self) -> int:
        """Job body: drop sessions ended over a day ago and stale rate-limit windows; return rows removed."""
        now = self._clock.now()
        with self._uow() as uow:
            removed = uow.sessions.purge(now - timedelta(days=1))
            removed += uow.sign_in_throttle.purge(now - timedelta(seconds=_RATE_WINDOW_S))
            uow.commit()
        return removed

    def sign_out(self, secret: str) -> bool:
        """End the session whose cookie this is; False when there was none open."""
        if not secret or len(secret) > 200:
            return False
        session_hash = hash_session(secret)
        now = self._clock.now()
        with self._uow() as uow:
            session = uow.sessions.by_hash(session_hash)
            if session is None or not uow.sessions.revoke(session_hash, now):
                return False
            self._audit.record(uow, session.user_id, "signed_out", session.user_id)
            uow.commit()
        return True
