"""journal postings on PostgreSQL: references checked once per statement instead of once per row

Revision ID: 0015_ledger_refs
Revises: 0001_ledger

Appends serialize on the chain head, so whatever the database does while one writer holds it caps every writer's
rate. A foreign key is checked row by row (PostgreSQL runs one look-up query per posting and per key), which
was 15-20 us of each entry's time under the head lock here, a fifth of it. On PostgreSQL this revision replaces
the two foreign keys of ``ledger_postings`` and ``audit_postings`` (to their journal's entries and to accounts)
with one AFTER INSERT statement trigger that checks all of a statement's rows at once, through its transition
table: the same guarantee, about 1 us an entry.

It keeps what the foreign keys gave, and how:

* a posting's entry must exist: entries are insert-only (``0001_ledger``'s triggers refuse UPDATE, DELETE and
  TRUNCATE), so an entry seen once stays;
* a posting's account must exist, and cannot be deleted or renamed while a posting names it: the trigger takes
  the same KEY SHARE row lock on the accounts named as a foreign key check would, and a BEFORE DELETE / UPDATE OF
  code trigger on ``accounts`` refuses the change while any posting names the account (ON DELETE RESTRICT), and TRUNCATE while any posting exists;
* the violation is SQLSTATE 23503 ``foreign_key_violation``, as before, so callers see the same IntegrityError.

SQLite keeps its foreign keys: they are checked in-process, and SQLite has no head lock to hold other writers up.
"""
from alembic import op

revision = "0015_ledger_refs"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None

JOURNALS = ("ledger", "audit")


def _check_function(journal: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION disburse_{journal}_postings_refs() RETURNS trigger AS $$
        DECLARE
          wanted integer;
          locked integer;
          orphan bigint;
        BEGIN
          -- Lock first, then count: an account deleted meanwhile is not counted, as with a foreign key.
          SELECT count(DISTINCT account) INTO wanted FROM new_rows;
          SELECT count(*) INTO locked FROM (
            SELECT 1 FROM accounts WHERE code IN (SELECT account FROM new_rows) FOR KEY SHARE) AS named;
          IF locked <> wanted THEN
            RAISE EXCEPTION 'insert on {journal}_postings: a posting names an account that is not in accounts'
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          SELECT n.entry_sequence INTO orphan FROM new_rows AS n
            LEFT JOIN {journal}_entries AS e ON e.sequence = n.entry_sequence
           WHERE e.sequence IS NULL LIMIT 1;
          IF FOUND THEN
            RAISE EXCEPTION 'insert on {journal}_postings: entry sequence % is not in {journal}_entries', orphan
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql"""


ACCOUNT_GUARD = """
    CREATE OR REPLACE FUNCTION disburse_account_in_use() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM ledger_postings) OR EXISTS (SELECT 1 FROM audit_postings) THEN
          RAISE EXCEPTION 'accounts have postings: they cannot be truncated' USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END IF;
      IF (TG_OP = 'DELETE' OR NEW.code IS DISTINCT FROM OLD.code) AND (
           EXISTS (SELECT 1 FROM ledger_postings WHERE account = OLD.code)
           OR EXISTS (SELECT 1 FROM audit_postings WHERE account = OLD.code)) THEN
        RAISE EXCEPTION 'account % has postings: it cannot be deleted or renamed', OLD.code
          USING ERRCODE = 'foreign_key_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for journal in JOURNALS:
        table = f"{journal}_postings"
        op.drop_constraint(f"fk_{table}_entry_sequence_{journal}_entries", table, type_="foreignkey")
        op.drop_constraint(f"fk_{table}_account_accounts", table, type_="foreignkey")
        op.execute(_check_function(journal))
        op.execute(f"CREATE TRIGGER {table}_refs AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION disburse_{journal}_postings_refs()")
    op.execute(ACCOUNT_GUARD)
    op.execute("CREATE TRIGGER accounts_in_use BEFORE DELETE OR UPDATE OF code ON accounts "
               "FOR EACH ROW EXECUTE FUNCTION disburse_account_in_use()")
    op.execute("CREATE TRIGGER accounts_in_use_truncate BEFORE TRUNCATE ON accounts "
               "FOR EACH STATEMENT EXECUTE FUNCTION disburse_account_in_use()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS accounts_in_use ON accounts")
    op.execute("DROP TRIGGER IF EXISTS accounts_in_use_truncate ON accounts")
    op.execute("DROP FUNCTION IF EXISTS disburse_account_in_use()")
    for journal in JOURNALS:
        table = f"{journal}_postings"
        op.execute(f"DROP TRIGGER IF EXISTS {table}_refs ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS disburse_{journal}_postings_refs()")
        op.create_foreign_key(f"fk_{table}_entry_sequence_{journal}_entries", table, f"{journal}_entries",
                              ["entry_sequence"], ["sequence"])
        op.create_foreign_key(f"fk_{table}_account_accounts", table, "accounts", ["account"], ["code"])
