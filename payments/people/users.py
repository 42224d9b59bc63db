"""People who sign in: user records, tokens and sessions as the domain sees them, and the sign-in rules.

A user holds staff roles, or exactly the ``vendor`` role bound to one vendor (``Principal`` enforces that).
Secrets never live on these records in clear: a password is an argon2 hash, a token and a session id are
SHA-256 hashes of random strings the owner alone holds.
"""

from __future__ import annotations

from typing import Any
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from payments.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidPolicy, NotFound
from payments.identity import Principal, Role

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MIN_PASSWORD_LEN = 12  # NIST SP 800-63B asks for at least 8; a public payer can ask for more


class UserStatus(StrEnum):
    """Whether a user may authenticate at all."""

    PENDING = "pending"
    """Added over HTTP by one administrator; refused everywhere until a second one approves it."""
    ACTIVE = "active"
    """May sign in and use tokens."""
    DISABLED = "disabled"
    """Refused everywhere; sessions were revoked when disabled."""


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self, ref: str) -> None:
        super().__init__(f"user {ref} does not exist", user=ref)


class TokenNotFound(NotFound):
    code = "token_not_found"

    def __init__(self, token_id: str) -> None:
        super().__init__(f"token {token_id} does not exist", token_id=token_id)


class UsernameTaken(Conflict):
    code = "username_taken"

    def __init__(self, username: str) -> None:
        super().__init__(f"username {username} is taken", username=username)


class UsernameInvalid(InvalidInput):
    code = "username_invalid"

    def __init__(self) -> None:
        super().__init__("a username is 2-64 characters: lowercase letters, digits and . _ @ -, "
                         "starting with a letter or digit")


class PasswordTooShort(InvalidInput):
    code = "password_too_short"

    def __init__(self) -> None:
        super().__init__(f"a password needs at least {MIN_PASSWORD_LEN} characters", min_length=MIN_PASSWORD_LEN)


class SelfAdministration(Forbidden):
    """An administrator changing their own roles or status: another administrator must do it."""

    code = "self_administration_forbidden"

    def __init__(self, user_id: str, what: str) -> None:
        super().__init__(f"user {user_id} may not {what} their own account", user_id=user_id)


class UserWrongState(Conflict):
    code = "user_wrong_state"

    def __init__(self, user_id: str, status: str, step: str) -> None:
        super().__init__(f"user {user_id} is {status}; cannot {step}", user_id=user_id, status=status)


class TokenForAnotherUser(Forbidden):
    """Over HTTP nobody mints a token for someone else: the token would let its maker act as that person."""

    code = "token_for_another_user"

    def __init__(self, user_id: str, owner: str) -> None:
        super().__init__(f"user {user_id} may not mint a token for {owner}; they sign in, or an operator at the "
                         f"server's shell uses `disburse users token`", user_id=user_id)


class PasswordForAnotherUser(Forbidden):
    """Over HTTP nobody sets another person's password: they get a one-time reset link instead."""

    code = "password_for_another_user"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} may not set another person's password; send them a reset link",
                         user_id=user_id)


class NoEmailOnFile(InvalidInput):
    code = "no_email_on_file"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} has no email address on file to send a link to", user_id=user_id)


class EmailInvalid(InvalidInput):
    code = "email_invalid"

    def __init__(self) -> None:
        super().__init__("an email address is one @ between a local part and a domain with a dot, at most 200 "
                         "characters, no spaces or control characters")


class NothingToApprove(Conflict):
    code = "nothing_to_approve"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} has no addition or role change waiting for approval", user_id=user_id)


@dataclass(frozen=True, slots=True)
class HostOperator:
    """Someone at the server's shell, who already holds the database and the keys: the ``disburse users`` CLI,
    first set-up and ``--example``. Only such an operator mints a token or sets a password for someone else, and
    each such act is audited with the operating-system user who ran it. Never an HTTP caller."""

    os_user: str

    @property
    def user_id(self) -> str:
        return f"host:{self.os_user}"[:40]


class SignInFailed(DomainError):
    """Wrong username, wrong password, disabled or locked: one answer for all, so none is told apart."""

    code = "sign_in_failed"

    def __init__(self) -> None:
        super().__init__("the username or password is not right, or the account is locked")


class SignInRateLimited(DomainError):
    """Too many attempts from one client in the window."""

    code = "sign_in_rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after_s} seconds",
                         retry_after_s=retry_after_s)


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """Lock-out after ``max_failures`` in a row for ``lockout_minutes``; ``attempts_per_minute`` per client."""

    max_failures: int = 5
    lockout_minutes: int = 15
    attempts_per_minute: int = 10
    session_hours: int = 12
    token_ttl_days: int = 90
    reset_link_hours: int = 24

    def __post_init__(self) -> None:
        if min(self.max_failures, self.lockout_minutes, self.attempts_per_minute, self.session_hours) < 1:
            raise InvalidPolicy("sign-in policy values must be positive")


@dataclass(frozen=True, slots=True)
class User:
    """A person (or service account) who may authenticate."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    vendor_id: str | None
    status: UserStatus
    created_at: datetime
    created_by: str
    password_hash: str | None = None
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    version: int = 1  # the row version a guarded update expects
    email: str | None = None  # where a one-time sign-in (reset) link goes
    pending_roles: frozenset[Role] | None = None  # roles one administrator asked for; a second one approves
    pending_by: str | None = None  # who asked for the pending user or roles

    def __post_init__(self) -> None:
        self.principal()  # a record whose roles and vendor contradict each other is never built

    def principal(self) -> Principal:
        return Principal(user_id=self.user_id, roles=frozenset(self.roles), vendor_id=self.vendor_id)

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, policy: SignInPolicy, now: datetime) -> User:
        """One more failure; the ``max_failures``-th locks the account and starts the count again."""
        failures = self.failed_sign_ins + 1
        if failures >= policy.max_failures:
            return replace(self, failed_sign_ins=0, locked_until=now + timedelta(minutes=policy.lockout_minutes))
        return replace(self, failed_sign_ins=failures)

    def after_success(self) -> User:
        return replace(self, failed_sign_ins=0, locked_until=None)

    def snapshot(self) -> dict[str, Any]:
        """What the audit trail digests: everything but the password hash (which would invite offline guessing)."""
        return {"user_id": self.user_id, "username": self.username, "display_name": self.display_name,
                "roles": sorted(r.value for r in self.roles), "vendor_id": self.vendor_id,
                "status": self.status.value, "has_password": self.password_hash is not None,
                "failed_sign_ins": self.failed_sign_ins,
                "locked_until": self.locked_until.isoformat() if self.locked_until else None,
                "email": self.email, "pending_roles": sorted(r.value for r in self.pending_roles or ()),
                "pending_by": self.pending_by}


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token as stored: its SHA-256 only, whose it is, and when it stops working."""

    token_id: str
    user_id: str
    token_hash: str
    hint: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A web session as stored: the SHA-256 of the cookie's secret, whose it is, and its expiry."""

    session_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def normalize_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UsernameInvalid()
    return name


def check_email(email: str | None) -> str | None:
    """``None`` for none; else the address, trimmed, if it looks like one (it is only ever sent a link)."""
    text = (email or "").strip()
    if not text:
        return None
    local, _, domain = text.partition("@")
    if (text.count("@") != 1 or not local or "." not in domain.strip(".") or len(text) > 200
            or any(ch.isspace() or not ch.isprintable() or ch in "<>\"" for ch in text)):
        raise EmailInvalid()
    return text


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LEN:
        raise PasswordTooShort()
    return password
