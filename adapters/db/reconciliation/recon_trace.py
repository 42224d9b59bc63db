"""The common statement line decided set-based (``payments.reconciliation.recon_ports.TraceMatch``; the conditions, and why they
make the database decide exactly as the matcher would, are in ``payments.reconciliation.recon_trace``).

The lines are staged in temporary tables on the unit of work's connection (dropped at commit on PostgreSQL, by
``release`` on both): the candidates with up to three references, and every reference of every line the matcher
sees. One ``INSERT ... SELECT`` joins the candidates to the payments by the trace index and keeps the lines that
meet every condition; its rows become match rows by another, merged in line order with the matcher's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from bisect import bisect_left
from itertools import islice

from sqlalchemy import String, column, table, text
from sqlalchemy.engine import Connection

from adapters.db.chunks import chunks
from adapters.db.reconciliation.recon_payments import SqlReconPayments
from payments.reconciliation.recon_records import BookPayment
from payments.reconciliation.recon_rows import MatchRecord, StoredLine
from payments.reconciliation.recon_trace import TracePicks

_SEGMENTS = 64  # runs of picked and matched rows stored one after another; beyond, one insert in key order
_PAST = 2**31 - 1  # a position past every line
_REFS = 3  # references a staged line may carry (a BAI2 line has at most three: customer, bank, batch)
_BATCH = 50_000
_TABLES = ("recon_tm_lines", "recon_tm_refs", "recon_tm_picks", "recon_tm_entries", "recon_tm_rows")
_picks = table("recon_tm_picks", column("payment_id", String))

_DDL = {
    "recon_tm_lines": "pos INTEGER PRIMARY KEY, line_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, "
                      "currency TEXT NOT NULL, booking_date TEXT NOT NULL, ref1 TEXT, ref2 TEXT, ref3 TEXT",
    "recon_tm_refs": "pos INTEGER NOT NULL, ref TEXT NOT NULL",
    "recon_tm_picks": "pos INTEGER PRIMARY KEY, line_id TEXT NOT NULL, payment_id TEXT NOT NULL, "
                      "amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, booking_date TEXT NOT NULL, "
                      "trace TEXT NOT NULL, run_id TEXT NOT NULL, sec_code TEXT NOT NULL, fund TEXT",
    "recon_tm_entries": "booking_date TEXT NOT NULL, fund TEXT NOT NULL, currency TEXT NOT NULL, "
                        "entry_id TEXT NOT NULL",
    "recon_tm_rows": "k1 BIGINT NOT NULL, k2 BIGINT NOT NULL, k3 BIGINT NOT NULL, line_id TEXT NOT NULL, "
                     "payment_id TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL, "
                     "confidence_pct INTEGER NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, "
                     "booking_date TEXT NOT NULL, posted BOOLEAN NOT NULL, entry_id TEXT, matched_at TEXT NOT NULL, "
                     "matched_by TEXT NOT NULL, reason TEXT",
}


def _other_refs_clear(ref: str) -> str:
    """The line's reference ``ref`` is the picked trace, or names no payment by id or trace."""
    return (f"(s.{ref} IS NULL OR s.{ref} = p.trace_number OR "
            f"(NOT EXISTS (SELECT 1 FROM payments q WHERE q.id = s.{ref}) "
            f"AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.trace_number = s.{ref})))")


