"""Many rows into one table, as fast as each driver allows (reconciliation stores a million lines at a time)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import psycopg
from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

_BATCH = 5000


def bulk_insert(conn: Connection, table, rows: Iterable[tuple], count: int) -> None:  # noqa: ANN001
    """Insert ``count`` positional rows (in the table's column order) as fast as the driver allows.

    On SQLite the rows go straight to the driver's executemany (SQLAlchemy's per-row parameter processing is
    most of the cost at a million rows) with a larger page cache for this connection, so that inserting into
    the random-keyed UNIQUE indexes does not thrash a 2 MiB cache. On PostgreSQL they stream into one COPY
    (an executemany there costs a round of parameter binding per row: 49 s of a million-line import against
    COPY's few). Rows are built from the iterable as they go, so a million of them never sit in memory at once.
    """
    if not count:
        return
    names = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    rows = iter(rows)
    if conn.dialect.name == "sqlite":
        if count > 10_000:
            conn.exec_driver_sql("PRAGMA cache_size = -262144")
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        while chunk := list(islice(rows, _BATCH * 10)):
            conn.exec_driver_sql(sql, chunk)
        return
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        if driver is None:
            raise RuntimeError("the unit of work's connection is closed")
        cur = driver.cursor()
        try:
            with cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.IntegrityError as exc:  # what an INSERT through SQLAlchemy would have raised
            raise IntegrityError(f"COPY {table.name}", None, exc) from None
        finally:
            cur.close()
        return
    while chunk := list(islice(rows, _BATCH)):
        conn.execute(insert(table), [dict(zip(names, row)) for row in chunk])
