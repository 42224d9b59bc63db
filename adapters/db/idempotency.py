"""Idempotency-Key bookkeeping, each step in its own short transaction so the claim is visible at once.

A claim is leased: it names its holder (a fresh id per request) and how long it holds. A claim still ``in_flight``
after its lease ran out belongs to a request whose process died (SIGKILL, OOM, a lost host); the next retry takes it
over with an update guarded on the old holder, so of several retries exactly one runs the handler, and a late
holder that lost its claim can neither finish nor release it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adapters.db.http_tables import idempotency_keys as t

LEASE_S = 120  # longer than any handler runs; a request still running after this is presumed dead


class SqlIdempotencyStore:
    def __init__(self, engine: Engine, *, lease_s: float = LEASE_S) -> None:
        self._engine = engine
        self._lease_s = lease_s

    def begin(self, scope: str, key: str, request_hash: str) -> tuple[str, int | None, bytes | None, str]:
        """("new" | "taken_over" | "replay" | "conflict" | "in_flight", status, body, holder); "new" and
        "taken_over" (the previous holder died) mean the caller holds the claim as ``holder`` and must ``finish``
        or ``release`` it."""
        now = dt.datetime.now(dt.timezone.utc)
        holder = uuid.uuid4().hex
        until = (now + dt.timedelta(seconds=self._lease_s)).isoformat()
        try:
            with self._engine.begin() as conn:
                conn.execute(t.insert().values(scope=scope, key=key, request_hash=request_hash, state="in_flight",
                                               created_at=now.isoformat(), holder=holder, lease_until=until))
            return "new", None, None, holder
        except IntegrityError:
            pass
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            row = conn.execute(select(t).where(t.c.scope == scope, t.c.key == key)).first()
        if row is None:  # released between our insert and our read: try once more
            return self.begin(scope, key, request_hash)
        if row.request_hash != request_hash:
            return "conflict", None, None, holder
        if row.state == "done":
            return "replay", row.status_code, bytes(row.body), holder
        if row.lease_until is not None and row.lease_until > now.isoformat():
            return "in_flight", None, None, holder
        # The holder's lease ran out: it died mid-request. Take the claim over, unless another retry just did.
        old = t.c.holder.is_(None) if row.holder is None else t.c.holder == row.holder
        with self._engine.begin() as conn:
            taken = conn.execute(update(t).where(t.c.scope == scope, t.c.key == key, t.c.state == "in_flight", old,
                                                 or_(t.c.lease_until.is_(None), t.c.lease_until <= now.isoformat()))
                                 .values(holder=holder, lease_until=until)).rowcount
        return ("taken_over" if taken == 1 else "in_flight"), None, None, holder

    def finish(self, scope: str, key: str, holder: str, status: int, body: bytes) -> bool:
        """Record the answer, if ``holder`` still holds the claim (False: another request took it over)."""
        with self._engine.begin() as conn:
            return conn.execute(update(t).where(t.c.scope == scope, t.c.key == key, t.c.state == "in_flight",
                                                t.c.holder == holder)
                                .values(state="done", status_code=status, body=body, lease_until=None)).rowcount == 1

    def answer(self, scope: str, key: str) -> tuple[int, bytes] | None:
        """The key's recorded answer (status, body), or None while it is still in flight."""
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            row = conn.execute(select(t.c.status_code, t.c.body).where(t.c.scope == scope, t.c.key == key,
                                                                        t.c.state == "done")).first()
        return None if row is None else (int(row.status_code), bytes(row.body))

    def release(self, scope: str, key: str, holder: str) -> None:
        """Forget a claim whose request failed on our side, so that a retry can run."""
        with self._engine.begin() as conn:
            conn.execute(delete(t).where(t.c.scope == scope, t.c.key == key, t.c.state == "in_flight",
                                         t.c.holder == holder))