# Each staged reference of a candidate line (``h``) that is a payment's trace (``p``) is a possible pick; the
# payment's own conditions sit in a CASE so that no planner reaches the payments through another index (status,
# or an automatic one on amount) than the trace's: without statistics SQLite would otherwise scan every sent
# payment for each line. Written as equi-joins, so that PostgreSQL can hash them.
_PICK = f"""
INSERT INTO recon_tm_picks (pos, line_id, payment_id, amount_minor, currency, booking_date, trace, run_id, sec_code,
                            fund)
SELECT s.pos, s.line_id, p.id, p.amount_minor, p.currency, s.booking_date, p.trace_number, p.run_id, p.sec_code,
       (SELECT CASE WHEN count(*) = 0 THEN '' WHEN min(i.fund) = max(i.fund) THEN min(i.fund) END
        FROM payment_items i WHERE i.payment_id = p.id)
FROM recon_tm_refs h CROSS JOIN recon_tm_lines s CROSS JOIN payments p
WHERE s.pos = h.pos AND p.trace_number = h.ref
  AND CASE WHEN p.status = 'sent' AND p.kind = 'live' AND p.effective_date >= :since
                AND p.effective_date <= s.booking_date AND p.amount_minor = s.amount_minor
                AND p.currency = s.currency THEN 1 ELSE 0 END = 1
  AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.trace_number = p.trace_number AND q.id <> p.id)
  AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.id = p.trace_number)
  AND {_other_refs_clear("ref1")}
  AND {_other_refs_clear("ref2")}
  AND {_other_refs_clear("ref3")}
  AND NOT EXISTS (SELECT 1 FROM recon_tm_refs r WHERE r.ref = p.trace_number AND r.pos <> s.pos)
  AND NOT EXISTS (SELECT 1 FROM recon_tm_refs r WHERE r.ref IN (
        p.id, CASE WHEN length(p.id) > 15 THEN substr(p.id, length(p.id) - 14) END, p.run_id,
        p.run_id || ':' || p.sec_code, p.submission_id))
"""

# References that are the last 15 characters of some payment's id (the matcher's fourth key): no index reaches
# them, so one pass over the ids (the primary key's index) against the staged references.
_TAILS = """
SELECT DISTINCT r.ref FROM payments q JOIN recon_tm_refs r ON r.ref = substr(q.id, length(q.id) - 14)
WHERE length(q.id) > 15
"""

# A batch that had a payment taken, if it has others (of any status: the matcher ignores those not open).
_TAKEN = """
SELECT DISTINCT k.run_id, k.sec_code FROM recon_tm_picks k
WHERE EXISTS (SELECT 1 FROM payments q WHERE q.run_id = k.run_id AND q.sec_code = k.sec_code
              AND q.id <> k.payment_id)
"""

_MATCH_COLUMNS = ("line_id, payment_id, role, method, confidence_pct, amount_minor, currency, booking_date, posted, "
                  "entry_id, matched_at, matched_by, reason")

_PICKED_ROWS = """
SELECT 0 AS k1, k.pos AS k2, 0 AS k3, k.line_id, k.payment_id, 'settlement' AS role,
       CAST(:method AS VARCHAR(20)) AS method, CAST(:confidence AS INTEGER) AS confidence_pct, k.amount_minor,
       k.currency, k.booking_date, TRUE AS posted, e.entry_id, CAST(:at AS VARCHAR(32)) AS matched_at,
       CAST(:by AS VARCHAR(100)) AS matched_by, CAST(NULL AS VARCHAR(500)) AS reason
FROM recon_tm_picks k JOIN recon_tm_entries e
  ON e.booking_date = k.booking_date AND e.fund = k.fund AND e.currency = k.currency
"""


