"""Verification in worker processes over runs of 1,024 entries finds exactly what one process finds: a sound
journal of 5,000 payments verifies, its checkpoint in the middle of a run is proven, and a single bad
signature, a changed amount or a missing entry is named at its own sequence, whether the workers read
the rows themselves (a database) or are sent them (entries in memory)."""

import dataclasses
import datetime as dt

import pytest

from adapters.clock import FixedClock
from ledger.accounts import Direction, fund_chart
from ledger.checkpoint import BalanceTally, Checkpoint
from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.journal import Journal
from ledger.merkle import merkle_root
from ledger.signing import Ed25519Signer
from ledger.verify import verify_journal, verify_stored
from tests.fakes import InMemoryJournalStore

SIGNER = Ed25519Signer.from_seed(bytes(range(32)))


@pytest.fixture(scope="module")
def journal_5000():
    store = InMemoryJournalStore(fund_chart("100", "General Fund"))
    journal = Journal(store, SIGNER, FixedClock(dt.datetime(2026, 8, 3, 9)))
    journal.genesis()
    for start in range(0, 5000, 1000):
        journal.post_many([EntryDraft(new_entry_id(), dt.date(2026, 8, 3), "payment_sent",
                                      (Posting("100-2010", Direction.DEBIT, 100 + i, "USD"),
                                       Posting("100-1050", Direction.CREDIT, 100 + i, "USD")),
                                      references={"payment": f"pay_{i}"}) for i in range(start, start + 1000)])
    return store


def checkpoint_at(store, sequence):
    entries = store.rows[:sequence]
    tally = BalanceTally()
    for e in entries:
        tally.add(e)
    return Checkpoint("ledger", sequence, entries[-1].hash, merkle_root([e.hash for e in entries]), tally.digest(),
                      "2026-08-03T10:00:00.000000Z", SIGNER.key_id).signed_by(SIGNER)


def both_ways(store, **kw):
    keys = {k.key_id: k for k in store.keys()}
    stored = verify_stored(store.row_reader(), store.last_sequence(), keys, workers=2, **kw)
    sent = verify_journal(store.rows, keys, workers=2, expected_total=len(store.rows), **kw)
    alone = verify_journal(store.rows, keys, workers=1, **kw)
    assert stored == sent == alone
    return stored


def test_a_sound_journal_and_a_checkpoint_inside_a_run_verify_in_parallel(journal_5000):
    report = both_ways(journal_5000, checkpoint=checkpoint_at(journal_5000, 3001))
    assert report.ok and report.entries_checked == 5001 and report.checkpoint_sequence == 3001


def tampered(store, sequence, **changes):
    copy = store.snapshot()
    entry = copy.rows[sequence - 1]
    copy.rows[sequence - 1] = dataclasses.replace(entry, **changes)
    return copy


def test_one_flipped_signature_byte_is_named_at_its_sequence(journal_5000):
    entry = journal_5000.rows[2999]
    bad = tampered(journal_5000, 3000, signature=bytes([entry.signature[0] ^ 1]) + entry.signature[1:])
    fault = both_ways(bad).fault
    assert (fault.sequence, fault.code, fault.entry_id) == (3000, "bad_signature", entry.id)


def test_a_changed_amount_is_a_hash_mismatch_at_its_entry(journal_5000):
    entry = journal_5000.rows[4095]
    legs = tuple(dataclasses.replace(p, amount_minor=p.amount_minor + 1) for p in entry.draft.postings)
    bad = tampered(journal_5000, 4096, draft=dataclasses.replace(entry.draft, postings=legs))
    fault = both_ways(bad).fault
    assert (fault.sequence, fault.code) == (4096, "hash_mismatch")


def test_an_entry_missing_at_the_start_of_a_run_is_a_sequence_gap(journal_5000):
    bad = journal_5000.snapshot()
    del bad.rows[2048]  # sequence 2049, the first of the third run
    fault = both_ways(bad).fault
    assert (fault.sequence, fault.code, fault.entry_id) == (2049, "sequence_gap", None)
