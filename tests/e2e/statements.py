"""Counting the SQL statements a piece of work sends: a page's statements must not grow with its length (one
query per kind of fact for the whole page, never one per row: the N+1 that made a portal page of 25 invoices
cost 342 statements)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """``with statements(engine) as sent: ...`` then ``len(sent)``: every statement the engine sent meanwhile."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)
