"""SQL for one-time sign-in links (``payments.people.password_resets``): the token repository's second half."""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from adapters.db.people.identity_tables import password_resets as t
from ledger.journal import format_time
from payments.people.password_resets import ResetRecord


@overload
def _time(text: None) -> None: ...
@overload
def _time(text: str) -> dt.datetime: ...
def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc) if text else None


def _reset(r: Any) -> ResetRecord:
    return ResetRecord(r.id, r.user_id, r.token_hash, r.purpose, _time(r.created_at), _time(r.expires_at),
                       r.created_by, _time(r.used_at))


class SqlPasswordResets:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_reset(self, record: ResetRecord) -> None:
        self._conn.execute(insert(t).values(
            id=record.reset_id, user_id=record.user_id, token_hash=record.token_hash, purpose=record.purpose,
            created_at=format_time(record.created_at), expires_at=format_time(record.expires_at),
            created_by=record.created_by))

    def reset_by_hash(self, token_hash: str) -> ResetRecord | None:
        r = self._conn.execute(select(t).where(t.c.token_hash == token_hash)).first()
        return _reset(r) if r else None

    def use_reset(self, reset_id: str, now: dt.datetime) -> bool:
        return self._conn.execute(update(t).where(t.c.id == reset_id, t.c.used_at.is_(None))
                                  .values(used_at=format_time(now))).rowcount == 1

    def void_resets(self, user_id: str, now: dt.datetime) -> int:
        return self._conn.execute(update(t).where(t.c.user_id == user_id, t.c.used_at.is_(None))
                                  .values(used_at=format_time(now))).rowcount