class SqlTraceMatch:
    def __init__(self, conn: Connection, payments: SqlReconPayments) -> None:
        self._c = conn
        self._payments = payments
        self._sqlite = conn.dialect.name == "sqlite"
        self._positions: list[int] = []

    # -- plumbing -------------------------------------------------------------------------------------------
    def _many(self, sql: str, rows) -> None:  # noqa: ANN001
        """Insert positional rows straight through the driver, chunk by chunk (``?`` placeholders)."""
        if not self._sqlite:
            sql = sql.replace("?", "%s")
        rows = iter(rows)
        while chunk := list(islice(rows, _BATCH)):
            self._c.exec_driver_sql(sql, chunk)

    def _create(self, name: str) -> None:
        self._drop(name)
        suffix = "" if self._sqlite else " ON COMMIT DROP"
        self._c.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({_DDL[name]}){suffix}")

    def _drop(self, name: str) -> None:
        self._c.exec_driver_sql(f"DROP TABLE IF EXISTS {'temp' if self._sqlite else 'pg_temp'}.{name}")

    def release(self) -> None:
        for name in _TABLES:
            self._drop(name)

    # -- deciding -------------------------------------------------------------------------------------------
    def pick(self, lines: Sequence[StoredLine], candidates: Sequence[int], *, since: dt.date) -> TracePicks:
        for name in _TABLES:
            self._create(name)
        days: dict[dt.date, str] = {}
        staged: list[tuple] = []
        others: list[int] = []
        was = -1
        for pos in candidates:
            others += range(was + 1, pos)
            was = pos
            line = lines[pos]
            refs = line.references
            # Staged references are distinct within a line (the readers make them so; the join relies on it).
            if len(refs) > _REFS or len(refs) > 1 and (refs[0] == refs[1] or refs[-1] in refs[:-1]):
                others.append(pos)
                continue
            on = line.booking_date
            day = days.get(on) or days.setdefault(on, on.isoformat())
            staged.append((pos, line.line_id, line.amount_minor, line.currency, day, *refs,
                           *(None,) * (_REFS - len(refs))))
        others += range(was + 1, len(lines))
        if not staged:
            return TracePicks([], [], [], [], frozenset(), frozenset())
        self._many("INSERT INTO recon_tm_lines (pos, line_id, amount_minor, currency, booking_date, ref1, ref2, ref3) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", staged)
        del staged
        # Every reference of every line the matcher sees, once per line: what may name a picked payment.
        self._c.exec_driver_sql("INSERT INTO recon_tm_refs (pos, ref) "
                                + " UNION ALL ".join(f"SELECT pos, ref{k} FROM recon_tm_lines WHERE ref{k} IS NOT NULL"
                                                 for k in range(1, _REFS + 1)))
        self._many("INSERT INTO recon_tm_refs (pos, ref) VALUES (?, ?)",
                   ((pos, ref) for pos in others
                    for ref in {*lines[pos].references, *lines[pos].end_to_end_ids}))
        self._c.exec_driver_sql("CREATE INDEX recon_tm_refs_ref ON recon_tm_refs (ref, pos)")
        if not self._sqlite:  # temporary tables are never analyzed by autovacuum: PostgreSQL would guess blind
            self._c.exec_driver_sql("ANALYZE recon_tm_lines")
            self._c.exec_driver_sql("ANALYZE recon_tm_refs")
        tails = [r[0] for r in self._c.exec_driver_sql(_TAILS)]
        for chunk in chunks(tails, 300):  # none, almost always
            self._delete(chunk)
        self._c.execute(text(_PICK), {"since": since.isoformat()})
        # A payment whose invoices span several funds is left to the matcher (its settlement splits by fund).
        self._c.exec_driver_sql("DELETE FROM recon_tm_picks WHERE fund IS NULL")
        # Fetched whole and transposed: a million rows unpacked one by one through the result cost a second more.
        rows = self._c.exec_driver_sql(
            "SELECT pos, payment_id, amount_minor, fund FROM recon_tm_picks ORDER BY pos").fetchall()
        if not rows:
            self._positions = []
            return TracePicks([], [], [], [], frozenset(), frozenset())
        positions, payment_ids, amounts, funds = (list(column) for column in zip(*rows))
        del rows
        self._positions = positions
        prefixes = frozenset(r[0] for r in self._c.exec_driver_sql(
            "SELECT DISTINCT substr(trace, 1, 8) FROM recon_tm_picks"))
        taken = frozenset(f"{run}:{sec}" for run, sec in self._c.exec_driver_sql(_TAKEN))
        self._c.exec_driver_sql("CREATE INDEX recon_tm_picks_payment ON recon_tm_picks (payment_id)")
        return TracePicks(positions, payment_ids, amounts, funds, prefixes, taken)

    def _delete(self, refs: Sequence[str]) -> None:
        marks = ", ".join("?" * len(refs))
        sql = f"DELETE FROM recon_tm_lines WHERE ref1 IN ({marks}) OR ref2 IN ({marks}) OR ref3 IN ({marks})"
        self._c.exec_driver_sql(sql if self._sqlite else sql.replace("?", "%s"), tuple(refs) * 3)

    def open_for_matching(self, *, since: dt.date) -> list[BookPayment]:
        return self._payments.open_for_matching(since=since, taken=_picks)

    # -- storing --------------------------------------------------------------------------------------------
    def add_matches(self, rows: Sequence[MatchRecord], keys: Sequence[tuple[int, int, int]],
                    entry_ids: dict[tuple[dt.date, str, str], str], *, method: str, confidence_pct: int,
                    matched_at: dt.datetime, matched_by: str) -> None:
        self._many("INSERT INTO recon_tm_entries (booking_date, fund, currency, entry_id) VALUES (?, ?, ?, ?)",
                   [(day.isoformat(), fund, currency, entry_id)
                    for (day, fund, currency), entry_id in entry_ids.items()])
        params = {"method": method, "confidence": confidence_pct, "at": matched_at.isoformat(), "by": matched_by}
        insert = f"INSERT INTO recon_matches ({_MATCH_COLUMNS}) SELECT {_MATCH_COLUMNS} FROM "
        at: dict[dt.datetime, str] = {}
        values = [(line_id, payment_id, role, method_, confidence, amount, currency, booked.isoformat(), posted,
                   entry_id, at.get(when) or at.setdefault(when, when.isoformat()), by, reason)
                  for (line_id, payment_id, role, method_, confidence, amount, currency, booked, posted, when, by,
                       entry_id, reason) in rows]
        segments = _segments(self._positions, keys)
        if len(segments) <= _SEGMENTS:
            # In runs: the database's rows of a range of positions (in position order, the table's own), then the
            # matcher's rows that follow them, and so on. A statement naming batches is a handful of runs.
            for kind, start, end in segments:
                if kind == "picks":
                    self._c.execute(text(f"{insert} ({_PICKED_ROWS} WHERE k.pos >= :lo AND k.pos < :hi) u "
                                         "ORDER BY k2"), {**params, "lo": start, "hi": end})
                else:
                    self._many(f"INSERT INTO recon_matches ({_MATCH_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                               values[start:end])
            return
        # Interleaved throughout: the matcher's rows staged with their keys, and one insert in key order.
        self._many(f"INSERT INTO recon_tm_rows (k1, k2, k3, {_MATCH_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                   ((*key, *row) for key, row in zip(keys, values)))
        self._c.execute(text(f"{insert} ({_PICKED_ROWS} UNION ALL SELECT k1, k2, k3, {_MATCH_COLUMNS} "
                             f"FROM recon_tm_rows) u ORDER BY k1, k2, k3"), params)


def _segments(positions: Sequence[int], keys: Sequence[tuple[int, int, int]]) -> list[tuple[str, int, int]]:
    """The merged order as runs: ("picks", first position, past the last) and ("rows", first row, past the last).

    ``keys`` ascend (the matcher's first-pass rows by line position, then the later ones); a picked line at
    position ``pos`` goes before every first-pass row of a later line and before every later-pass row.
    """
    out: list[tuple[str, int, int]] = []
    done = 0  # picks before this position are placed
    start = 0  # rows before this index are placed
    end = len(positions)
    for index, (k1, k2, _) in enumerate(keys):
        cut = k2 if k1 == 0 else _PAST
        if cut > done and bisect_left(positions, cut) > bisect_left(positions, done):
            if index > start:
                out.append(("rows", start, index))
                start = index
            out.append(("picks", done, cut))
        done = max(done, cut)
        if k1 and done == _PAST:
            break
    if start < len(keys):
        out.append(("rows", start, len(keys)))
    if done < _PAST and bisect_left(positions, done) < end:
        out.append(("picks", done, _PAST))
    return out
