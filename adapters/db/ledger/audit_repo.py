"""The audit trail's filter index and searches."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from adapters.db.people.identity_tables import audit_index
from adapters.db.ledger.journal_store import SqlJournalStore
from adapters.db.ledger.ledger_tables import AUDIT
from ledger.entries import SealedEntry


class SqlAuditIndex:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._store = SqlJournalStore(conn, AUDIT)

    def add(self, entry: SealedEntry, *, actor: str, action: str, object_type: str, object_id: str) -> None:
        self._conn.execute(insert(audit_index).values(sequence=entry.sequence, recorded_at=entry.recorded_at,
                                                      action=action, actor=actor[:128],
                                                      object_type=object_type[:40], object_id=object_id[:128]))

    def search(self, *, actor: str | None = None, action: str | None = None, object_type: str | None = None,
               object_id: str | None = None, since: str | None = None, until: str | None = None,
               after_sequence: int = 0, limit: int = 100) -> Sequence[SealedEntry]:
        i = audit_index
        stmt = select(AUDIT.entries).join(i, i.c.sequence == AUDIT.entries.c.sequence) \
            .where(i.c.sequence > after_sequence).order_by(i.c.sequence).limit(limit)
        for column, value in ((i.c.actor, actor), (i.c.action, action), (i.c.object_type, object_type),
                              (i.c.object_id, object_id)):
            if value:
                stmt = stmt.where(column == value)
        if since:
            stmt = stmt.where(i.c.recorded_at >= since)
        if until:
            stmt = stmt.where(i.c.recorded_at < until)
        return self._store._hydrate(self._conn.execute(stmt).all())

    def count(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(AUDIT.entries)).scalar_one())
