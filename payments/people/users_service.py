"""User administration: add, list, disable, roles, passwords, API tokens. Each use case commits once, audited.

The caller is a ``Principal`` holding ``users.manage`` (an HTTP admin, or the CLI's operator principal). An
administrator may not change their own roles or status: another administrator must, so one account cannot
quietly raise itself to treasurer.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Callable

from ulid import ULID

from payments.audit import SYSTEM_ACTOR, AuditTrail
from payments.people.identity_ports import IdentityUnitOfWork
from payments.ports import UowFactory
from payments.errors import InvalidInput
from payments.identity import Action, InvalidPrincipal, Principal, Role, authorize
from payments.ports import Clock, PasswordHasher, TokenCodec
from payments.people.users import (SelfAdministration, SignInPolicy, TokenNotFound, TokenRecord, User, UserNotFound,
                            UserStatus, UserWrongState, UsernameTaken, check_password, normalize_username)

CLI_OPERATOR = Principal.staff("sys_cli", Role.ADMIN)
"""Who the `disburse users …` commands act as: whoever can run them already holds the server's keys."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``secret`` is shown to its owner once and never again."""

    secret: str = field(repr=False)
    record: TokenRecord


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A user to create if missing (the example agency's people)."""

    username: str
    display_name: str
    roles: frozenset[Role]
    vendor_id: str | None = None


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    try:
        out = frozenset(Role(r) for r in roles)
    except ValueError as exc:
        raise InvalidInput(f"unknown role: {exc}", code="role_unknown") from None
    if not out:
        raise InvalidInput("a user needs at least one role", code="roles_required")
    return out


class UsersService:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, hasher: PasswordHasher,
                 tokens: TokenCodec, clock: Clock, policy: SignInPolicy = SignInPolicy()) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self.policy = policy

    # -- users -----------------------------------------------------------------------------------------
    def add(self, actor: Principal, *, username: str, display_name: str, roles: Iterable[Role | str],
            vendor_id: str | None = None, password: str | None = None) -> User:
        authorize(actor, Action.USERS_MANAGE)
        name = normalize_username(username)
        password_hash = self._hasher.hash(check_password(password)) if password is not None else None
        try:
            user = User(user_id=f"usr_{ULID()}", username=name, display_name=(display_name or name).strip()[:200],
                        roles=_roles(roles), vendor_id=vendor_id, status=UserStatus.ACTIVE,
                        created_at=self._clock.now(), created_by=actor.user_id, password_hash=password_hash)
        except InvalidPrincipal as exc:
            raise InvalidInput(exc.message, code="roles_invalid") from None
        with self._uow() as uow:
            if uow.users.by_username(name) is not None:
                raise UsernameTaken(name)
            uow.users.add(user)
            self._audit.record(uow, actor, "user_created", user.user_id, None, user.snapshot(),
                               detail={"username": name, "roles": sorted(user.roles), "vendor_id": vendor_id})
            uow.commit()
        return user

    def get(self, actor: Principal, user_id: str) -> User:
        authorize(actor, Action.USERS_MANAGE)
        with self._uow(read_only=True) as uow:
            return self._load(uow, user_id)

    def find(self, actor: Principal, ref: str) -> User:
        """A user by id (``usr_…``) or by username: what the CLI accepts."""
        authorize(actor, Action.USERS_MANAGE)
        with self._uow(read_only=True) as uow:
            user = uow.users.get(ref) if ref.startswith("usr_") else uow.users.by_username(ref.strip().lower())
        if user is None:
            raise UserNotFound(ref)
        return user

    def list(self, actor: Principal, *, after: str | None = None, limit: int = 100) -> list[User]:
        authorize(actor, Action.USERS_MANAGE)
        with self._uow(read_only=True) as uow:
            return uow.users.list(after=after, limit=limit)

    def disable(self, actor: Principal, user_id: str) -> User:
        """Refuse the user everywhere and end their sessions (tokens stay refused while disabled)."""
        return self._change(actor, user_id, "user_disabled", "disable",
                            lambda u: self._set_status(u, UserStatus.DISABLED, "disable"), end_sessions=True)

    def enable(self, actor: Principal, user_id: str) -> User:
        return self._change(actor, user_id, "user_enabled", "enable",
                            lambda u: self._set_status(u, UserStatus.ACTIVE, "enable"))

    def set_roles(self, actor: Principal, user_id: str, roles: Iterable[Role | str]) -> User:
        new_roles = _roles(roles)

        def apply(user: User) -> User:
            try:
                return replace(user, roles=new_roles)
            except InvalidPrincipal as exc:
                raise InvalidInput(exc.message, code="roles_invalid") from None
        return self._change(actor, user_id, "user_roles_changed", "change the roles of", apply, end_sessions=True)

    def set_password(self, actor: Principal, user_id: str, password: str) -> User:
        password_hash = self._hasher.hash(check_password(password))
        return self._change(actor, user_id, "user_password_set", "set the password of",
                            lambda u: replace(u.after_success(), password_hash=password_hash),
                            end_sessions=True, self_allowed=True)

    def unlock(self, actor: Principal, user_id: str) -> User:
        return self._change(actor, user_id, "user_unlocked", "unlock", lambda u: u.after_success())

    @staticmethod
    def _set_status(user: User, status: UserStatus, step: str) -> User:
        if user.status is status:
            raise UserWrongState(user.user_id, user.status.value, step)
        return replace(user, status=status)

    def _change(self, actor: Principal, user_id: str, action: str, what: str, apply: Callable[[User], User], *,
                end_sessions: bool = False, self_allowed: bool = False) -> User:
        authorize(actor, Action.USERS_MANAGE)
        if actor.user_id == user_id and not self_allowed:
            raise SelfAdministration(actor.user_id, what)
        now = self._clock.now()
        with self._uow() as uow:
            before = self._load(uow, user_id, for_update=True)
            after = uow.users.update(before, apply(before))
            if end_sessions:
                uow.sessions.revoke_for_user(user_id, now)
            self._audit.record(uow, actor, action, user_id, before.snapshot(), after.snapshot(),
                               detail={"roles": sorted(after.roles), "status": after.status.value})
            uow.commit()
        return after

    @staticmethod
    def _load(uow: IdentityUnitOfWork, user_id: str, *, for_update: bool = False) -> User:
        user = uow.users.get(user_id, for_update=for_update)
        if user is None:
            raise UserNotFound(user_id)
        return user

    # -- tokens ----------------------------------------------------------------------------------------
    def issue_token(self, actor: Principal, user_id: str, *, name: str = "", ttl_days: int | None = None,
                    never_expires: bool = False) -> IssuedToken:
        """Mint a token for a user; the secret is returned here once and stored only as its hash."""
        authorize(actor, Action.USERS_MANAGE)
        days = self.policy.token_ttl_days if ttl_days is None else ttl_days
        if not never_expires and days < 1:
            raise InvalidInput("a token lives at least one day", code="token_ttl_invalid")
        now = self._clock.now()
        secret, token_hash, hint = self._tokens.mint()
        record = TokenRecord(token_id=f"tok_{ULID()}", user_id=user_id, token_hash=token_hash, hint=hint,
                             name=(name or "").strip()[:100], created_at=now,
                             expires_at=None if never_expires else now + timedelta(days=days))
        with self._uow() as uow:
            user = self._load(uow, user_id)
            if not user.is_active:
                raise UserWrongState(user_id, user.status.value, "issue a token for")
            uow.tokens.add(record)
            self._audit.record(uow, actor, "token_issued", record.token_id, None,
                               {"token_id": record.token_id, "user_id": user_id, "hint": hint},
                               detail={"user_id": user_id, "name": record.name,
                                       "expires_at": record.expires_at.isoformat() if record.expires_at else None})
            uow.commit()
        return IssuedToken(secret, record)

    def list_tokens(self, actor: Principal, user_id: str) -> builtins.list[TokenRecord]:
        authorize(actor, Action.USERS_MANAGE)
        with self._uow(read_only=True) as uow:
            self._load(uow, user_id)
            return uow.tokens.for_user(user_id)

    def revoke_token(self, actor: Principal, user_id: str, token_id: str) -> TokenRecord:
        authorize(actor, Action.USERS_MANAGE)
        now = self._clock.now()
        with self._uow() as uow:
            record = uow.tokens.get(token_id)
            if record is None or record.user_id != user_id:
                raise TokenNotFound(token_id)
            if not uow.tokens.revoke(token_id, now):
                raise UserWrongState(user_id, "revoked", f"revoke token {token_id}, which")
            self._audit.record(uow, actor, "token_revoked", token_id, {"token_id": token_id, "revoked": False},
                               {"token_id": token_id, "revoked": True}, detail={"user_id": user_id})
            uow.commit()
        return replace(record, revoked_at=now)

    # -- set-up ----------------------------------------------------------------------------------------
    def bootstrap_admin(self, secret: str, *, username: str = "bootstrap-admin") -> bool:
        """Accept an operator-chosen token (``DISBURSE_BOOTSTRAP_ADMIN_TOKEN``) for a first admin; True if new.

        The token is stored as its hash like any other; revoke it (or disable the user) once real admins exist.
        """
        token_hash = self._tokens.hash(secret)
        if token_hash is None:
            raise InvalidInput("the bootstrap admin token must look like a Disburse token: dsb_ and 43 base64url "
                               "characters (make one with `disburse users token` elsewhere, or python -c \"import "
                               "secrets; print('dsb_' + secrets.token_urlsafe(32))\")", code="bootstrap_token_invalid")
        with self._uow(read_only=True) as uow:
            if uow.tokens.by_hash(token_hash) is not None:
                return False
            user = uow.users.by_username(username)
        if user is None:
            user = self.add(CLI_OPERATOR, username=username, display_name="Bootstrap administrator",
                            roles=[Role.ADMIN])
        now = self._clock.now()
        record = TokenRecord(token_id=f"tok_{ULID()}", user_id=user.user_id, token_hash=token_hash,
                             hint=secret[:8] + "…", name="bootstrap", created_at=now, expires_at=None)
        with self._uow() as uow:
            uow.tokens.add(record)
            self._audit.record(uow, SYSTEM_ACTOR, "token_issued", record.token_id, None,
                               {"token_id": record.token_id, "user_id": user.user_id, "hint": record.hint},
                               detail={"user_id": user.user_id, "name": "bootstrap", "expires_at": None})
            uow.commit()
        return True

    def ensure(self, actor: Principal, specs: Iterable[UserSpec]) -> builtins.list[User]:
        """Create each user whose username is free; return the ones created (idempotent: the example's people)."""
        created = []
        for spec in specs:
            with self._uow(read_only=True) as uow:
                exists = uow.users.by_username(spec.username) is not None
            if not exists:
                created.append(self.add(actor, username=spec.username, display_name=spec.display_name,
                                        roles=spec.roles, vendor_id=spec.vendor_id))
        return created
