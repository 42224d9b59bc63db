"""The hot paths that write canonical bytes without building the whole object give exactly the bytes of
``canonical_bytes``, the reference encoding of docs/ledger-format.md, for any content: odd text,
nested data, references, reversals, and shapes the fast path leaves to the encoder (floats, booleans)."""

import datetime as dt

from hypothesis import given, settings, strategies as st

from ledger.accounts import Direction
from ledger.canonical import canonical_bytes, canonical_parts, encode_json
from ledger.entries import EntryDraft, Posting

text = st.text(max_size=12)  # any code point but surrogates: quotes, backslashes, controls, emoji, RTL marks
scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | text
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                    max_leaves=8)
amounts = st.integers(-10**20, 10**20) | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
directions = st.sampled_from([Direction.DEBIT, Direction.CREDIT, "debit", "credit", "sideways"])
postings = st.builds(Posting, text, directions, st.integers(1, 10**15) | amounts, text)
drafts = st.builds(EntryDraft, id=text, effective_date=st.dates(), code=text,
                   postings=st.lists(postings, max_size=4).map(tuple), memo=text,
                   references=st.dictionaries(text, text, max_size=3), reverses=st.none() | text,
                   data=st.dictionaries(text, data, max_size=3))


@settings(max_examples=400, deadline=None)
@given(drafts, text, st.integers(1, 10**12), text)
def test_canonical_parts_assemble_to_the_canonical_bytes(draft, key_id, sequence, recorded_at):
    head, tail = canonical_parts(draft, key_id=key_id)
    assembled = head + encode_json(recorded_at) + tail + str(sequence).encode() + b"}"
    assert assembled == canonical_bytes(draft, sequence=sequence, recorded_at=recorded_at, key_id=key_id)


def test_a_payment_entry_takes_the_fast_path_and_matches():
    draft = EntryDraft("je_01J0000000000000000000000", dt.date(2026, 8, 3), "payment_sent",
                       (Posting("100-2010", Direction.DEBIT, 123456, "USD"),
                        Posting("100-1050", Direction.CREDIT, 123456, "USD")),
                       memo='Zahlung "Müller & Söhne" \\ №7', references={"payment": "pay_1", "invoice": "inv_é"})
    head, tail = canonical_parts(draft, key_id="k_0123456789abcdef")
    assert head + b'"2026-08-03T10:00:00.000000Z"' + tail + b"42}" == canonical_bytes(
        draft, sequence=42, recorded_at="2026-08-03T10:00:00.000000Z", key_id="k_0123456789abcdef")
