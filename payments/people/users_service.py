"""User administration: add, approve, list, disable, roles, passwords, API tokens, reset links. Each use case
commits once, audited.

Two kinds of caller. A ``Principal`` holding ``users.manage`` (an administrator over HTTP) may not act as anyone
else: it mints tokens for nobody but itself, sets nobody's password (it sends a one-time reset link to the
address on file instead), and what it adds (a user, or roles for one) waits for a second administrator's approval;
nor may it change its own roles or status. A ``HostOperator`` (the ``disburse users`` CLI at the server's shell,
first set-up and ``--example``) already holds the database and the keys: it may do all of that directly, and each
use is audited with its operating-system user.
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
from payments.people.people_errors import (BootstrapTokenInvalid, RoleUnknown, RolesInvalid, RolesRequired,
                                           TokenTTLInvalid)
from payments.ports import UowFactory
from payments.controls import SelfApprovalForbidden
from payments.identity import Action, InvalidPrincipal, Principal, Role, authorize
from payments.people.password_resets import PasswordResets
from payments.ports import Clock, FieldCipher, PasswordHasher, TokenCodec
from payments.people.users import (HostOperator, NothingToApprove, PasswordForAnotherUser, SelfAdministration,
                                   SignInPolicy, TokenForAnotherUser, TokenNotFound, TokenRecord, User, UserNotFound,
                                   UserStatus, UserWrongState, UsernameTaken, check_email, check_password,
                                   normalize_username)

Actor = Principal | HostOperator

CLI_OPERATOR = HostOperator("setup")
"""Who first set-up acts as; the ``disburse users`` commands act as ``HostOperator(<their OS user>)``."""


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
        raise RoleUnknown(f"unknown role: {exc}") from None
    if not out:
        raise RolesRequired("a user needs at least one role")
    return out


class UsersService:
    def __init__(self, uow_factory: UowFactory[IdentityUnitOfWork], audit: AuditTrail, hasher: PasswordHasher,
                 tokens: TokenCodec, clock: Clock, policy: SignInPolicy = SignInPolicy(),
                 cipher: FieldCipher | None = None) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self.policy = policy
        self.resets = PasswordResets(uow_factory, audit, hasher, clock, policy, cipher)

    @staticmethod
    def _manage(actor: Actor) -> None:
        if not isinstance(actor, HostOperator):
            authorize(actor, Action.USERS_MANAGE)

    @staticmethod
    def _who(actor: Actor) -> tuple[Principal | str, dict[str, str]]:
        """The audit actor, and the operating-system user when it is someone at the server's shell."""
        if isinstance(actor, HostOperator):
            return actor.user_id, {"os_user": actor.os_user, "via": "host_cli"}
        return actor, {}

    # -- users -----------------------------------------------------------------------------------------
    def add(self, actor: Actor, *, username: str, display_name: str, roles: Iterable[Role | str],
            vendor_id: str | None = None, password: str | None = None, email: str | None = None) -> User:
        """A user; added by an administrator, it is ``pending`` until a second one approves (``approve``)."""
        self._manage(actor)
        host = isinstance(actor, HostOperator)
        if password is not None and not host:
            raise PasswordForAnotherUser(actor.user_id)
        name = normalize_username(username)
        password_hash = self._hasher.hash(check_password(password)) if password is not None else None
        try:
            user = User(user_id=f"usr_{ULID()}", username=name, display_name=(display_name or name).strip()[:200],
                        roles=_roles(roles), vendor_id=vendor_id,
                        status=UserStatus.ACTIVE if host else UserStatus.PENDING, created_at=self._clock.now(),
                        created_by=actor.user_id, password_hash=password_hash, email=check_email(email),
                        pending_by=None if host else actor.user_id)
        except InvalidPrincipal as exc:
            raise RolesInvalid(exc.message) from None
        who, os_user = self._who(actor)
        with self._uow() as uow:
            if uow.users.by_username(name) is not None:
                raise UsernameTaken(name)
            uow.users.add(user)
            self._audit.record(uow, who, "user_created", user.user_id, None, user.snapshot(),
                               detail={"username": name, "roles": sorted(user.roles), "vendor_id": vendor_id,
                                       "status": user.status.value, **os_user})
            uow.commit()
        return user

    def approve(self, actor: Principal, user_id: str) -> User:
        """A second administrator lets a pending user in (and sends its invitation link), or grants pending roles."""
        self._manage(actor)
        now = self._clock.now()
        with self._uow() as uow:
            before = self._load(uow, user_id, for_update=True)
            if before.status is UserStatus.PENDING:
                after, action = replace(before, status=UserStatus.ACTIVE, pending_by=None), "user_approved"
            elif before.pending_roles is not None:
                after = replace(before, roles=before.pending_roles, pending_roles=None, pending_by=None)
                action = "user_roles_approved"
            else:
                raise NothingToApprove(user_id)
            if actor.user_id in {before.pending_by or before.created_by, user_id}:
                raise SelfApprovalForbidden(actor.user_id, f"the addition of user {user_id}" if action ==
                                            "user_approved" else f"the role change of user {user_id}")
            after = uow.users.update(before, after)
            uow.sessions.revoke_for_user(user_id, now)
            self._audit.record(uow, actor, action, user_id, before.snapshot(), after.snapshot(),
                               detail={"roles": sorted(after.roles), "requested_by": before.pending_by})
            if action == "user_approved" and after.email and after.password_hash is None:
                self.resets.issue_in(uow, actor, after, purpose="invitation")
            uow.commit()
        return after

    def send_reset(self, actor: Actor, user_id: str) -> str:
        """Send the user a one-time link to set a password (ends their sessions); returns where it went."""
        self._manage(actor)
        who, os_user = self._who(actor)
        with self._uow() as uow:
            user = self._load(uow, user_id, for_update=True)
            if user.status is not UserStatus.ACTIVE:
                raise UserWrongState(user_id, user.status.value, "send a reset link to")
            self.resets.issue_in(uow, who, user, purpose="reset", detail=os_user)
            uow.commit()
        return user.email or ""

    def get(self, actor: Actor, user_id: str) -> User:
        self._manage(actor)
        with self._uow(read_only=True) as uow:
            return self._load(uow, user_id)

    def find(self, actor: Actor, ref: str) -> User:
        """A user by id (``usr_…``) or by username: what the CLI accepts."""
        self._manage(actor)
        with self._uow(read_only=True) as uow:
            user = uow.users.get(ref) if ref.startswith("usr_") else uow.users.by_username(ref.strip().lower())
        if user is None:
            raise UserNotFound(ref)
        return user

    def list(self, actor: Actor, *, after: str | None = None, limit: int = 100) -> list[User]:
        self._manage(actor)
        with self._uow(read_only=True) as uow:
            return uow.users.list(after=after, limit=limit)

    def disable(self, actor: Actor, user_id: str) -> User:
        """Refuse the user everywhere and end their sessions (tokens stay refused while disabled)."""
        return self._change(actor, user_id, "user_disabled", "disable",
                            lambda u: self._set_status(u, UserStatus.DISABLED, "disable"), end_sessions=True)

    def enable(self, actor: Actor, user_id: str) -> User:
        """Undo ``disable``; a user disabled before anyone approved it goes back to waiting for approval."""
        def apply(user: User) -> User:
            never_approved = user.pending_by is not None and user.pending_roles is None
            return self._set_status(user, UserStatus.PENDING if never_approved else UserStatus.ACTIVE, "enable")
        return self._change(actor, user_id, "user_enabled", "enable", apply)

    def set_roles(self, actor: Actor, user_id: str, roles: Iterable[Role | str]) -> User:
        """Fewer roles take effect at once; any role added by an administrator waits for a second one."""
        new_roles = _roles(roles)
        host = isinstance(actor, HostOperator)

        def apply(user: User) -> User:
            try:
                Principal(user.user_id, new_roles, user.vendor_id)
            except InvalidPrincipal as exc:
                raise RolesInvalid(exc.message) from None
            if host or new_roles <= user.roles:
                return replace(user, roles=new_roles, pending_roles=None, pending_by=None)
            return replace(user, pending_roles=new_roles, pending_by=actor.user_id)
        return self._change(actor, user_id, "user_roles_changed", "change the roles of", apply, end_sessions=True)

    def set_password(self, actor: Actor, user_id: str, password: str) -> User:
        """An operator at the shell sets anyone's; a person only their own (over HTTP: ``send_reset`` instead)."""
        if not isinstance(actor, HostOperator) and actor.user_id != user_id:
            raise PasswordForAnotherUser(actor.user_id)
        password_hash = self._hasher.hash(check_password(password))
        return self._change(actor, user_id, "user_password_set", "set the password of",
                            lambda u: replace(u.after_success(), password_hash=password_hash),
                            end_sessions=True, self_allowed=True)

    def unlock(self, actor: Actor, user_id: str) -> User:
        return self._change(actor, user_id, "user_unlocked", "unlock", lambda u: u.after_success())

    @staticmethod
    def _set_status(user: User, status: UserStatus, step: str) -> User:
        if user.status is status:
            raise UserWrongState(user.user_id, user.status.value, step)
        return replace(user, status=status)

    def _change(self, actor: Actor, user_id: str, action: str, what: str, apply: Callable[[User], User], *,
                end_sessions: bool = False, self_allowed: bool = False) -> User:
        if self_allowed and isinstance(actor, Principal) and actor.user_id == user_id:
            pass  # one's own password: no administration needed
        else:
            self._manage(actor)
        if actor.user_id == user_id and not self_allowed:
            raise SelfAdministration(actor.user_id, what)
        now = self._clock.now()
        who, os_user = self._who(actor)
        with self._uow() as uow:
            before = self._load(uow, user_id, for_update=True)
            after = uow.users.update(before, apply(before))
            if end_sessions:
                uow.sessions.revoke_for_user(user_id, now)
            self._audit.record(uow, who, action, user_id, before.snapshot(), after.snapshot(),
                               detail={"roles": sorted(after.roles), "status": after.status.value,
                                       "pending_roles": sorted(after.pending_roles or ()), **os_user})
            uow.commit()
        return after

    @staticmethod
    def _load(uow: IdentityUnitOfWork, user_id: str, *, for_update: bool = False) -> User:
        user = uow.users.get(user_id, for_update=for_update)
        if user is None:
            raise UserNotFound(user_id)
        return user

    # -- tokens ----------------------------------------------------------------------------------------
    def issue_token(self, actor: Actor, user_id: str, *, name: str = "", ttl_days: int | None = None,
                    never_expires: bool = False) -> IssuedToken:
        """Mint a token; the secret is returned here once and stored only as its hash. A person mints only their
        own; an operator at the server's shell, anyone's (audited with their OS user)."""
        self._manage(actor)
        if not isinstance(actor, HostOperator) and actor.user_id != user_id:
            raise TokenForAnotherUser(actor.user_id, user_id)
        days = self.policy.token_ttl_days if ttl_days is None else ttl_days
        if not never_expires and days < 1:
            raise TokenTTLInvalid("a token lives at least one day")
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
            who, os_user = self._who(actor)
            self._audit.record(uow, who, "token_issued", record.token_id, None,
                               {"token_id": record.token_id, "user_id": user_id, "hint": hint},
                               detail={"user_id": user_id, "name": record.name,
                                       "expires_at": record.expires_at.isoformat() if record.expires_at else None,
                                       **os_user})
            uow.commit()
        return IssuedToken(secret, record)

    def list_tokens(self, actor: Actor, user_id: str) -> builtins.list[TokenRecord]:
        self._manage(actor)
        with self._uow(read_only=True) as uow:
            self._load(uow, user_id)
            return uow.tokens.for_user(user_id)

    def revoke_token(self, actor: Actor, user_id: str, token_id: str) -> TokenRecord:
        self._manage(actor)
        now = self._clock.now()
        with self._uow() as uow:
            record = uow.tokens.get(token_id)
            if record is None or record.user_id != user_id:
                raise TokenNotFound(token_id)
            if not uow.tokens.revoke(token_id, now):
                raise UserWrongState(user_id, "revoked", f"revoke token {token_id}, which")
            self._audit.record(uow, self._who(actor)[0], "token_revoked", token_id,
                               {"token_id": token_id, "revoked": False},
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
            raise BootstrapTokenInvalid("the bootstrap admin token must look like a Disburse token: dsb_ and 43 base64url "
                                        "characters (make one with `disburse users token` elsewhere, or python -c \"import "
                                        "secrets; print('dsb_' + secrets.token_urlsafe(32))\")")
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

    def ensure(self, actor: Actor, specs: Iterable[UserSpec]) -> builtins.list[User]:
        """Create each user whose username is free; return the ones created (idempotent: the example's people)."""
        created = []
        for spec in specs:
            with self._uow(read_only=True) as uow:
                exists = uow.users.by_username(spec.username) is not None
            if not exists:
                created.append(self.add(actor, username=spec.username, display_name=spec.display_name,
                                        roles=spec.roles, vendor_id=spec.vendor_id))
        return created
