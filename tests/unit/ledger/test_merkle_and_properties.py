"""RFC 6962 Merkle roots, and a property: any sequence of valid batches keeps the books and the chain sound."""

import datetime as dt
import hashlib

from hypothesis import given, settings, strategies as st

from adapters.clock import FixedClock
from ledger.accounts import Direction, fund_chart
from ledger.entries import EntryDraft, Posting, new_entry_id
from ledger.journal import Journal
from ledger.merkle import merkle_root
from ledger.signing import Ed25519Signer
from ledger.verify import verify_journal
from tests.fakes import InMemoryJournalStore


def rfc6962(leaves):
    """The RFC's recursive definition, written out literally."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962(leaves[:k]) + rfc6962(leaves[k:])).digest()


def test_streaming_merkle_root_equals_the_rfc_definition_for_every_size_up_to_70():
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(70)]
    for n in range(71):
        assert merkle_root(leaves[:n]) == rfc6962(leaves[:n]), n


def test_known_rfc6962_vector_for_the_empty_tree():
    assert merkle_root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


ACCOUNTS = ["100-1010", "100-1050", "100-2010", "100-3010", "100-5000"]
leg = st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 10**9), st.sampled_from(["USD", "EUR"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(leg, min_size=1, max_size=4), min_size=1, max_size=6))
def test_random_valid_batches_keep_the_trial_balance_at_zero_per_currency_and_the_chain_verifying(batches):
    store = InMemoryJournalStore(fund_chart("100", "General Fund"))
    journal = Journal(store, Ed25519Signer.from_seed(bytes(32)), FixedClock(dt.datetime(2026, 7, 1)))
    journal.genesis()
    for batch in batches:
        drafts = []
        for debit, credit, amount, currency in batch:
            drafts.append(EntryDraft(new_entry_id(), dt.date(2026, 7, 1), "opening_balance",
                                     (Posting(debit, Direction.DEBIT, amount, currency),
                                      Posting(credit, Direction.CREDIT, amount, currency))))
        journal.post_many(drafts)
    totals = {}
    for e in store.rows:
        for p in e.draft.postings:
            totals[p.currency] = totals.get(p.currency, 0) + (p.amount_minor if p.direction is Direction.DEBIT
                                                              else -p.amount_minor)
    assert all(v == 0 for v in totals.values())
    report = verify_journal(store.rows, {k.key_id: k for k in store.keys()}, workers=1)
    assert report.ok and report.entries_checked == 1 + sum(len(b) for b in batches)


def test_aligned_perfect_subtrees_added_whole_give_the_same_root_as_their_leaves():
    from ledger.merkle import MerkleAccumulator
    from ledger.verify_chunk import perfect_root

    leaves = [hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(1000)]
    for sizes in ([4, 4, 8, 16, 1, 1, 2], [64, 64, 128, 3], [512, 256, 128, 64, 32, 8]):
        acc, at = MerkleAccumulator(), 0
        for size in sizes:
            if size & (size - 1) == 0 and at % size == 0:
                acc.add_subtree(size, perfect_root(leaves[at:at + size]))
            else:
                for leaf in leaves[at:at + size]:
                    acc.add(leaf)
            at += size
        assert acc.count == at and acc.root() == rfc6962(leaves[:at]), sizes
