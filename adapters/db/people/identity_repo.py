"""SQL repositories for users, API tokens, sessions and sign-in throttling, on the unit of work's connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, overload

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from adapters.db.people.password_reset_repo import SqlPasswordResets
from adapters.db.people.identity_tables import api_tokens, sessions, sign_in_throttle, users
from ledger.journal import format_time
from payments.errors import Conflict
from payments.identity import Role
from payments.people.users import SessionRecord, TokenRecord, User, UsernameTaken, UserStatus

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_text(moment: dt.datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


@overload
def to_time(text: None) -> None: ...
@overload
def to_time(text: str) -> dt.datetime: ...
def to_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, _FORMAT).replace(tzinfo=dt.timezone.utc) if text else None


def stale(what: str) -> Conflict:
    return Conflict(f"{what} was changed by someone else; reload and try again", code="stale_state")


def _locked(stmt: Any, conn: Connection, for_update: bool) -> Any:
    # SQLite has no row locks; its BEGIN IMMEDIATE already holds the database's write lock.
    return stmt.with_for_update() if for_update and conn.dialect.name == "postgresql" else stmt


def _user(r: Any) -> User:
    return User(user_id=r.id, username=r.username, display_name=r.display_name,
                roles=frozenset(Role(x) for x in r.roles.split(",") if x), vendor_id=r.vendor_id,
                status=UserStatus(r.status), created_at=to_time(r.created_at), created_by=r.created_by,
                password_hash=r.password_hash, failed_sign_ins=r.failed_sign_ins,
                locked_until=to_time(r.locked_until), version=r.version, email=r.email,
                pending_roles=_roles(r.pending_roles) if r.pending_roles else None, pending_by=r.pending_by)


def _roles(text: str) -> frozenset[Role]:
    return frozenset(Role(x) for x in text.split(",") if x)


def _user_values(u: User) -> dict:
    return {"username": u.username, "display_name": u.display_name, "roles": ",".join(sorted(u.roles)),
            "vendor_id": u.vendor_id, "password_hash": u.password_hash, "status": u.status.value,
            "failed_sign_ins": u.failed_sign_ins, "locked_until": to_text(u.locked_until), "email": u.email,
            "pending_roles": ",".join(sorted(u.pending_roles)) if u.pending_roles is not None else None,
            "pending_by": u.pending_by}


class SqlUserRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, user: User) -> None:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(users).values(id=user.user_id, created_at=to_text(user.created_at),
                                                        created_by=user.created_by, version=user.version,
                                                        **_user_values(user)))
        except IntegrityError:
            raise UsernameTaken(user.username) from None

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        row = self._conn.execute(_locked(select(users).where(users.c.id == user_id), self._conn, for_update)).first()
        return _user(row) if row else None

    def by_username(self, username: str, *, for_update: bool = False) -> User | None:
        stmt = _locked(select(users).where(users.c.username == username), self._conn, for_update)
        row = self._conn.execute(stmt).first()
        return _user(row) if row else None

    def list(self, *, after: str | None = None, limit: int = 100) -> list[User]:
        stmt = select(users).order_by(users.c.id).limit(limit)
        if after:
            stmt = stmt.where(users.c.id > after)
        return [_user(r) for r in self._conn.execute(stmt)]

    def update(self, before: User, after: User) -> User:
        moved = self._conn.execute(update(users).where(users.c.id == before.user_id,
                                                       users.c.version == before.version)
                                   .values(version=before.version + 1, **_user_values(after))).rowcount
        if moved != 1:
            raise stale(f"user {before.user_id}")
        return replace(after, version=before.version + 1)


def _token(r: Any) -> TokenRecord:
    return TokenRecord(token_id=r.id, user_id=r.user_id, token_hash=r.token_hash, hint=r.hint, name=r.name,
                       created_at=to_time(r.created_at), expires_at=to_time(r.expires_at),
                       revoked_at=to_time(r.revoked_at), last_used_at=to_time(r.last_used_at))


class SqlTokenRepository(SqlPasswordResets):
    """API tokens (here) and one-time sign-in links (``SqlPasswordResets``): secrets stored as hashes only."""

    def add(self, token: TokenRecord) -> None:
        self._conn.execute(insert(api_tokens).values(
            id=token.token_id, user_id=token.user_id, token_hash=token.token_hash, hint=token.hint, name=token.name,
            created_at=to_text(token.created_at), expires_at=to_text(token.expires_at)))

    def by_hash(self, token_hash: str) -> TokenRecord | None:
        row = self._conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
        return _token(row) if row else None

    def get(self, token_id: str) -> TokenRecord | None:
        row = self._conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        return _token(row) if row else None

    def for_user(self, user_id: str) -> list[TokenRecord]:
        stmt = select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id.desc())
        return [_token(r) for r in self._conn.execute(stmt)]

    def revoke(self, token_id: str, now: dt.datetime) -> bool:
        return self._conn.execute(update(api_tokens).where(api_tokens.c.id == token_id,
                                                           api_tokens.c.revoked_at.is_(None))
                                  .values(revoked_at=to_text(now))).rowcount == 1

    def touch(self, token_id: str, now: dt.datetime) -> None:
        self._conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=to_text(now)))


class SqlSessionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, session: SessionRecord) -> None:
        self._conn.execute(insert(sessions).values(id_hash=session.session_hash, user_id=session.user_id,
                                                   created_at=to_text(session.created_at),
                                                   expires_at=to_text(session.expires_at)))

    def by_hash(self, session_hash: str) -> SessionRecord | None:
        r = self._conn.execute(select(sessions).where(sessions.c.id_hash == session_hash)).first()
        return SessionRecord(r.id_hash, r.user_id, to_time(r.created_at), to_time(r.expires_at),
                             to_time(r.revoked_at)) if r else None

    def revoke(self, session_hash: str, now: dt.datetime) -> bool:
        return self._conn.execute(update(sessions).where(sessions.c.id_hash == session_hash,
                                                         sessions.c.revoked_at.is_(None))
                                  .values(revoked_at=to_text(now))).rowcount == 1

    def purge(self, before: dt.datetime) -> int:
        """Delete sessions that expired or were revoked before ``before`` (their audit events remain)."""
        t = sessions
        return self._conn.execute(delete(t).where(or_(t.c.expires_at < to_text(before),
                                                      t.c.revoked_at < to_text(before)))).rowcount

    def revoke_for_user(self, user_id: str, now: dt.datetime) -> int:
        return self._conn.execute(update(sessions).where(sessions.c.user_id == user_id,
                                                         sessions.c.revoked_at.is_(None))
                                  .values(revoked_at=to_text(now))).rowcount


class SqlThrottleRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def hit(self, key: str, now: dt.datetime, window_s: int) -> tuple[int, dt.datetime]:
        t = sign_in_throttle
        row = self._conn.execute(_locked(select(t).where(t.c.key == key), self._conn, True)).first()
        if row is not None and now - to_time(row.window_start) < dt.timedelta(seconds=window_s):
            self._conn.execute(update(t).where(t.c.key == key).values(attempts=t.c.attempts + 1))
            return row.attempts + 1, to_time(row.window_start)
        if row is not None:
            self._conn.execute(update(t).where(t.c.key == key).values(window_start=to_text(now), attempts=1))
        else:
            try:
                with self._conn.begin_nested():
                    self._conn.execute(insert(t).values(key=key, window_start=to_text(now), attempts=1))
            except IntegrityError:  # a concurrent first attempt from the same client: count ours on top
                self._conn.execute(update(t).where(t.c.key == key).values(attempts=t.c.attempts + 1))
        return 1, now

    def purge(self, before: dt.datetime) -> int:
        t = sign_in_throttle
        return self._conn.execute(delete(t).where(t.c.window_start < to_text(before))).rowcount
