"""open holds counted by kind as they change, so the home page reads a few rows instead of every open hold

Revision ID: 0025_open_hold_counts
Revises: 0024_invoice_list_indexes

The staff home shows, for each kind of hold, how many invoices carry one open and how old the oldest is. Grouping
the open holds on every load read all of them (120,000 at a large agency: ~90 ms of every home page, more under
load). ``open_hold_counts`` keeps, per kind and per shard (the invoice id's last character), how many holds of that
kind are open and on how many invoices; the home page sums at most 32 rows a kind, and finds the oldest by one seek
on ``ix_invoice_holds_open_kinds``.

The counts are kept by triggers on ``invoice_holds`` rather than by each writer: holds are raised and released by
the matcher (in bulk), the invoice repository, disputes, payment returns and bulk loads, and a trigger moves the
counts in the same transaction as the change whatever made it. An invoice counts once per kind however many
holds of that kind it has open: the trigger looks at the invoice's open holds of that kind after the change.

* SQLite: row triggers. SQLite runs a row's AFTER trigger as that row changes, so the look after the change sees
  the rows changed before it in the same statement, and writers are serialized (BEGIN IMMEDIATE).
* PostgreSQL: statement triggers over the transition tables (a COPY of 120,000 holds is one set-based update,
  and two holds of one invoice changed by one statement are counted as one change of that invoice). Concurrent
  writers: the statement first locks the counters it moves, in one order, and only then looks at the invoices'
  holds, in a new statement whose snapshot sees every committed change to those invoices' holds of that kind
  (they lock the same counter: same kind, same invoice, same shard). The shard keeps writers of different
  invoices mostly off each other's counter row.

Upgrading an existing database fills the counts from a recount of its open holds.
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_open_hold_counts"
down_revision = "0024_invoice_list_indexes"
branch_labels = None
depends_on = None

RECOUNT = """
    INSERT INTO open_hold_counts (hold, shard, holds, invoices)
    SELECT hold, {shard} AS shard, count(*), count(DISTINCT invoice_id) FROM invoice_holds
     WHERE status = 'open' GROUP BY hold, {shard}"""


def _sqlite_triggers() -> list[str]:
    shard = "substr({row}.invoice_id, -1)"

    def add(row: str) -> str:
        at = f"hold = {row}.hold AND shard = {shard.format(row=row)}"
        return f"""
          INSERT OR IGNORE INTO open_hold_counts (hold, shard, holds, invoices)
            SELECT {row}.hold, {shard.format(row=row)}, 0, 0 WHERE {row}.status = 'open';
          UPDATE open_hold_counts SET holds = holds + 1, invoices = invoices + ((
              SELECT count(*) FROM invoice_holds
               WHERE invoice_id = {row}.invoice_id AND status = 'open' AND hold = {row}.hold) = 1)
           WHERE {at} AND {row}.status = 'open';"""

    def remove(row: str) -> str:
        at = f"hold = {row}.hold AND shard = {shard.format(row=row)}"
        return f"""
          UPDATE open_hold_counts SET holds = holds - 1, invoices = invoices - ((
              SELECT count(*) FROM invoice_holds
               WHERE invoice_id = {row}.invoice_id AND status = 'open' AND hold = {row}.hold) = 0)
           WHERE {at} AND {row}.status = 'open';"""

    moved = ("OLD.status IS NOT NEW.status OR OLD.hold IS NOT NEW.hold OR OLD.invoice_id IS NOT NEW.invoice_id")
    return [
        f"CREATE TRIGGER open_hold_counts_insert AFTER INSERT ON invoice_holds BEGIN {add('NEW')} END",
        f"CREATE TRIGGER open_hold_counts_delete AFTER DELETE ON invoice_holds BEGIN {remove('OLD')} END",
        f"CREATE TRIGGER open_hold_counts_update AFTER UPDATE ON invoice_holds WHEN {moved} "
        f"BEGIN {remove('OLD')} {add('NEW')} END",
    ]


def _pg_function(op_name: str, added: str, removed: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION disburse_open_hold_counts_{op_name}() RETURNS trigger AS $$
        BEGIN
          -- The counters this statement moves exist and are ours, locked in one order; only then look.
          INSERT INTO open_hold_counts (hold, shard, holds, invoices)
            SELECT DISTINCT c.hold, right(c.invoice_id, 1), 0, 0 FROM ({added} UNION ALL {removed}) AS c
            ORDER BY 1, 2 ON CONFLICT (hold, shard) DO NOTHING;
          PERFORM 1 FROM open_hold_counts AS k
           WHERE (k.hold, k.shard) IN (SELECT c.hold, right(c.invoice_id, 1) FROM ({added} UNION ALL {removed}) AS c)
           ORDER BY k.hold, k.shard FOR UPDATE;
          -- Per invoice and kind: its open holds now, and before (now less what was added, plus what was removed).
          WITH delta AS (
                 SELECT x.invoice_id, x.hold, sum(x.d) AS d FROM (
                   SELECT a.invoice_id, a.hold, 1 AS d FROM ({added}) AS a
                   UNION ALL SELECT r.invoice_id, r.hold, -1 FROM ({removed}) AS r) AS x
                  GROUP BY x.invoice_id, x.hold),
               -- A join, not a subquery per row: the planner hashes a COPY's many rows against one pass over
               -- the holds (a correlated count per row ran for 20 minutes on 120,000 holds in a fresh table).
               counted AS (
                 SELECT delta.invoice_id, delta.hold, delta.d, count(h.invoice_id) AS now
                   FROM delta LEFT JOIN invoice_holds AS h
                     ON h.invoice_id = delta.invoice_id AND h.status = 'open' AND h.hold = delta.hold
                  GROUP BY delta.invoice_id, delta.hold, delta.d),
               moves AS (
                 SELECT hold, right(invoice_id, 1) AS shard, sum(d) AS holds,
                        sum((now > 0)::int - ((now - d) > 0)::int) AS invoices
                   FROM counted GROUP BY 1, 2)
          UPDATE open_hold_counts AS k SET holds = k.holds + m.holds, invoices = k.invoices + m.invoices
            FROM moves AS m WHERE k.hold = m.hold AND k.shard = m.shard AND (m.holds <> 0 OR m.invoices <> 0);
          RETURN NULL;
        END; $$ LANGUAGE plpgsql"""


