"""Posting is optimistic about ids (a fresh ULID is never stored yet): these are the cases where it is wrong.
A replayed id makes the database refuse the append; the journal then reads what is stored, under the same
head lock, and posts only what is new. On SQLite and PostgreSQL."""

import datetime as dt
import threading

import pytest

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.journal import EntryExistsWithDifferentBody

D, C = Direction.DEBIT, Direction.CREDIT


def payment(amount, entry_id=None):
    return EntryDraft(entry_id or new_entry_id(), dt.date(2026, 8, 3), "payment_sent",
                      (Posting("100-2010", D, amount, "USD"), Posting("100-1050", C, amount, "USD")),
                      references={"payment": f"pay_{amount}"})


def head(container):
    return container.ledger.verify(workers=1).head_sequence


def test_a_batch_replayed_in_part_posts_only_its_new_entries(container):
    a, b = payment(100), payment(200)
    first = container.ledger.post([a, b])
    start = head(container)
    c = payment(300)
    again = container.ledger.post([b, c, c, a])
    assert [p.created for p in again] == [False, True, False, False]
    assert again[0].entry.hash == first[1].entry.hash and again[3].entry.hash == first[0].entry.hash
    assert again[1].entry.sequence == start + 1 and again[2].entry is again[1].entry
    report = container.ledger.verify(workers=1)
    assert report.ok and report.head_sequence == start + 1, report.describe()


def test_a_replayed_id_with_a_different_body_writes_nothing(container):
    a = payment(100)
    container.ledger.post([a])
    start = head(container)
    changed = payment(101, entry_id=a.id)
    with pytest.raises(EntryExistsWithDifferentBody):
        container.ledger.post([payment(500), changed])
    assert head(container) == start
    assert container.ledger.post([payment(600)])[0].entry.sequence == start + 1


def test_a_reversal_posted_twice_is_a_replay_and_a_second_reversal_is_refused(container):
    original = container.ledger.post([payment(700)])[0].entry
    reversal = container.ledger.reverse(original.id, reversal_id=new_entry_id())
    assert reversal.created
    assert not container.ledger.reverse(original.id, reversal_id=reversal.entry.id).created
    with pytest.raises(Exception) as err:
        container.ledger.reverse(original.id)
    assert getattr(err.value, "code", None) == "entry_already_reversed"
    assert container.ledger.verify(workers=1).ok


@pytest.mark.postgres
def test_two_clients_posting_the_same_batch_at_once_store_it_once(pg_url, tmp_path, clock):
    import main
    from tests.conftest import make_settings

    container = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    main.initialize(container, example=True)
    start = head(container)
    for _ in range(4):
        batch = [payment(1000 + i) for i in range(50)]
        gate, results = threading.Barrier(2), []

        def client():
            gate.wait()
            results.append(container.ledger.post(batch))

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        one, two = results
        assert [p.entry.hash for p in one] == [p.entry.hash for p in two]
        assert all(x.created != y.created for x, y in zip(one, two))
    report = container.ledger.verify(workers=1)
    assert report.ok and report.head_sequence == start + 4 * 50, report.describe()
    container.engine.dispose()
