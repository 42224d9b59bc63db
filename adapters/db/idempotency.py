"""Idempotency-Key bookkeeping, each step in its own short transaction so the claim is visible at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adapters.db.http_tables import idempotency_keys as t


class SqlIdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def begin(self, scope: str, key: str, request_hash: str) -> tuple[str, int | None, bytes | None]:
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        try:
            with self._engine.begin() as conn:
                conn.execute(t.insert().values(scope=scope, key=key, request_hash=request_hash, state="in_flight",
                                               created_at=now))
            return "new", None, None
        except IntegrityError:
            pass
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            row = conn.execute(select(t).where(t.c.scope == scope, t.c.key == key)).first()
        if row is None:  # released between our insert and our read: try once more
            return self.begin(scope, key, request_hash)
        if row.request_hash != request_hash:
            return "conflict", None, None
        if row.state != "done":
            return "in_flight", None, None
        return "replay", row.status_code, bytes(row.body)

    def finish(self, scope: str, key: str, status: int, body: bytes) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(t).where(t.c.scope == scope, t.c.key == key)
                         .values(state="done", status_code=status, body=body))

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request failed on our side, so that a retry can run."""
        with self._engine.begin() as conn:
            conn.execute(delete(t).where(t.c.scope == scope, t.c.key == key, t.c.state == "in_flight"))