def _pg_triggers() -> list[str]:
    new_open = "SELECT n.invoice_id, n.hold FROM new_rows AS n WHERE n.status = 'open'"
    old_open = "SELECT o.invoice_id, o.hold FROM old_rows AS o WHERE o.status = 'open'"
    none = "SELECT NULL::varchar AS invoice_id, NULL::varchar AS hold WHERE false"
    return [
        _pg_function("insert", new_open, none),
        _pg_function("delete", none, old_open),
        _pg_function("update", new_open, old_open),
        "CREATE TRIGGER open_hold_counts_insert AFTER INSERT ON invoice_holds REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION disburse_open_hold_counts_insert()",
        "CREATE TRIGGER open_hold_counts_delete AFTER DELETE ON invoice_holds REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION disburse_open_hold_counts_delete()",
        "CREATE TRIGGER open_hold_counts_update AFTER UPDATE ON invoice_holds "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION disburse_open_hold_counts_update()",
    ]


def upgrade() -> None:
    op.create_table(
        "open_hold_counts",
        sa.Column("hold", sa.String(30), primary_key=True),
        sa.Column("shard", sa.String(1), primary_key=True),
        sa.Column("holds", sa.Integer, nullable=False),
        sa.Column("invoices", sa.Integer, nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("LOCK TABLE invoice_holds IN SHARE MODE")  # no hold changes between the recount and the triggers
    op.execute(RECOUNT.format(shard="right(invoice_id, 1)" if postgres else "substr(invoice_id, -1)"))
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS open_hold_counts_{name}" + (" ON invoice_holds" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS disburse_open_hold_counts_{name}()")
    op.drop_table("open_hold_counts")
