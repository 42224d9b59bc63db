"""Worked examples of the posting rules: what the journal accepts, what it refuses, and why."""

import datetime as dt

import pytest

from adapters.clock import FixedClock
from ledger.accounts import Direction, fund_chart
from ledger.entries import EntryDraft, EntryRejected, Posting, new_entry_id, reversal_of
from ledger.errors import LedgerError
from ledger.journal import EntryExistsWithDifferentBody, Journal
from ledger.signing import Ed25519Signer
from ledger.verify import verify_journal
from tests.fakes import InMemoryJournalStore

D, C = Direction.DEBIT, Direction.CREDIT
DAY = dt.date(2026, 7, 1)


@pytest.fixture
def journal():
    store = InMemoryJournalStore(fund_chart("100", "General Fund"))
    j = Journal(store, Ed25519Signer.from_seed(bytes(range(32))), FixedClock(dt.datetime(2026, 7, 1, 12)))
    j.genesis()
    j.store = store
    return j


def entry(*legs, code="opening_balance", id=None, **kw):
    return EntryDraft(id=id or new_entry_id(), effective_date=DAY, code=code,
                      postings=tuple(Posting(a, d, amt, cur) for a, d, amt, cur in legs), **kw)


def test_a_balanced_opening_balance_is_posted_chained_and_signed(journal):
    posted = journal.post(entry(("100-1010", D, 1_250_000_00, "USD"), ("100-3010", C, 1_250_000_00, "USD")))
    assert posted.created and posted.entry.sequence == 2
    assert posted.entry.prev_hash == journal.store.rows[0].hash
    assert verify_journal(journal.store.rows, {k.key_id: k for k in journal.store.keys()}).ok


@pytest.mark.parametrize("legs, code", [
    ([("100-1010", D, 100, "USD"), ("100-3010", C, 99, "USD")], "entry_unbalanced"),
    ([("100-1010", D, 0, "USD"), ("100-3010", C, 0, "USD")], "amount_must_be_positive"),
    ([("100-1010", D, -5, "USD"), ("100-3010", C, -5, "USD")], "amount_must_be_positive"),
    ([("100-1010", D, 100, "USD"), ("999-9999", C, 100, "USD")], "unknown_account"),
    ([("100-1010", D, 100, "USD"), ("100-3010", C, 100, "EUR")], "entry_unbalanced"),
    ([("100-1010", D, 100, "XYZ"), ("100-3010", C, 100, "XYZ")], "unknown_currency"),
    ([("100-1010", D, 100, "USD")], "too_few_postings"),
])
def test_bad_entries_are_refused_with_a_stable_code_and_nothing_is_written(journal, legs, code):
    before = list(journal.store.rows)
    with pytest.raises(EntryRejected) as err:
        journal.post(entry(*legs))
    assert err.value.code == code
    assert journal.store.rows == before


def test_a_float_amount_is_refused(journal):
    with pytest.raises(EntryRejected) as err:
        journal.post(entry(("100-1010", D, 1.5, "USD"), ("100-3010", C, 1.5, "USD")))
    assert err.value.code == "amount_not_integer"


def test_one_bad_entry_in_a_batch_writes_none_of_the_batch(journal):
    good = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"))
    bad = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 101, "USD"))
    with pytest.raises(EntryRejected):
        journal.post_many([good, bad])
    assert len(journal.store.rows) == 1


def test_multi_currency_entry_must_balance_in_each_currency(journal):
    ok = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"),
               ("100-1010", D, 9_000, "JPY"), ("100-3010", C, 9_000, "JPY"))
    assert journal.post(ok).created
    crossed = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "JPY"))
    with pytest.raises(EntryRejected) as err:
        journal.post(crossed)
    assert err.value.code == "entry_unbalanced" and err.value.details["currency"] == "JPY"


def test_posting_the_same_id_and_body_twice_returns_the_first_entry(journal):
    e = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"))
    first = journal.post(e)
    again = journal.post(e)
    assert not again.created and again.entry.hash == first.entry.hash
    assert len(journal.store.rows) == 2


def test_the_same_id_with_a_different_body_is_a_conflict(journal):
    e = entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"))
    journal.post(e)
    changed = entry(("100-1010", D, 200, "USD"), ("100-3010", C, 200, "USD"), id=e.id)
    with pytest.raises(EntryExistsWithDifferentBody) as err:
        journal.post(changed)
    assert err.value.code == "entry_exists_with_different_body"


def test_a_correction_is_a_reversal_that_names_the_original_and_cannot_repeat(journal):
    original = journal.post(entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"))).entry
    reversal = journal.post(reversal_of(original.draft, entry_id=new_entry_id(), effective_date=DAY)).entry
    assert reversal.draft.reverses == original.id and reversal.draft.code == "reversal"
    assert [p.direction for p in reversal.draft.postings] == [C, D]
    with pytest.raises(EntryRejected) as err:
        journal.post(reversal_of(original.draft, entry_id=new_entry_id(), effective_date=DAY))
    assert err.value.code == "entry_already_reversed"


def test_a_reversal_must_mirror_the_original(journal):
    original = journal.post(entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD"))).entry
    wrong = entry(("100-3010", D, 50, "USD"), ("100-1010", C, 50, "USD"), code="reversal", reverses=original.id)
    with pytest.raises(EntryRejected) as err:
        journal.post(wrong)
    assert err.value.code == "reversal_does_not_mirror"


def test_a_journal_without_genesis_refuses_entries():
    store = InMemoryJournalStore(fund_chart("100", "General Fund"))
    j = Journal(store, Ed25519Signer.generate(), FixedClock(dt.datetime(2026, 7, 1)))
    with pytest.raises(LedgerError) as err:
        j.post(entry(("100-1010", D, 1, "USD"), ("100-3010", C, 1, "USD")))
    assert err.value.code == "journal_not_initialized"


def test_rotation_is_signed_by_the_old_key_and_cosigned_by_the_new(journal):
    journal.post(entry(("100-1010", D, 100, "USD"), ("100-3010", C, 100, "USD")))
    old = journal.signer.key_id
    new = Ed25519Signer.from_seed(bytes([7]) * 32)
    rotation = journal.rotate_key(new)
    after = journal.post(entry(("100-1010", D, 5, "USD"), ("100-3010", C, 5, "USD"))).entry
    assert rotation.key_id == old and rotation.cosignature and after.key_id == new.key_id
    keys = {k.key_id: k for k in journal.store.keys()}
    assert keys[old].valid_to_sequence == rotation.sequence
    assert verify_journal(journal.store.rows, keys).ok


def test_the_fast_sealing_path_produces_exactly_the_documented_canonical_hash(journal):
    from ledger.canonical import canonical_bytes, chain_hash
    memo = 'quotes " and \\ backslashes, ünïcödé, and a tab\tinside'
    e = journal.post(entry(("100-1010", D, 7, "USD"), ("100-3010", C, 7, "USD"), memo=memo,
                           references={"invoice": "inv_1"}, data={"n": 3, "list": [1, "x", None]})).entry
    body = canonical_bytes(e.draft, sequence=e.sequence, recorded_at=e.recorded_at, key_id=e.key_id)
    assert chain_hash(e.prev_hash, body) == e.hash
