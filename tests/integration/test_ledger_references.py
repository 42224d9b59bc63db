"""A posting always names an entry of its journal and an account that exists, and an account that postings name
stays. SQLite holds this with foreign keys; PostgreSQL with one check per insert statement (migration
``0015_ledger_refs``: per-row foreign-key look-ups were a fifth of the time under the chain head's lock) and a
guard on ``accounts``. Both refuse the same things with the same IntegrityError."""

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.accounts import Account, AccountType, Direction
from ledger.entries import EntryDraft, Posting, new_entry_id

D, C = Direction.DEBIT, Direction.CREDIT
SPARE = Account("100-5999", "Spare supplies line", AccountType.EXPENDITURE, D, "100", None, "5999")


def posting_sql(sequence: int, idx: int, account: str) -> tuple[str, dict]:
    return ("INSERT INTO ledger_postings (entry_sequence, idx, account, direction, amount_minor, currency, "
            "effective_date) VALUES (:s, :i, :a, 'debit', 100, 'USD', '2026-08-01')",
            {"s": sequence, "i": idx, "a": account})


def run(container, sql: str, params: dict | None = None) -> int:
    """Run one statement in its own transaction; how many rows it touched."""
    with container.engine.begin() as conn:
        return conn.execute(text(sql), params or {}).rowcount


def post_one(container) -> int:
    draft = EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                       (Posting("100-2010", D, 2500, "USD"), Posting("100-1050", C, 2500, "USD")))
    return container.ledger.post([draft])[0].entry.sequence


def test_a_posting_for_an_entry_that_is_not_in_the_journal_is_refused(container):
    head = post_one(container)
    with pytest.raises(IntegrityError) as err:
        run(container, *posting_sql(head + 1, 0, "100-2010"))
    assert "ledger_entries" in str(err.value) or "FOREIGN KEY" in str(err.value)


def test_a_posting_to_an_account_that_does_not_exist_is_refused(container):
    head = post_one(container)
    with pytest.raises(IntegrityError):
        run(container, *posting_sql(head, 7, "999-0000"))


def test_an_account_with_postings_can_be_neither_deleted_nor_renamed(container):
    post_one(container)
    for sql in ("DELETE FROM accounts WHERE code = '100-2010'",
                "UPDATE accounts SET code = '100-2011' WHERE code = '100-2010'"):
        with pytest.raises(IntegrityError):
            run(container, sql)
    assert run(container, "UPDATE accounts SET name = 'Vouchers payable (renamed)' WHERE code = '100-2010'") == 1


def test_an_account_nothing_was_posted_to_can_still_be_removed(container):
    container.ledger.add_accounts([SPARE])
    assert run(container, "DELETE FROM accounts WHERE code = :c", {"c": SPARE.code}) == 1


@pytest.mark.postgres
def test_on_postgresql_an_account_named_by_an_uncommitted_posting_cannot_be_deleted_under_it(pg_url, tmp_path, clock):
    import main
    from payments.example.example_agency import example_accounts
    from tests.conftest import make_settings

    c = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=False)
    c.ledger.add_accounts([*example_accounts(), SPARE])
    head = post_one(c)
    with c.engine.connect() as writer:
        with writer.begin():
            writer.execute(text(posting_sql(head, 9, SPARE.code)[0]), posting_sql(head, 9, SPARE.code)[1])
            # The writer holds a key-share lock on the account, as a foreign key check would: a delete waits.
            with pytest.raises(OperationalError, match="lock timeout"):
                with c.engine.begin() as other:
                    other.execute(text("SET LOCAL lock_timeout = '300ms'"))
                    other.execute(text("DELETE FROM accounts WHERE code = :c"), {"c": SPARE.code})
        # Committed: now the posting names the account, and the delete is refused outright.
    with pytest.raises(IntegrityError, match="has postings"):
        run(c, "DELETE FROM accounts WHERE code = :c", {"c": SPARE.code})
    with pytest.raises(IntegrityError, match="cannot be truncated"):
        run(c, "TRUNCATE accounts CASCADE")
    c.engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_downgrade_gives_the_foreign_keys_back(pg_url):
    from alembic import command

    from adapters.db.engine import make_engine
    from adapters.db.migrate import alembic_config, migration_connection

    engine = make_engine(pg_url)

    def migrate(step, revision: str) -> None:  # noqa: ANN001
        cfg = alembic_config()
        with migration_connection(engine) as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    def foreign_keys() -> set[str]:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid IN "
                                         "('ledger_postings'::regclass, 'audit_postings'::regclass)")).scalars())

    migrate(command.upgrade, "heads")
    assert foreign_keys() == set()
    migrate(command.downgrade, "0015_ledger_refs")  # first what was built on it since (0022's Merkle blocks)...
    migrate(command.downgrade, "0015_ledger_refs@-1")  # ...then 0015 itself, now the head of its branch
    assert foreign_keys() == {"fk_ledger_postings_entry_sequence_ledger_entries", "fk_ledger_postings_account_accounts",
                              "fk_audit_postings_entry_sequence_audit_entries", "fk_audit_postings_account_accounts"}
    migrate(command.upgrade, "heads")
    assert foreign_keys() == set()
    engine.dispose()
