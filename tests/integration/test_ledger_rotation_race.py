"""A post racing a key rotation on PostgreSQL (issue 13): the signer is chosen from the registry before the chain
head is locked, so a rotation can commit in between. Under the lock the journal reads the key in force again
and signs with it: no entry is ever signed by the key the rotation just retired, and the journal verifies.

SQLite cannot race this way (BEGIN IMMEDIATE takes the write lock before the registry is read)."""

import datetime as dt
import threading

import pytest

import main
from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from tests.conftest import make_settings


@pytest.fixture
def pg(pg_url, tmp_path, clock):
    c = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=False)
    from payments.example.example_agency import example_accounts
    c.ledger.add_accounts(example_accounts())
    yield c
    c.engine.dispose()


def payment(amount=1000):
    return EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                      (Posting("100-2010", Direction.DEBIT, amount, "USD"),
                       Posting("100-1050", Direction.CREDIT, amount, "USD")))


def test_a_post_whose_signer_was_chosen_before_a_rotation_committed_is_signed_by_the_new_key(pg):
    with pg.uow() as uow:
        journal = pg.ledger.journal_for(uow)       # the registry is read now: the old key is in force
        old = journal.signer.key_id
        rotation = pg.ledger.rotate_key()          # another transaction rotates and commits meanwhile
        posted = journal.post(payment()).entry     # then this one locks the head
        uow.commit()
    new = rotation.draft.data["key_id"]
    assert old != new and posted.key_id == new and posted.sequence == rotation.sequence + 1
    report = pg.ledger.verify(workers=1)
    assert report.ok, report.describe()


def test_posts_and_a_rotation_run_concurrently_and_the_journal_verifies(pg):
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def post_many(n):
        try:
            start.wait()
            for i in range(n):
                pg.ledger.post([payment(1000 + i)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def rotate():
        try:
            start.wait()
            for _ in range(3):
                pg.ledger.rotate_key()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=post_many, args=(25,)) for _ in range(4)] + [threading.Thread(target=rotate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    report = pg.ledger.verify(workers=1)
    assert report.ok, report.describe()
    assert report.entries_checked == 1 + 100 + 3
    assert len(pg.ledger.keys()) == 4
