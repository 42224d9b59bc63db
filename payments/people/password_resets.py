"""One-time sign-in links: how a person gets a password without anyone else ever holding it.

An administrator cannot set someone's password or mint them a token over HTTP (that would let the administrator
act as them). Instead a *reset* (or, for a newly approved user, an *invitation*) sends that person a link through
the notice outbox, to the email address on file:

* the link's secret is 32 random bytes; only its SHA-256 is stored, and the outbox holds it sealed with the field
  cipher (bound to the message) for the relay to open; it never reaches a response, a log or the audit trail;
* it expires (``[sign_in] reset_link_hours``, 24 by default), works once, and a newer link voids older ones;
* sending it ends the person's sessions; using it sets the password and ends them again.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from ulid import ULID

from payments.audit import AuditTrail
from payments.errors import InvalidInput
from payments.people.identity_ports import IdentityUnitOfWork
from payments.people.people_errors import ResetUnavailable
from payments.ports import UowFactory
from payments.identity import Principal
from payments.notices import Channel, NoticeKind, OutboxMessage
from payments.people.users import NoEmailOnFile, SignInPolicy, User, UserStatus, check_password
from payments.ports import Clock, FieldCipher, PasswordHasher

SECRET_PREFIX = "rst_"
SEALED_COLUMN = "reset_secret"
"""The column name bound into a sealed reset secret (with the outbox message id as the row)."""


class ResetLinkInvalid(InvalidInput):
    """Unknown, used, expired, superseded, or its user is not active: one answer for all."""

    code = "reset_link_invalid"

    def __init__(self) -> None:
        super().__init__("this link is not valid: it may have expired, been used already, or been replaced by a "
                         "newer one; ask for a new one")


@dataclass(frozen=True, slots=True)
class ResetRecord:
    """A one-time link as stored: the hash of its secret, whose it is, and until when it works."""

    reset_id: str
    user_id: str
    token_hash: str
    purpose: str  # "reset" or "invitation"
    created_at: datetime
    expires_at: datetime
    created_by: str
    used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


def hash_secret(secret: str) -> str | None:
    """The stored form of a link's secret; None for anything that cannot be one (never looked up)."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or not 40 <= len(secret) <= 60:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()


class PasswordResets:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, hasher: PasswordHasher, clock: Clock,
                 policy: SignInPolicy, cipher: FieldCipher | None) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._hasher = hasher
        self._clock = clock
        self._policy = policy
        self._cipher = cipher

    def issue_in(self, uow: IdentityUnitOfWork, actor: Principal | str, user: User, *, purpose: str,
                 detail: dict[str, Any] | None = None) -> ResetRecord:
        """Record a link for ``user`` and its outbox message, end the user's sessions; the caller commits."""
        if not user.email:
            raise NoEmailOnFile(user.user_id)
        if self._cipher is None:
            raise ResetUnavailable("no field cipher is configured to seal a reset link")
        now = self._clock.now()
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        record = ResetRecord(f"prs_{ULID()}", user.user_id, hash_secret(secret) or "", purpose, now,
                             now + timedelta(hours=self._policy.reset_link_hours),
                             actor.user_id if isinstance(actor, Principal) else actor)
        uow.tokens.void_resets(user.user_id, now)  # a newer link replaces any older one
        uow.tokens.add_reset(record)
        message_id = f"msg_{ULID()}"
        sealed = self._cipher.encrypt(secret, row_id=message_id, column=SEALED_COLUMN)
        uow.outbox.add(OutboxMessage(
            message_id=message_id, kind=NoticeKind.PASSWORD_RESET, channel=Channel.EMAIL, recipient=user.email,
            vendor_id=user.vendor_id or "", subject_id=record.reset_id, created_at=now,
            facts={"purpose": purpose, "username": user.username, "expires_at": record.expires_at.isoformat(),
                   "secret_sealed": base64.b64encode(sealed).decode("ascii")}))
        ended = uow.sessions.revoke_for_user(user.user_id, now)
        self._audit.record(uow, actor, f"password_{purpose}_sent", user.user_id,
                           detail={"reset_id": record.reset_id, "expires_at": record.expires_at.isoformat(),
                                   "sessions_ended": ended, **(detail or {})})
        return record

    def complete(self, secret: str, password: str) -> User:
        """Set the password the link's owner chose; the link is spent and their sessions end."""
        token_hash = hash_secret(secret)
        check_password(password)
        password_hash = self._hasher.hash(password)  # slow: outside the transaction
        now = self._clock.now()
        with self._uow() as uow:
            record = uow.tokens.reset_by_hash(token_hash) if token_hash else None
            user = uow.users.get(record.user_id, for_update=True) if record is not None else None
            if record is None or user is None or not record.is_usable(now) or user.status is not UserStatus.ACTIVE:
                raise ResetLinkInvalid()
            if not uow.tokens.use_reset(record.reset_id, now):
                raise ResetLinkInvalid()  # spent a moment ago by a concurrent request
            after = uow.users.update(user, replace(user.after_success(), password_hash=password_hash))
            uow.sessions.revoke_for_user(user.user_id, now)
            self._audit.record(uow, user.principal(), "password_reset_completed", user.user_id,
                               detail={"reset_id": record.reset_id, "purpose": record.purpose})
            uow.commit()
        return after
